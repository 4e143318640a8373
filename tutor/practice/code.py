"""Code exercises and labs: grade a learner's file in a fresh sandboxed kernel (CLI and app)."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.course.exercise_schema import CodeExercise, Lab
from tutor.course.loader import Chapter, ContentError
from tutor.practice.outcome import Attempt, Recorded
from tutor.settings import Settings

if TYPE_CHECKING:
    from checkers.grading import TestResult
    from checkers.kernel import KernelConfig


@dataclass(frozen=True)
class CodeResult:
    """The verdict on one file: each test with its message, and a one-paragraph summary."""

    item_id: str
    correct: bool
    tests: list[TestResult]
    feedback: str
    seed: int
    stdout: str = ""
    load_error: str = ""
    sandbox: str = ""
    duration: float = 0.0
    recorded: Recorded | None = field(default=None)
    isolation: dict[str, Any] = field(default_factory=dict)
    """Each isolation layer of the grading kernel, in force or not."""


class CannotGrade(Exception):
    """The file cannot be graded (missing, unreadable, no grader, kernel broken); exit status 2."""


class Unparsable(CannotGrade):
    """The file does not parse (a syntax error; too large, too deep or not UTF-8 to parse): like an
    unreadable hand answer it is not graded, so nothing is recorded and the check does not count.
    Code that parses but fails when loaded or run is graded, and is wrong."""


def not_graded_text(item_id: str, exc: CannotGrade) -> str:
    """Why `item_id` was not graded, the same words in `tutor check` and the app: `cannot grade
    1.ex13 (nothing was recorded): sol.py does not parse at line 4, column 15: invalid syntax`."""
    return f"cannot grade {item_id} (nothing was recorded): {exc}"


def kernel_config(settings: Settings, *, torch: bool = False, standby: bool = True) -> KernelConfig:
    """The kernel limits from the learner's settings; torch preloaded when the exercise needs it."""
    from checkers.kernel import KernelConfig

    return KernelConfig(
        python=settings.kernel_python,
        timeout=settings.kernel_timeout,
        memory_mb=settings.kernel_memory_mb,
        optional_preload=("torch",) if torch else (),
        standby=standby,
        isolation=settings.kernel_isolation,  # type: ignore[arg-type]  # checked by settings
    )


@contextmanager
def reporting(listener: Callable[[str], object]) -> Iterator[None]:
    """While grading in this block (this thread), tell `listener` each call as it starts, in a few
    words, for a progress line."""
    from checkers.grading.harness import reporting as harness_reporting

    with harness_reporting(listener):
        yield


def seed_for(item_id: str, variant: int) -> int | None:
    """Variant 0 draws fresh inputs each attempt; variant N > 0 is reproducible from (ID, N)."""
    if variant <= 0:
        return None
    digest = hashlib.sha256(f"{item_id}/{variant}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _summary(tests: list[TestResult], load_error: str) -> str:
    if load_error:
        return load_error
    required = [test for test in tests if not test.optional]
    challenge = [test for test in tests if test.optional]
    extra = ""
    if challenge:
        passed = sum(test.passed for test in challenge)
        if passed == len(challenge):
            extra = " The optional challenge passes too."
        elif passed:
            extra = f" Optional challenge: {passed} of {len(challenge)} checks pass."
        else:
            extra = " The optional challenge is still open."
    skipped = [test for test in required if test.skipped]
    ran = [test for test in required if not test.skipped]
    if skipped:
        extra += (
            f" {len(skipped)} skipped: {skipped[0].message}"
            if len(skipped) == 1
            else (f" {len(skipped)} skipped (could not run here; they count neither way).")
        )
    failed = [test for test in ran if not test.passed]
    if not ran:
        return "The grader ran no tests." + extra
    if not failed:
        which = "tests that ran" if skipped else "tests"
        return f"All {len(ran)} {which} passed." + extra
    first = failed[0]
    return f"{len(failed)} of {len(ran)} tests failed. First: {first.name}: {first.message}" + extra


def grade_file(
    chapter: Chapter,
    item: CodeExercise | Lab,
    path: Path,
    settings: Settings,
    seed: int | None = None,
    *,
    standby: bool | None = None,
) -> CodeResult:
    """Grade `path` against the item's trusted grader; raises CannotGrade when it cannot be graded
    (Unparsable when the file does not parse).

    `standby`: whether taking the warm kernel starts the next spare at once. By default yes for a
    code exercise, and no for a lab: labs time things, and a spare importing torch beside the
    timing would slow it (the lab screen warms the next kernel when the check is over).
    """
    if standby is None:
        standby = not isinstance(item, Lab)
    if not path.is_file():
        raise CannotGrade(f"no file at {path}")
    if not item.grader:
        raise CannotGrade(f"{item.id} has no grader yet")
    try:
        grader = chapter.reference(item.grader)
    except ContentError as exc:
        raise CannotGrade(f"the grader of {item.id} cannot be loaded: {exc}") from exc
    from checkers.grading import GradingError, grade
    from checkers.grading import Unparsable as UnparsableSource

    config = kernel_config(settings, torch="torch" in item.requires, standby=standby)
    try:
        report = grade(path, grader, entry=item.entry, config=config, seed=seed)
    except UnparsableSource as exc:
        raise Unparsable(str(exc)) from exc
    except GradingError as exc:
        raise CannotGrade(str(exc)) from exc
    return CodeResult(
        item_id=item.id,
        correct=report.correct,
        tests=report.tests,
        feedback=_summary(report.tests, report.load_error),
        seed=report.seed,
        stdout=report.stdout,
        load_error=report.load_error,
        sandbox=report.sandbox,
        duration=report.duration,
        isolation=report.isolation,
    )


def _record(
    settings: Settings, item: CodeExercise | Lab, variant: int, correct: bool, rating: Any = None
) -> Recorded | None:
    from progress.store import StoreError
    from tutor.recording import record_check

    # The CLI cannot see how long the learner worked; par time rates a first-try success Good, not
    # Easy.
    attempt = Attempt(item.id, variant, correct, float(item.par_seconds), item.par_seconds)
    try:
        return record_check(settings, attempt, rating)
    except StoreError as exc:
        print(f"tutor check: the attempt was not saved: {exc}", file=sys.stderr)
        return None


def result_json(result: CodeResult, variant: int) -> dict[str, Any]:
    """The `check --json` object of DESIGN.md section 2 (plus the seed of the inputs)."""
    data: dict[str, Any] = {
        "id": result.item_id,
        "variant": variant,
        "correct": result.correct,
        "parts": [],
        "tests": [
            # A skipped test did not run: "passed" is null (neither a pass nor a failure).
            {
                "name": t.name,
                "status": t.status,
                "passed": None if t.skipped else t.passed,
                "message": t.message,
                "optional": t.optional,
            }
            for t in result.tests
        ],
        "feedback": result.feedback,
        "seed": result.seed,
        "sandbox": result.isolation,
    }
    if result.recorded is not None:
        from tutor.recording import check_json

        data.update(check_json(result.recorded))
    return data


def not_graded_json(item_id: str, variant: int, text: str) -> dict[str, Any]:
    """The `check --json` object for a file that was not graded: not correct, no tests, and no
    rating or due, since nothing was recorded."""
    return {
        "id": item_id,
        "variant": variant,
        "correct": False,
        "parts": [],
        "tests": [],
        "feedback": text[:1].upper() + text[1:],
    }


def status_word(test: TestResult) -> str:
    """The four-letter word a test line starts with: PASS, FAIL, SKIP, or pass/open/skip for a
    challenge's optional checks. A skip never reads as a pass."""
    if test.skipped:
        return "skip" if test.optional else "SKIP"
    if test.optional:
        return "pass" if test.passed else "open"
    return "PASS" if test.passed else "FAIL"


def _print_text(result: CodeResult) -> None:
    from tutor.plain import escape_controls

    for test in result.tests:
        optional = "  (challenge, optional)" if test.optional else ""
        print(f"{status_word(test)}  {test.name}{optional}")
        if not test.passed and test.message:
            # Messages quote the learner's program (its errors, its values): escape what could drive
            # the terminal. Split at newlines only: splitlines() would also break at a bare \r or
            # \f.
            for line in test.message.rstrip("\n").split("\n"):
                print(f"      {escape_controls(line)}")
    print()
    print(("Correct. " if result.correct else "Not yet. ") + escape_controls(result.feedback))
    missing = result.isolation.get("missing") if result.isolation else None
    if missing:
        # Said on every grading that ran with less than every layer (kernel.isolation = "relaxed").
        print(
            f"Sandbox {result.isolation.get('level')}: missing "
            f"{'; '.join(str(m) for m in missing)}."
        )
    if result.recorded is not None:
        from tutor.recording import check_text

        print(check_text(result.recorded, result.item_id))


def check_command(args: argparse.Namespace, settings: Settings, chapter: Chapter, item: Any) -> int:
    """`tutor check ID --file PATH [--json] [--no-record]`: exit 0 pass, 1 fail, 2 cannot grade."""
    if not args.file:
        print(
            f"tutor check: {item.id} is a code exercise; give your file with --file PATH",
            file=sys.stderr,
        )
        return 2
    if args.answer:
        print(
            f"tutor check: {item.id} is graded from a file; --answer is for hand exercises",
            file=sys.stderr,
        )
        return 2
    path = Path(args.file).expanduser()
    try:
        result = grade_file(
            chapter, item, path, settings, seed_for(item.id, args.variant), standby=False
        )
    except CannotGrade as exc:
        from tutor.plain import escape_controls

        text = not_graded_text(item.id, exc)
        if args.json and isinstance(exc, Unparsable):
            # As for an unreadable hand answer: a verdict object saying so, without rating or due.
            print(json.dumps(not_graded_json(item.id, args.variant, text), ensure_ascii=False))
        else:
            # The message may quote the path as typed, control characters and all.
            print(f"tutor check: {escape_controls(text)}", file=sys.stderr)
        return 2
    if not args.no_record:
        recorded = _record(
            settings, item, args.variant, result.correct, getattr(args, "rating", None)
        )
        result = CodeResult(**{**result.__dict__, "recorded": recorded})
    if args.json:
        print(json.dumps(result_json(result, args.variant), ensure_ascii=False))
    else:
        _print_text(result)
    return 0 if result.correct else 1
