"""Course tooling around nbgrader for the homework "From Expressions to Machine Learning"."""
