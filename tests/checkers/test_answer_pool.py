"""The warm checker worker: checks in a subprocess, and a check past its timeout kills and respawns
it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from checkers.pool import CheckerPool

REQUEST = [{"test": "value", "text": "3√6", "expected": "sqrt(54)"}]


@pytest.fixture(scope="module")
def pool() -> Iterator[CheckerPool]:
    checker = CheckerPool()
    checker.start()
    yield checker
    checker.close()


def test_start_returns_at_once(pool: CheckerPool) -> None:
    started = time.perf_counter()
    pool.start()
    assert time.perf_counter() - started < 0.5
    assert pool.alive


def test_checks_run_in_the_worker(pool: CheckerPool) -> None:
    verdicts = pool.check(
        REQUEST + [{"test": "value", "text": "sqrt(53)", "expected": "sqrt(54)"}], timeout=10
    )
    assert [v.ok for v in verdicts] == [True, False]
    assert verdicts[0].read_as == "3·√6"


def test_a_check_past_its_timeout_is_killed_and_the_worker_respawned(pool: CheckerPool) -> None:
    pool.check(REQUEST, timeout=10)
    old = pool._process
    [verdict] = pool.check(REQUEST, timeout=0)
    assert not verdict.ok and verdict.unreadable and "too long" in verdict.feedback
    assert old is not None and old.poll() is not None
    assert pool.alive and pool._process is not old
    [again] = pool.check(REQUEST, timeout=30)
    assert again.ok


def test_hostile_input_comes_back_as_a_message(pool: CheckerPool) -> None:
    [verdict] = pool.check([{"test": "value", "text": "9**9**9**9", "expected": "1"}], timeout=10)
    assert not verdict.ok and "too large" in verdict.feedback


def test_a_dead_worker_is_replaced(pool: CheckerPool) -> None:
    pool.check(REQUEST, timeout=10)
    assert pool._process is not None
    pool._process.kill()
    pool._process.wait()
    verdicts = pool.check(REQUEST, timeout=30)
    if not verdicts[0].ok:  # the first call may notice the death; the next one must work
        verdicts = pool.check(REQUEST, timeout=30)
    assert verdicts[0].ok
