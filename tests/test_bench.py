"""The benchmark suite runs and reports every figure and goal (timings themselves are never
asserted)."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# bench/ is a folder of the repository, not an installed package: import it from the checkout.
sys.path.insert(0, str(ROOT))

from bench.__main__ import GOALS, Goal, table  # noqa: E402

REQUIRED = [
    "first_paint_ms",
    "bare_first_paint_ms",
    "first_paint_ratio",
    "section_open_ms_max",
    "hand_check_p50_ms",
    "hand_check_p95_ms",
    "hand_first_check_ms",
    "ui_max_stall_ms",
    "kernel_spawn_ms",
    "kernel_roundtrip_ms",
    "jupyter_spawn_ms",
    "jupyter_roundtrip_ms",
    "code_grade_ms",
    "due_queue_ms",
    "record_attempt_ms",
    "rss_mb",
    "bare_rss_mb",
    "lab2_check_s",
    "lab2_check_cold_s",
    "lab_first_row_ms",
]


def _bench(*args: str, timeout: float) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--json", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    assert done.stdout, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("goal", "figures", "verdict"),
    [
        (Goal("a", "x", 10), {"x": 10}, "PASS"),
        (Goal("a", "x", 10), {"x": 10.01}, "MISS"),
        (Goal("a", "x", 0.25, "y"), {"x": 1, "y": 4}, "PASS"),
        (Goal("a", "x", 0.25, "y"), {"x": 1.1, "y": 4}, "MISS"),
        (Goal("a", "x", 0.25, "y"), {"x": 1}, "n/a"),
        (Goal("a", "x", 10), {}, "n/a"),
        (Goal("a", "x", 10), {"x": math.nan}, "n/a"),
    ],
)
def test_goal_verdicts(goal: Goal, figures: dict, verdict: str) -> None:
    assert goal.verdict(figures) == verdict


def test_goals_cover_the_issue_table() -> None:
    assert {goal.figure for goal in GOALS} >= {
        "first_paint_ratio",
        "section_open_ms_max",
        "hand_check_p50_ms",
        "hand_check_p95_ms",
        "hand_first_check_ms",
        "ui_max_stall_ms",
        "kernel_roundtrip_ms",
        "kernel_spawn_ms",
        "code_grade_ms",
        "due_queue_ms",
        "record_attempt_ms",
        "rss_mb",
    }


def test_table_names_every_goal_and_any_group_that_failed() -> None:
    figures = {
        "first_paint_ratio": 1.1,
        "goals": {g.label: g.verdict({"first_paint_ratio": 1.1}) for g in GOALS},
        "errors": {"store": "OSError: disk full"},
    }
    text = table(figures)
    assert "first_paint_ratio ≤ 1.25" in text and "PASS" in text
    assert all(goal.label in text for goal in GOALS)
    assert "could not measure store: OSError: disk full" in text


@pytest.fixture(scope="module")
def quick_run() -> dict:
    """One `bench --quick --gpu` run, read by the tests below (each group once, not once per
    test: the run takes most of a minute). They share an xdist group, so one worker runs it."""
    return _bench("--quick", "--gpu", timeout=400)


QUICK = pytest.mark.xdist_group("bench-quick")


@QUICK
@pytest.mark.slow
def test_hand_group_checks_all_twelve_exercises_right_and_wrong(quick_run: dict) -> None:
    assert "hand" not in quick_run["errors"]
    assert quick_run["hand_checks"] == 2 * 24  # 12 exercises × (accepted, rejected) × 2 rounds
    assert quick_run["goals"]["hand_check_p50_ms ≤ 10"] in ("PASS", "MISS")


@QUICK
@pytest.mark.slow
def test_labs_group_times_a_correct_check_and_the_first_row(quick_run: dict) -> None:
    assert "labs" not in quick_run["errors"]
    assert all(
        isinstance(quick_run[key], float)
        for key in ("lab2_check_s", "lab2_check_cold_s", "lab_first_row_ms")
    )
    assert {
        quick_run["goals"][goal] for goal in ("lab2_check_s ≤ 1.5", "lab_first_row_ms ≤ 1000")
    } <= {"PASS", "MISS"}


@QUICK
@pytest.mark.slow
def test_gpu_flag_says_when_there_is_no_cuda(quick_run: dict) -> None:
    from bench.gpu import cuda_available

    if cuda_available():
        pytest.skip("this machine has CUDA; the device run records the GPU figures")
    assert "no CUDA" in quick_run["gpu"]


@QUICK
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="the first-paint figures need tmux")
def test_quick_run_prints_every_key_and_a_verdict_per_goal(quick_run: dict) -> None:
    assert quick_run["errors"] == {}
    missing = [key for key in REQUIRED if not isinstance(quick_run.get(key), (int, float))]
    assert missing == []
    assert set(quick_run["goals"].values()) <= {"PASS", "MISS"}
