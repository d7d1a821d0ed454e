"""The `grading` command: one subcommand per module of grading.commands.

    grading demo | autograde | class-run | report | regrade | similarity | cluster  [--course DIR] ...

Every subcommand works in a course folder (the one with nbgrader_config.py; default: the
current folder) and on any assignment under its source/. Exit status: 0 done, 1 some
submissions failed, 2 nothing could be done (the message says why).
"""
import argparse
import sys

from . import interrupt
from .assignment import AssignmentError
from .commands import autograde, class_run, cluster, demo, regrade, report, similarity
from .course import CourseError, course_folder
from .course_lock import CourseBusy
from .nbgrader_run import StartError

COMMANDS = {"demo": demo, "autograde": autograde, "class-run": class_run, "report": report,
            "regrade": regrade, "similarity": similarity, "cluster": cluster}
# What an interrupted command says to do next (a command module may say otherwise).
RESUME = "What was graded is in the gradebook: run again without --force to grade the rest"
# Problems the user can fix, each with a message saying how: printed, never a traceback.
USER_ERRORS = (AssignmentError, CourseError, CourseBusy, StartError)


def parser():
    top = argparse.ArgumentParser(
        prog="grading", description="Autograde nbgrader assignments: a whole class, on "
        "a Dask cluster, from an LMS download to LMS grades, with an instructor report.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        summary = module.__doc__.strip().splitlines()[0]
        sub = commands.add_parser(name, help=summary, description=module.__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("--course", default=".",
                         help="the course folder, with nbgrader_config.py (default: here)")
        module.add_arguments(sub)
    return top


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    # Arguments after -- go to nbgrader unchanged.
    argv, nbgrader_args = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) \
        if "--" in argv else (argv, [])
    options = parser().parse_args(argv)
    options.nbgrader_args = nbgrader_args
    try:
        with interrupt.remembered():
            return COMMANDS[options.command].run(course_folder(options.course), options)
    except USER_ERRORS as error:
        print(f"grading {options.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        resume = getattr(COMMANDS[options.command], "RESUME", RESUME)
        print(f"\ngrading {options.command}: interrupted. {resume}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
