"""The `grading` command and the package around it, without kernels: help from any folder,
clear errors for what a user can fix, outcomes read from facts, and no import tricks."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grading import cli
from tests.support import ROOT, fresh_course

GRADING = Path(sys.executable).parent / "grading"  # the console script pip installed


def run(*args, cwd):
    return subprocess.run([str(GRADING), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_help_lists_every_subcommand_with_one_line(tmp_path):
    result = run("--help", cwd=tmp_path)  # any folder: the package is installed
    assert result.returncode == 0, result.stderr
    listed = dict(re.findall(r"^    (\S+)\s+(\S.*)$", result.stdout, re.MULTILINE))
    assert set(cli.COMMANDS) <= set(listed) | {
        name for name in cli.COMMANDS if f"    {name}\n" in result.stdout}
    for name, module in cli.COMMANDS.items():
        assert module.__doc__.strip().splitlines()[0][:30] in " ".join(result.stdout.split()), name


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_each_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main([command, "--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert "--course" in out and f"grading {command}" in out


def test_outside_a_course_folder_says_so(tmp_path):
    result = run("report", "expressions_to_ml", cwd=tmp_path)
    assert result.returncode == 2
    assert "is not a course folder (it has no nbgrader_config.py)" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_assignment_never_generated_is_refused_with_the_fix(tmp_path, capsys):
    course = fresh_course(tmp_path / "course")
    assert cli.main(["autograde", "no_such_homework", "--course", str(course)]) == 2
    assert "nbgrader generate_assignment no_such_homework" in capsys.readouterr().err


def test_demo_refuses_a_course_without_a_demo_class(tmp_path):
    course = fresh_course(tmp_path / "course")  # no demo/
    assert cli.main(["demo", "--course", str(course)]) == 2


MANIPULATION = re.compile(r"sys\.path\s*(\.(insert|append|extend)|\[.*\]\s*=|\s*=|\s*\+=)"
                          r"|PYTHONPATH")


def test_no_import_path_manipulation_anywhere():
    """Everything imports the installed package: no edits of the import path, no PYTHONPATH."""
    files = [p for p in ROOT.rglob("*") if p.suffix in (".py", ".sh") or p.name == "run"]
    files = [p for p in files if ".venv" not in p.parts and "bad_submissions" not in p.parts
             and p.is_file() and p != Path(__file__)]
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in files
                 for n, line in enumerate(p.read_text(errors="replace").splitlines(), 1)
                 if MANIPULATION.search(line)]
    assert offenders == []


def layout_entries(readme):
    """The paths of the README's layout tree: (path pattern, line), nested by indentation."""
    block = readme.split("## Layout", 1)[1].split("```", 2)[1]
    parents, entries = [], []
    for line in block.splitlines():
        names = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        if not names or len(line) - len(line.lstrip()) >= 10:  # a wrapped description
            continue
        depth = (len(line) - len(line.lstrip())) // 2
        parents = parents[:depth]
        for name in names.split(", "):
            entries.append(("/".join(parents + [re.sub(r"<\w+>", "*", name.rstrip("/"))]), line))
        parents.append(names.split(", ")[-1].rstrip("/"))
    return entries


def test_readme_layout_tree_matches_the_folders():
    readme = (ROOT / "README.md").read_text()
    entries = layout_entries(readme)
    assert len(entries) > 15
    missing = [line for pattern, line in entries if not list(ROOT.glob(pattern))]
    assert missing == []
    # and every module of the package is named in it
    shown = readme.split("## Layout", 1)[1].split("```", 2)[1]
    for module in (ROOT / "grading").rglob("*.py"):
        if module.stem not in ("__init__", "__main__"):
            assert module.stem in shown, f"grading/{module.relative_to(ROOT / 'grading')} is not in the README's layout"
