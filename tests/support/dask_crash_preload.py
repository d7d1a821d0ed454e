"""A Dask worker preload (`dask worker --preload THIS_FILE`) for the engine's fault tests:
grading the student CRASHER kills the worker process on the spot, as an out-of-memory
kill or a lost machine would. Every worker that takes that task dies."""
import os

import grading.worker

CRASHER = "zz_kills_its_worker"
# Dask may load a preload twice in one process: wrap the original method only once.
_grade = getattr(grading.worker.CourseCopy, "unpatched_grade", grading.worker.CourseCopy.grade)
grading.worker.CourseCopy.unpatched_grade = _grade


def _grade_or_die(self, submission, *args, **kwargs):
    if submission.student == CRASHER:
        os._exit(137)
    return _grade(self, submission, *args, **kwargs)


grading.worker.CourseCopy.grade = _grade_or_die
