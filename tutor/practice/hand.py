"""Hand exercises: build a variant's instance from the chapter's reference code, grade typed
answers,
and the `tutor check` / `tutor validate` glue. Building an instance is pure Python (no sympy), so
the app can show an exercise instantly; grading loads the checkers.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tutor.course.exercise_schema import HandExercise
from tutor.course.loader import Chapter, ContentError
from tutor.settings import Settings

if TYPE_CHECKING:
    from checkers.verdict import Verdict

CHECK_TIMEOUT_S = 3.0
"""Per-part limit on checking; past it the answer counts as unreadable, never as a hang."""
VALIDATE_VARIANTS = 21


@dataclass(frozen=True)
class PartInstance:
    """One answer box of an instance: what to ask and how to check it."""

    name: str
    prompt: str
    test: str
    expected: Any
    """The expected answer as reference code computed it (answer-language text, numbers, lists)."""
    options: dict[str, Any] = field(default_factory=dict)
    policy: str = ""
    """The numeric policy to show beside the box ("" for choices and proofs)."""


@dataclass(frozen=True)
class HandInstance:
    """A hand exercise with a variant's numbers filled in."""

    id: str
    title: str
    variant: int
    params: dict[str, Any]
    prompt: str
    parts: list[PartInstance]
    hints: list[str]
    solution: str
    par_seconds: int


@dataclass(frozen=True)
class PartResult:
    """The verdict on one part."""

    name: str
    correct: bool
    feedback: str
    read_as: str
    unreadable: bool = False
    policy: str = ""
    """The numeric policy the part was judged by ("" for choices and proofs)."""


@dataclass(frozen=True)
class HandResult:
    """The verdict on a whole submission."""

    correct: bool
    parts: list[PartResult]
    feedback: str

    @property
    def unreadable(self) -> bool:
        """Some part could not be read or checked, so the submission was not really graded."""
        return any(part.unreadable for part in self.parts)


class _Formatted:
    """A parameter that prints as the chapter does ([1,2], [[1,2],[3,4]]) and still indexes."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        return format(_plain(self.value), spec)

    def __str__(self) -> str:
        return _plain(self.value)

    def __getitem__(self, index: int) -> _Formatted:
        return _Formatted(self.value[index])


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ",".join(_plain(item) for item in value) + "]"
    return str(value)


def variant_params(chapter: Chapter, exercise: HandExercise, variant: int) -> dict[str, Any]:
    """Variant 0 is the chapter's own numbers; N > 0 comes from the seeded generator (ID, N)."""
    if variant == 0 or not exercise.generator:
        return dict(exercise.params)
    generator = chapter.reference(exercise.generator)
    return dict(generator(random.Random(f"{exercise.id}:{variant}")))


def make_instance(chapter: Chapter, exercise: HandExercise, variant: int = 0) -> HandInstance:
    """The exercise with a variant's numbers, expected answers, hints and worked solution."""
    from checkers.policy import policy_for  # standard library only, but home stays free of checkers

    if variant < 0:
        raise ValueError("the variant must be 0 or more")
    params = variant_params(chapter, exercise, variant)
    worked: dict[str, Any] = chapter.reference(exercise.answers)(params) if exercise.answers else {}
    fields = {name: _Formatted(value) for name, value in params.items()}
    fields.update(worked.get("fields", {}))
    prompt = exercise.template.format_map(fields) if exercise.template else exercise.statement
    answers = worked.get("answers", {})
    extra = worked.get("options", {})
    parts = [
        PartInstance(
            name=part.name,
            prompt=part.prompt,
            test=part.test,
            expected=answers.get(part.name),
            options={**part.options, **extra.get(part.name, {})},
            policy=policy_for(part.test),
        )
        for part in exercise.parts
    ]
    return HandInstance(
        id=exercise.id,
        title=exercise.title,
        variant=variant,
        params=params,
        prompt=prompt,
        parts=parts,
        hints=[_format_hint(hint, fields) for hint in exercise.hints],
        solution=str(worked.get("solution", exercise.solution)),
        par_seconds=exercise.par_seconds,
    )


def _format_hint(hint: str, fields: dict[str, Any]) -> str:
    try:
        return hint.format_map(fields)
    except (KeyError, IndexError, ValueError, TypeError):
        return hint


def requests_for(instance: HandInstance, answers: list[str]) -> list[dict[str, Any]]:
    """One JSON-ready check request per part (the checker worker takes these as they are)."""
    others = {part.name: text for part, text in zip(instance.parts, answers, strict=False)}
    return [
        {
            "test": part.test,
            "text": text,
            "expected": part.expected,
            "options": part.options,
            "others": others,
        }
        for part, text in zip(instance.parts, answers, strict=False)
    ]


Runner = Callable[[list[dict[str, Any]]], "list[Verdict]"]


def check_in_process(requests: list[dict[str, Any]]) -> list[Verdict]:
    """Check in this process, each part under CHECK_TIMEOUT_S (the CLI's way: no worker to
    start)."""
    from checkers.answer_tests import check_requests

    return check_requests(requests, timeout=CHECK_TIMEOUT_S)


_POOL: Any = None


def checker_pool() -> Any:
    """The process-wide warm checker worker (checkers.pool.CheckerPool), stopped at exit."""
    global _POOL
    if _POOL is None:
        import atexit

        from checkers.pool import CheckerPool

        _POOL = CheckerPool()
        atexit.register(_POOL.close)
    return _POOL


def warm_checker() -> None:
    """Start the checker worker now (after first paint) so the first check does not wait for
    sympy."""
    checker_pool().start()


def check_with_pool(requests: list[dict[str, Any]]) -> list[Verdict]:
    """Check in the warm worker under CHECK_TIMEOUT_S per submission (the app's way)."""
    return checker_pool().check(requests, timeout=CHECK_TIMEOUT_S * max(1, len(requests)))


def grade(instance: HandInstance, answers: list[str], runner: Runner | None = None) -> HandResult:
    """Check one answer per part; `runner` defaults to checking in this process."""
    if len(answers) != len(instance.parts):
        raise ValueError(parts_message(instance, len(answers)))
    verdicts = (runner or check_in_process)(requests_for(instance, answers))
    results = [
        PartResult(
            part.name,
            verdict.ok,
            verdict.feedback,
            verdict.read_as,
            verdict.unreadable,
            part.policy,
        )
        for part, verdict in zip(instance.parts, verdicts, strict=False)
    ]
    return HandResult(all(r.correct for r in results), results, overall_feedback(results))


def overall_feedback(results: list[PartResult]) -> str:
    """One sentence on the whole submission."""
    right = sum(result.correct for result in results)
    if right == len(results):
        return "Correct." if len(results) == 1 else f"All {len(results)} parts correct."
    if any(result.unreadable for result in results):
        # Unreadable, or refused as a restatement of the question: either way not graded.
        return (
            "Some answers could not be graded (nothing was recorded); see the message under each."
        )
    if len(results) == 1:
        return "Not right yet."
    return f"{right} of {len(results)} parts correct."


def parts_message(instance: HandInstance, given: int) -> str:
    """What to type when the number of answers does not match the parts."""
    names = ", ".join(part.name for part in instance.parts)
    count = len(instance.parts)
    return (
        f"{instance.id} has {count} part{'s' if count != 1 else ''} ({names}); you gave {given} "
        f"answer{'s' if given != 1 else ''}. Give --answer once per part, in that order."
    )


def result_json(instance: HandInstance, result: HandResult) -> dict[str, Any]:
    """The `check --json` object of DESIGN.md section 2 (rating and due are added when recorded)."""
    return {
        "id": instance.id,
        "variant": instance.variant,
        "correct": result.correct,
        "parts": [
            {"name": p.name, "correct": p.correct, "feedback": p.feedback, "read_as": p.read_as}
            for p in result.parts
        ],
        "tests": [],
        "feedback": result.feedback,
    }


def check_command(
    args: argparse.Namespace, settings: Settings, chapter: Chapter, exercise: HandExercise
) -> int:
    """`tutor check ID --answer …`: exit 0 correct, 1 incorrect, 2 could not grade."""
    if getattr(args, "file", None):
        print(
            f"tutor check: {exercise.id} is a pen-and-paper exercise; give --answer, not --file",
            file=sys.stderr,
        )
        return 2
    try:
        instance = make_instance(chapter, exercise, args.variant)
    except ContentError as exc:
        print(f"tutor check: the course data has problems:\n{exc}", file=sys.stderr)
        return 2
    if len(args.answer) != len(instance.parts):
        print(f"tutor check: {parts_message(instance, len(args.answer))}", file=sys.stderr)
        return 2
    result = grade(instance, list(args.answer))
    data = result_json(instance, result)
    recorded = None
    if not result.unreadable and not args.no_record:
        from progress.store import StoreError
        from tutor.recording import check_json

        try:
            recorded = _record(settings, instance, result, getattr(args, "rating", None))
        except StoreError as exc:
            print(f"tutor check: the attempt was not saved: {exc}", file=sys.stderr)
        if recorded is not None:
            data.update(check_json(recorded))
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_result(instance, result, recorded, settings)
    if result.unreadable:
        return 2
    return 0 if result.correct else 1


def _record(settings: Settings, instance: HandInstance, result: HandResult, rating: Any) -> Any:
    from tutor.practice.outcome import Attempt
    from tutor.recording import record_check

    # The CLI has no clock on the learner's work, so it claims par time: right rates Good, not Easy.
    attempt = Attempt(
        item_id=instance.id,
        variant=instance.variant,
        correct=result.correct,
        duration_s=float(instance.par_seconds),
        par_seconds=instance.par_seconds,
    )
    return record_check(settings, attempt, rating)


def _print_result(
    instance: HandInstance, result: HandResult, recorded: Any, settings: Settings
) -> None:
    from tutor.plain import escape_controls
    from tutor.recording import check_text, next_variant

    # Read-as text and feedback quote what the learner typed, control characters included.
    for part in result.parts:
        mark = "✓" if part.correct else "✗"
        line = f"{mark} {part.name}"
        if part.read_as:
            line += f": read as {part.read_as}"
        print(escape_controls(line))
        if part.feedback and not part.correct:
            # Proof feedback names each step on its own line.
            for feedback_line in part.feedback.splitlines():
                print(escape_controls(f"    {feedback_line}"))
        if part.policy and not part.correct:
            print(f"    (Numbers: {part.policy}.)")
    print(escape_controls(result.feedback))
    if recorded is not None:
        print(check_text(recorded, instance.id, next_variant(settings, instance.id)))
    # A leech shows its worked solution even after a miss: studying it beats another blind try.
    if result.correct or (recorded is not None and recorded.leech):
        print("\nWorked solution:\n" + instance.solution)


def expected_text(value: Any) -> str:
    """An expected value written in the answer language, as a learner could type it."""
    if isinstance(value, list):
        return "[" + ", ".join(expected_text(item) for item in value) + "]"
    if isinstance(value, dict) and "set" in value:
        return "{" + ", ".join(expected_text(item) for item in value["set"]) + "}"
    return str(value)


def validate_chapter(chapter: Chapter, variants: int = VALIDATE_VARIANTS) -> list[str]:
    """Problems with the chapter's hand exercises: every variant 0…N−1 must build, variant 0 must
    render the statement, each expected answer must pass its own answer test, and no prompt or hint
    (but the last) may hold an answer the part accepts."""
    from checkers.answer_tests import ANSWER_TESTS, check_part, check_requests
    from tutor.practice.leaks import leaks

    problems: list[str] = []
    for exercise in chapter.exercises:
        if not isinstance(exercise, HandExercise):
            continue
        where = f"{chapter.folder.name}/{exercise.id}"
        for part in exercise.parts:
            if part.test not in ANSWER_TESTS:
                problems.append(
                    f"{where}: part {part.name} names unknown answer test {part.test!r}"
                )
            for key in sorted({"rtol", "atol"} & set(part.options)):
                problems.append(
                    f"{where}: part {part.name} sets {key}, which is not used: every number "
                    f"follows the rounding policy (exact, or correctly rounded to ≥ 3 s.f.)"
                )
        count = variants if exercise.generator else 1
        for variant in range(count):
            try:
                instance = make_instance(chapter, exercise, variant)
            except Exception as exc:  # reference code is content: report any failure, keep going
                problems.append(f"{where} variant {variant}: reference code failed: {exc!r}")
                continue
            if variant == 0 and exercise.template and instance.prompt != exercise.statement:
                problems.append(
                    f"{where}: template with variant 0 gives {instance.prompt!r}, "
                    f"not the statement {exercise.statement!r}"
                )
            if len(instance.hints) < 2:
                problems.append(f"{where}: needs at least 2 hints")
            problems.extend(
                f"{where} variant {variant}: {leak}" for leak in leaks(instance, check_part)
            )
            answers = [expected_text(part.expected) for part in instance.parts]
            missing = [part.name for part in instance.parts if part.expected is None]
            if missing:
                problems.append(
                    f"{where} variant {variant}: no expected answer for {', '.join(missing)}"
                )
                continue
            verdicts = check_requests(requests_for(instance, answers), timeout=10)
            for answer, shown, verdict in zip(answers, instance.parts, verdicts, strict=False):
                if not verdict.ok:
                    problems.append(
                        f"{where} variant {variant}: expected answer {answer!r} "
                        f"fails its own test {shown.test}: {verdict.feedback}"
                    )
    return problems
