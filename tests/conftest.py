"""Shared fixtures: every grading test works in a fresh copy of the course folder."""
import pytest

# A fresh course folder (config, source/, release/) with an empty gradebook.
from grading.synthetic import fresh_course as copy_course


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
