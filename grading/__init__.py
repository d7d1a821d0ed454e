"""Autograding nbgrader assignments that survives real classes: installable, for any
assignment of a course. Where a change goes:

- grading.plugins: what nbgrader itself loads, through a course's nbgrader_config.py
  (preprocessors, the sandboxed kernel manager, the outside judge's machinery, feedback,
  HTML sanitising, LMS collector and export). plugins.kernel_side holds the code that
  runs on the student's side: the kernel launcher and the guard inside the kernel.
- grading.commands: the `grading` command's subcommands (grading.cli), one module each:
  demo, autograde, class_run, report.
- Shared by both: assignment (questions and points, read from the source notebook),
  course (the course folder; the one way to run nbgrader), gradebook, submissions
  (answer files to notebooks), course_lock, progress.
"""
