"""Hand-exercise checking through the app's own path (warm checker worker), accepted and rejected
answers."""

from __future__ import annotations

import statistics
import time
from typing import Any


def rejected_answer(part: Any) -> str:
    """A wrong answer a learner might give: the part's first known mistake, else a near miss."""
    from tutor.practice.hand import expected_text

    mistakes = part.options.get("mistakes") or []
    if mistakes:
        return expected_text(mistakes[0][0])
    expected = expected_text(part.expected)
    if part.test == "choice":
        return next(name for name in part.options["choices"] if name != part.expected)
    if part.test == "proof_chain":
        start = part.options["start"]
        return f"{start} = {start} + {start}"
    if part.test == "drawing":  # the two tips swapped: a drawing of the wrong vectors
        a, b = expected.split(", b = ")
        return f"a = {b}, b = {a.removeprefix('a = ')}"
    if part.test == "eigenvalues":
        return ", ".join(f"({value}) + 1" for value in expected.split(","))
    if expected.startswith("["):
        return "[1, 0]" if expected.count(",") == 1 else "[1, 0, 0, 0]"
    return f"({expected}) + 1"


def cases() -> list[tuple[Any, list[str], bool]]:
    """(instance, answers, should be accepted) for every hand exercise of the course, variant 0."""
    from tutor.course.exercise_schema import HandExercise
    from tutor.course.loader import load_course
    from tutor.practice.hand import expected_text, make_instance

    found = []
    for chapter in load_course().chapters:
        for exercise in chapter.exercises:
            if isinstance(exercise, HandExercise):
                instance = make_instance(chapter, exercise, 0)
                found.append(
                    (instance, [expected_text(part.expected) for part in instance.parts], True)
                )
                found.append((instance, [rejected_answer(part) for part in instance.parts], False))
    return found


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(quick: bool = False) -> dict[str, float]:
    """p50/p95 of one submission's check in the warm worker; the worker's start and first check
    apart."""
    from checkers.pool import CheckerPool
    from tutor.practice import hand

    table = cases()
    pool = CheckerPool()
    # The same path the screen takes (`grade(..., runner=check_with_pool)`), on a pool of our own.
    hand._POOL = pool
    try:
        started = time.perf_counter()
        pool.start()
        first = hand.grade(table[0][0], table[0][1], runner=hand.check_with_pool)
        first_ms = (time.perf_counter() - started) * 1000
        if not first.correct:
            raise RuntimeError(
                f"{table[0][0].id}: the reference answer was rejected: {first.feedback}"
            )
        times = []
        for _ in range(2 if quick else 5):
            for instance, answers, accept in table:
                started = time.perf_counter()
                result = hand.grade(instance, answers, runner=hand.check_with_pool)
                times.append((time.perf_counter() - started) * 1000)
                if result.correct != accept or result.unreadable:
                    raise RuntimeError(
                        f"{instance.id}: {answers} should be "
                        f"{'accepted' if accept else 'rejected'}; "
                        f"the checker said {result.feedback} {[p.feedback for p in result.parts]}"
                    )
        bare = []
        for _ in range(20):
            started = time.perf_counter()
            pool.check([])
            bare.append((time.perf_counter() - started) * 1000)
    finally:
        pool.close()
        hand._POOL = None
    return {
        "hand_check_p50_ms": round(_percentile(times, 0.5), 2),
        "hand_check_p95_ms": round(_percentile(times, 0.95), 2),
        "hand_check_max_ms": round(max(times), 2),
        "hand_checks": len(times),
        "hand_worker_roundtrip_ms": round(statistics.median(bare), 2),
        "hand_cold_worker_first_check_ms": round(first_ms, 1),
    }
