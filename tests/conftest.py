"""Shared fixtures: every grading test works in a fresh copy of the course folder."""
import pytest

from tests.support import fresh_course


@pytest.fixture
def course_dir(tmp_path):
    """A fresh course folder (config, source/, release/, judges/) with no gradebook."""
    return fresh_course(tmp_path / "course")


@pytest.fixture(scope="session")
def demo_class(tmp_path_factory):
    """The demo class graded end to end once, by the README's main job, in a temp copy."""
    from grading.commands import demo

    course = fresh_course(tmp_path_factory.mktemp("demo") / "course", demo=True)
    demo.main(course)
    return course


@pytest.fixture(scope="session")
def corpus_course(tmp_path_factory):
    """The mutation corpus (tests/answers/, the baseline included) graded in one parallel
    autograde run: (course folder, log file). Shared by the mutation suite and the class
    report's browser test."""
    from tests.support.corpus import EVERYONE, grade_corpus

    folder = tmp_path_factory.mktemp("mutations")
    course, summary = grade_corpus(folder, EVERYONE)
    log = folder / "autograde.log"
    log.write_text(summary + "\n")
    return course, log


@pytest.fixture(scope="session")
def corpus_report(corpus_course):
    """The graded corpus with its similar answers and its class report written, once for
    the mutation suite and the browser test: `grading similarity`, then `grading report
    --html` (about 16 s of one core on the corpus; each used to run twice). Returns the
    course folder."""
    from grading import cli
    from tests.support import ASSIGNMENT

    course, _ = corpus_course
    assert cli.main(["similarity", ASSIGNMENT, "--course", str(course)]) == 0
    assert cli.main(["report", ASSIGNMENT, "--html", "--course", str(course)]) == 0
    return course
