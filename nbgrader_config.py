"""nbgrader configuration for the course "From Expressions to Machine Learning".

The course root is this folder: run every `nbgrader` command from here.
"""
import os

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "expressions_to_ml"

# The gradebook: an SQLite file next to this config unless NBGRADER_DB_URL says
# otherwise (for example a PostgreSQL URL for a large class).
c.CourseDirectory.db_url = os.environ.get(
    "NBGRADER_DB_URL",
    "sqlite:///" + os.path.join(os.path.dirname(os.path.abspath(__file__)), "gradebook.db"),
)

# Per-cell time limit while autograding. The slowest cell (training the parabola,
# 4000 iterations) takes well under a second; 20 s leaves room for slow machines
# while keeping a student's infinite loop from stalling the class for long.
c.Execute.timeout = 20

# Students see this in place of each solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
