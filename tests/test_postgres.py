"""The gradebook on a real PostgreSQL server (NBGRADER_DB_URL), serial and in parallel,
gives the scores that the default SQLite gradebook gives.

TEST_POSTGRES_URL names a server's admin database (`eval "$(bash scripts/postgres.sh)"`
starts one and sets it; .ci/run does so in CI); each test makes its own databases there.
Without it the tests are skipped, except in CI, where they fail.
"""
import os
import uuid

import pytest
from sqlalchemy.engine import make_url

from grading import cli, gradebook
from grading.course import run_nbgrader
from tests.support import ASSIGNMENT, fresh_course, generated_course, synthetic


pytestmark = pytest.mark.slow  # real nbgrader batches: minutes

CLASS = synthetic.class_list(4, mix=("correct", "partial", "blank", "broken_code"))


@pytest.fixture
def postgres_databases():
    """make() -> the URL of a new, empty database on the test server; all dropped after."""
    admin_url = os.environ.get("TEST_POSTGRES_URL")
    if not admin_url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but TEST_POSTGRES_URL is not set: .ci/run must start the "
                        "PostgreSQL server (scripts/postgres.sh) before the tests")
        pytest.skip("no PostgreSQL server given: run `eval \"$(bash scripts/postgres.sh)\"` "
                    "(or set TEST_POSTGRES_URL to a server's admin database URL)")
    import psycopg

    admin = make_url(admin_url)
    made = []

    def run_admin(statement):
        # autocommit: CREATE/DROP DATABASE refuse to run inside a transaction
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(statement)

    def make():
        name = f"nbgrader_test_{uuid.uuid4().hex[:12]}"
        run_admin(f'CREATE DATABASE "{name}"')
        made.append(name)
        return admin.set(database=name).render_as_string(hide_password=False)

    yield make
    for name in made:
        run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def grade(folder, db_url, monkeypatch, workers=None):
    """Grades CLASS in a course at folder with the gradebook at db_url (None: the default
    SQLite, of the generated course the tests share), serially with `nbgrader autograde`,
    or with the parallel command; returns the scores."""
    with monkeypatch.context() as env:
        if db_url:
            env.setenv("NBGRADER_DB_URL", db_url)
            course = fresh_course(folder)
            run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
        else:
            env.delenv("NBGRADER_DB_URL", raising=False)
            course = generated_course(folder)
        synthetic.write_submitted(course, CLASS)
        if workers:
            assert cli.main(["autograde", ASSIGNMENT, "--course", str(course), "--workers", str(workers)]) == 0
        else:
            run_nbgrader(course, "autograde", ASSIGNMENT)
        return gradebook.snapshot(course, ASSIGNMENT, [student for student, _ in CLASS])


def test_postgres_gradebook_scores_equal_sqlite_scores(tmp_path, postgres_databases, monkeypatch):
    on_sqlite = grade(tmp_path / "sqlite", None, monkeypatch)
    serial_url, parallel_url = postgres_databases(), postgres_databases()
    on_postgres = grade(tmp_path / "pg_serial", serial_url, monkeypatch)
    on_postgres_in_parallel = grade(tmp_path / "pg_parallel", parallel_url, monkeypatch, workers=2)

    assert all(scores is not None for scores in on_sqlite.values())
    assert on_postgres == on_sqlite
    assert on_postgres_in_parallel == on_sqlite
    # The grades really went to PostgreSQL: no SQLite file appeared.
    assert not (tmp_path / "pg_serial" / "gradebook.db").exists()
    assert not (tmp_path / "pg_parallel" / "gradebook.db").exists()
