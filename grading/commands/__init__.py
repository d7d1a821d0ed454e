"""The subcommands of `grading` (grading.cli), one module each. Each module's docstring
is its help; it defines add_arguments(parser) and run(course_dir, options) -> exit status."""
