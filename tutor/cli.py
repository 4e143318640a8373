"""The `tutor` command line: parses arguments and hands each command to `tutor.commands`."""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING

from tutor import __version__

if TYPE_CHECKING:
    import argparse

EPILOG = """\
Environment: TUTOR_DATA_DIR (data folder), TUTOR_NOW (ISO 8601 time with offset, overrides the
clock), TUTOR_THEME, TUTOR_KERNEL_PYTHON and other TUTOR_* settings; see the README.
Exit status of `check`: 0 correct, 1 incorrect, 2 could not grade."""


def _parser() -> argparse.ArgumentParser:
    import argparse  # ~3 ms with gettext: not paid by `tutor start` (see _quick_parse)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        help="progress folder (default: platform data dir; env TUTOR_DATA_DIR)",
    )
    common.add_argument(
        "--python",
        metavar="PATH",
        help="interpreter for the code kernel, e.g. a CUDA torch venv (env TUTOR_KERNEL_PYTHON)",
    )
    parser = argparse.ArgumentParser(
        prog="tutor",
        description="A terminal tutor for Linear Algebra for ML.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    start = commands.add_parser("start", parents=[common], help="open the Textual app")
    start.add_argument("--section", metavar="ID", help="open this section (e.g. 1.6) straight away")
    commands.add_parser(
        "review", parents=[common], help="open the app in a review session of what is due"
    )

    show = commands.add_parser("show", parents=[common], help="print a section, exercise or lab")
    show.add_argument("id", metavar="ID", help="e.g. 1.3, 1.ex11, 1.lab2")
    show.add_argument(
        "--variant", type=int, default=0, metavar="N", help="exercise variant (0 = as printed)"
    )
    show.add_argument("--json", action="store_true", help="machine-readable output")

    check = commands.add_parser("check", parents=[common], help="grade an answer or a code file")
    check.add_argument("id", metavar="ID", help="exercise or lab ID, e.g. 1.ex11")
    check.add_argument(
        "--answer",
        action="append",
        default=[],
        metavar="TEXT",
        help="one per part, in the order `show` lists",
    )
    check.add_argument(
        "--file", metavar="PATH", help="Python file with your functions (code exercises)"
    )
    check.add_argument(
        "--variant", type=int, default=0, metavar="N", help="exercise variant (0 = as printed)"
    )
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument("--no-record", action="store_true", help="do not save this attempt")
    check.add_argument(
        "--rating",
        type=_rating,
        metavar="R",
        help="rate this showing yourself: 1-4 or again/hard/good/easy (instead of the grade's "
        "rating)",
    )

    due = commands.add_parser("due", parents=[common], help="what is due now, soonest first")
    due.add_argument("--json", action="store_true", help="machine-readable output")
    stats = commands.add_parser("stats", parents=[common], help="progress and retention figures")
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    stats.add_argument(
        "--optimize", action="store_true", help="fit FSRS parameters to your own review log"
    )

    export = commands.add_parser(
        "export", parents=[common], help="write your review log as JSON lines"
    )
    export.add_argument("file", metavar="FILE")
    import_ = commands.add_parser(
        "import", parents=[common], help="merge a review log exported elsewhere"
    )
    import_.add_argument("file", metavar="FILE")

    undo = commands.add_parser("undo", parents=[common], help="take back an attempt you recorded")
    undo.add_argument(
        "uuid",
        nargs="?",
        metavar="UUID",
        help="an attempt or showing UUID (default: the latest `tutor check` made here)",
    )
    card = commands.add_parser("card", parents=[common], help="an item's schedule and history")
    card.add_argument("id", metavar="ID", help="exercise or lab ID, e.g. 1.ex11")
    card.add_argument("--json", action="store_true", help="machine-readable output")
    suspend = commands.add_parser("suspend", parents=[common], help="keep an item out of reviews")
    suspend.add_argument("id", metavar="ID", help="exercise or lab ID")
    unsuspend = commands.add_parser(
        "unsuspend", parents=[common], help="bring an item (or a lab) into the reviews"
    )
    unsuspend.add_argument("id", metavar="ID", help="exercise or lab ID")

    validate = commands.add_parser(
        "validate", parents=[common], help="check course data and run every example"
    )
    validate.add_argument(
        "content_dir", nargs="?", metavar="CONTENT_DIR", help="default: the shipped course"
    )
    commands.add_parser(
        "doctor",
        parents=[common],
        help="report python, numpy/torch/CUDA in the kernel, sandbox level, data dir",
    )
    return parser


COMMAND_MODULES = {"import": "import_", "suspend": "suspend", "unsuspend": "suspend"}


def _rating(text: str) -> int:
    """`--rating`'s value: a rating number or name."""
    import argparse

    from progress.rating import Rating

    try:
        return Rating.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _quick_parse(argv: Sequence[str]) -> SimpleNamespace | None:
    """`tutor start` and `tutor review` with nothing after them, the commands typed most, parsed
    without importing argparse or building every sub-command's parser (~10 ms before the first
    paint). Anything else, `--help` included, goes through argparse; a test keeps both results
    equal."""
    if len(argv) != 1 or argv[0] not in ("start", "review"):
        return None
    args = SimpleNamespace(data_dir=None, python=None, command=argv[0])
    if argv[0] == "start":
        args.section = None
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args: argparse.Namespace | SimpleNamespace | None = _quick_parse(argv)
    if args is None:
        parser = _parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
    from tutor.settings import SettingsError, load_settings

    try:
        settings = load_settings(data_dir=args.data_dir, kernel_python=args.python)
    except SettingsError as exc:
        print(f"tutor: {exc}", file=sys.stderr)
        return 2
    module = importlib.import_module(
        f"tutor.commands.{COMMAND_MODULES.get(args.command, args.command)}"
    )
    try:
        status = int(module.run(args, settings))
        # Flushed here, not at interpreter exit, so a reader that closed the pipe is caught below.
        sys.stdout.flush()
        return status
    except KeyboardInterrupt:
        print("tutor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _pipe_closed()


def _pipe_closed() -> int:
    """The reader of our output went away (`tutor show 1.1 | head`): end quietly, as `cat` does.

    Standard output is pointed at /dev/null so the interpreter's own flush at exit cannot raise
    again; the status is the shell's for a process ended by SIGPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + signal.SIGPIPE
