"""What the outside judge costs per submission.

    python -m bench.judge_cost [--submissions 6] [--repeats 2]   (from the repository)

Autogrades the same class of correct submissions (the course's own configuration) twice
in scratch courses: with the judge, and with it switched off (--BoundedExecute.judge=False).
Reports, as medians over --repeats:
- the judge's own time per submission, as BoundedExecute logs it ("outside judge: N
  checks in S s": the checks' round trips to the kernel, the student's code on the
  judge's inputs, and the reference computed in nbgrader's process);
- autograde wall time per submission with and without the judge, and the difference.
"""
import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from grading.course import run_nbgrader
from tests.support import ASSIGNMENT, fresh_course, synthetic

JUDGE_LINE = re.compile(r"outside judge: (\d+) checks in ([\d.]+) s")


def autograde(submissions, judge):
    """(wall seconds, [judge seconds per submission]) of one autograde run."""
    with tempfile.TemporaryDirectory() as folder:
        course = fresh_course(Path(folder) / "course")
        run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
        synthetic.write_submitted(course, synthetic.class_list(submissions, mix=("correct",)))
        started = time.perf_counter()
        result = run_nbgrader(course, "autograde", ASSIGNMENT,
                              *([] if judge else ["--BoundedExecute.judge=False"]))
        wall = time.perf_counter() - started
        judged = [float(seconds) for _, seconds in JUDGE_LINE.findall(result.stderr + result.stdout)]
        if judge and len(judged) != submissions:
            raise RuntimeError(f"expected {submissions} judge log lines, found {len(judged)}")
        return wall, judged


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=2)
    options = parser.parse_args(argv)
    n = options.submissions
    with_judge, without, judge_each = [], [], []
    for _ in range(options.repeats):
        wall, judged = autograde(n, judge=True)
        with_judge.append(wall / n)
        judge_each += judged
        without.append(autograde(n, judge=False)[0] / n)
    on, off = statistics.median(with_judge), statistics.median(without)
    own = statistics.median(judge_each)
    print(f"judge's own time:            {own:.3f} s per submission (10 checks)")
    print(f"autograde with the judge:    {on:.2f} s per submission")
    print(f"autograde without the judge: {off:.2f} s per submission")
    print(f"judge's share: {own / on:.1%} of a submission's grading time "
          f"(wall-time difference {on - off:+.2f} s, {(on - off) / off:+.1%})")


if __name__ == "__main__":
    main()
