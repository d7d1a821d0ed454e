"""Calibration of `grading similarity` on made-up classes with known copies.

    python -m bench.similarity_calibration [--sizes 20 100 500] [--seeds 5] [--copies 3]
                                           [--command-size 500]
    (from the repository)

Each class has SIZE honest students, who answer every answer cell with an answer drawn at
random from the mutation corpus, plus COPIES students who copied one of them and
disguised it (names changed, comments added, lines re-wrapped, neighbouring statements
swapped): tests/support/similarity_class.py. For each size and seed it scores every pair
(grading.similarity, the same code the command runs) and reports where the copies rank,
their scores, and the highest score of an honest pair, against the report's threshold.

Then it times the whole command on one class of --command-size students written as real
submissions in a scratch course (reading and repairing every notebook, comparing, writing
the CSV).
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grading.commands.similarity import REVIEW_AT, csv_path
from grading.course import run_nbgrader, tool_env
from grading.submissions import build_submission, write_submission
from tests.support import ASSIGNMENT, NOTEBOOK, ROOT, fresh_course, notebook_path
from tests.support.similarity_class import class_with_copies, score


def calibrate(size, seed, copies):
    students, copied = class_with_copies(size, copies, seed)
    started = time.monotonic()
    pairs = score(students)
    seconds = time.monotonic() - started
    truth = {frozenset(pair) for pair in copied.items()}
    is_copy = [frozenset((p.student_a, p.student_b)) in truth for p in pairs]
    ranks = [i + 1 for i, copy in enumerate(is_copy) if copy]
    copy_scores = [p.similarity for p, copy in zip(pairs, is_copy) if copy]
    honest = max(p.similarity for p, copy in zip(pairs, is_copy) if not copy)
    return ranks, copy_scores, honest, seconds


def time_command(size, copies, seed=0):
    students, _ = class_with_copies(size, copies, seed)
    with tempfile.TemporaryDirectory() as scratch:
        course = fresh_course(Path(scratch) / "course")
        run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
        release = notebook_path(ROOT, "release")
        for student, answers in students.items():
            write_submission(course, student, ASSIGNMENT, NOTEBOOK, build_submission(release, answers))
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "grading", "similarity", ASSIGNMENT, "--course", str(course)],
                       check=True, env=tool_env(), stdout=subprocess.DEVNULL)
        seconds = time.monotonic() - started
        rows = sum(1 for _ in open(csv_path(course, ASSIGNMENT))) - 1
    return seconds, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 100, 500])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--command-size", type=int, default=500)
    options = parser.parse_args()
    print(f"threshold of the report: {REVIEW_AT}")
    print("| honest students + copies | classes | copies ranked | copies' scores (min / median) "
          "| copies at or above the threshold | highest honest pair (max over classes) "
          "| separation: lowest copy minus highest honest pair (worst / median class) | scoring time |")
    print("|---|---|---|---|---|---|---|---|")
    for size in options.sizes:
        results = [calibrate(size, seed, options.copies) for seed in range(options.seeds)]
        ranks = [r for ranks, *_ in results for r in ranks]
        scores = [s for _, scores, *_ in results for s in scores]
        honest = [h for _, _, h, _ in results]
        top = sum(r <= options.copies for r in ranks)
        gaps = [min(copy_scores) - honest for _, copy_scores, honest, _ in results]
        print(f"| {size} + {options.copies} | {options.seeds} | {top} of {len(ranks)} in the top "
              f"{options.copies} (worst rank {max(ranks)}) | {min(scores):.3f} / {statistics.median(scores):.3f} "
              f"| {sum(s >= REVIEW_AT for s in scores)} of {len(scores)} | {max(honest):.3f} "
              f"| {min(gaps):.3f} / {statistics.median(gaps):.3f} "
              f"| {statistics.median(r[3] for r in results):.1f} s |")
    if options.command_size:
        seconds, rows = time_command(options.command_size, options.copies)
        print(f"\n`grading similarity` on {options.command_size + options.copies} real submissions: "
              f"{seconds:.1f} s (reading and repairing every notebook included), {rows} pairs in the CSV")


if __name__ == "__main__":
    main()
