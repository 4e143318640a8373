"""A learner's function that runs past its limit during grading: the message fits grading, not the
REPL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from checkers.grading.harness import Harness
from checkers.kernel import Kernel, KernelConfig

CONFIG = KernelConfig(timeout=0.5, grace=0.3, memory_mb=1024, standby=False)
SOURCE = """
import signal

def spin(n):
    while True:
        n += 1

def stubborn(n):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        n += 1

def quick(n):
    return n + 1
"""
GRADING_TEXT = "did not finish within 0.5 s (an endless loop, or far too slow)"


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    with Harness(SOURCE, "solution.py", CONFIG) as opened:
        yield opened


@pytest.mark.parametrize("function", ["spin", "stubborn"])
def test_a_hung_call_says_it_did_not_finish_and_nothing_about_variables(
    harness: Harness, function: str
) -> None:
    outcome = harness.call(function, 1)
    assert outcome.status == "timeout"
    problem = outcome.problem()
    assert problem.startswith(f"{function}(int 1): It {GRADING_TEXT}.")
    assert "variables" not in problem and "cell" not in problem
    again = harness.call(function, 2).problem()
    assert again == f"{function}(int 2): Skipped, as it did not finish on an earlier case either."
    assert harness.call("quick", 1).value == 2


def test_a_file_that_hangs_while_loading_says_so() -> None:
    with Harness("while True:\n    pass\n", "solution.py", CONFIG) as hung:
        assert hung.load_error.startswith(f"Your file could not be run:\nIt {GRADING_TEXT}.")
        assert "variables" not in hung.load_error


def test_the_repl_still_says_variables_are_kept() -> None:
    with Kernel(CONFIG) as kernel:
        result = kernel.execute("while True: pass")
    assert result.status == "timeout"
    assert result.error.startswith(
        "The cell ran past 0.5 s and was interrupted (variables are kept)."
    )
