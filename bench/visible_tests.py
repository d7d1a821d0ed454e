"""How much of the mutation corpus the visible tests alone catch: what a student learns
before submitting, and what only the hidden tests find.

    python -m bench.visible_tests   (from the repository)

Each wrong answer of tests/answers/wrong/ goes into the student release (the baseline's
answers everywhere else, as in tests/test_mutations.py) and runs top to bottom on a fresh
kernel, as a student's "Restart and run all" would. A wrong answer is
- "own": caught by a visible test cell of its own question;
- "elsewhere": only a visible test of another question fails (fit runs the student's own
  back-propagation while they work; the hidden tests grade fit with a reference one);
- "hidden only": every visible test passes; only the hidden tests catch it.
Ends with one line:

    of W wrong answers, visible tests catch O in their own question, E only elsewhere; H pass every visible test
"""

from nbclient import NotebookClient

from grading.submissions import build_submission, read_answers
from tests.support import ROOT, notebook_path, structure

ANSWERS = ROOT / "tests" / "answers"


def failing_test_cells(nb):
    """grade_ids of the test cells whose run raised."""
    return {cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
            and not cell.metadata["nbgrader"].get("solution")
            and any(out.get("output_type") == "error" for out in cell.get("outputs", []))}


def main():
    release = notebook_path(ROOT, "release")
    questions = structure()
    baseline = read_answers(ANSWERS / "baseline.py")
    wrong = sorted((ANSWERS / "wrong").glob("*.py"))
    counts = {"own": 0, "elsewhere": 0, "hidden only": 0}
    for path in wrong:
        answers = read_answers(path)
        nb = build_submission(release, {**baseline, **answers})
        NotebookClient(nb, timeout=30, kernel_name="python3", allow_errors=True,
                       extra_arguments=["--log-level=ERROR"]).execute()
        own = {questions.question_of(cell).title for cell in answers}
        failing = failing_test_cells(nb)
        if any(questions.question_of(cell).title in own for cell in failing):
            verdict = "own"
        else:
            verdict = "elsewhere" if failing else "hidden only"
        counts[verdict] += 1
        print(f"{verdict:<12} {path.stem:<40} failing: {', '.join(sorted(failing)) or '-'}",
              flush=True)
    print(f"of {len(wrong)} wrong answers, visible tests catch {counts['own']} in their own "
          f"question, {counts['elsewhere']} only elsewhere; {counts['hidden only']} pass every "
          "visible test")


if __name__ == "__main__":
    main()
