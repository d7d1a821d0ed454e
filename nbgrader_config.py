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
c.Execute.timeout = 20  # BoundedExecute inherits it

# Students see this in place of each solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# ---------------------------------------------------------------------------------------
# Grading that survives real submissions: the installed `grading` package's nbgrader
# plugins (grading/plugins/). Plain `nbgrader autograde` (and the formgrader's button)
# picks all of this up; nothing else needs to run.
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, ClearOutput, GetGrades, IgnorePattern,
    LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades)

try:
    from grading.plugins.execution import BoundedExecute
    from grading.plugins.feedback import TEMPLATE, HideHiddenTests, SummariseFeedback
    from grading.plugins.integrity import FlagForReview, OwnResultOnly, ScanStudentCode
    from grading.plugins.repair import RepairSubmission, TolerantNotebookExporter
except ImportError as error:
    # nbgrader would only warn and grade without any of this: stop instead.
    raise SystemExit(f"nbgrader_config.py: cannot import the grading package ({error}). "
                     "Install it into nbgrader's environment: pip install -e <this repository> "
                     "(scripts/setup.sh does).")

# Read Colab-saved, malformed or non-notebook files instead of failing the submission.
c.Autograde.exporter_class = TolerantNotebookExporter
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    RepairSubmission,     # replaces DeduplicateIds: duplicates, moved/renamed/deleted cells
    OverwriteKernelspec,
    OverwriteCells,       # restores instructor cells' code from the gradebook
    ScanStudentCode,      # imports reported; code that can reach the grader flagged
    CheckCellMetadata,
]
c.Autograde.autograde_preprocessors = [
    BoundedExecute,       # sandboxed kernel, time budget, output cap, kernel recovery, guard
    OwnResultOnly,        # a test cell that failed scores 0, whatever it displayed before
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    FlagForReview,        # flagged submissions: "needs manual grading" in the gradebook
    AssignLatePenalties,
    # nbgrader's default list checks the metadata a second time here. Nothing above changes
    # it (ClearMetadataPreprocessor is off unless enabled), and the check costs 0.15 s of
    # CPU per submission (nbgrader re-checks its JSON schema for every cell).
]
# The whole notebook takes a few seconds; a stuck one stops after this many.
c.BoundedExecute.notebook_budget = 240
# Each kernel runs in a bubblewrap sandbox ("none": limits only, no isolation).
c.SandboxedKernelManager.isolation = "bwrap"
c.SandboxedKernelManager.memory_limit_mb = 2048  # the notebook peaks under 1 GiB

# Feedback: a table per question first; each test cell named, with its docstring, its
# visible part only, and for a failure a one-line message and what to check
# (grading/plugins/templates/feedback.html.j2). Scoped to GenerateFeedback, so the
# formgrader's own views keep nbgrader's templates.
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, SummariseFeedback,
                                    CSSHTMLHeaderPreprocessor]
c.GenerateFeedback.HTMLExporter.template_file = TEMPLATE

# HTML sanitising (stored XSS): a student's markdown, raw cells and outputs are shown to
# others, in the formgrader's submission view (in the Jupyter server's origin, with the
# instructor's session) and in the feedback HTML. Both render with an HTMLExporter built
# from this config. sanitize_html cleans text/html and text/markdown outputs with bleach
# and drops application/javascript, widget views and widget state (raw cells are always
# cleaned; SVG outputs stay <img> data URIs, where scripts do not run; PNG plots are
# untouched). nbgrader's templates render markdown cells without that cleaning, so the
# markdown2html filter is replaced by one that cleans what it renders (grading/plugins/sanitize.py).
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.skip_svg_encoding = False  # never inline SVG into the page
# Each piece (markdown cell, code cell, output) is rendered only within size and nesting
# bounds, since cleaning is quadratic in nesting: past them, a notice stands in its place.
c.HTMLExporter.filters = {"markdown2html": "grading.plugins.sanitize.SafeMarkdown2HTML",
                          "highlight_code": "grading.plugins.sanitize.BoundedHighlight2HTML",
                          "clean_html": "grading.plugins.sanitize.bounded_clean_html"}

# LMS downloads: plain `nbgrader zip_collect ASSIGNMENT` (zip in downloaded/ASSIGNMENT/archive/)
# reads Canvas-style file names, keeping each student's latest upload; a student's archive
# is read with limits and can only ever be that student's submission (grading/plugins/lms.py).
c.ZipCollectApp.extractor_plugin = "grading.plugins.lms.CanvasExtractor"
c.ZipCollectApp.collector_plugin = "grading.plugins.lms.CanvasCollector"

# `nbgrader export` (grades.csv): nbgrader's columns, every field quoted, no cell a
# spreadsheet formula (grading/csv_safe.py).
c.ExportApp.plugin_class = "grading.plugins.lms.SafeCsvExport"
