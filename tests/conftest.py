"""Shared fixtures: every grading test works in a fresh copy of the course folder."""
import shutil

import pytest

from grading.course import ROOT


def copy_course(destination):
    """A fresh course folder (config, source/, release/) with an empty gradebook."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", destination)
    for folder in ("source", "release"):
        shutil.copytree(ROOT / folder, destination / folder)
    return destination


@pytest.fixture
def course_dir(tmp_path):
    return copy_course(tmp_path / "course")


@pytest.fixture(scope="session")
def demo_class(tmp_path_factory):
    """The demo class graded end to end once, by the README's main job, in a temp copy."""
    from grading import demo

    course = copy_course(tmp_path_factory.mktemp("demo") / "course")
    demo.main(course)
    return course
