"""`python -m bench [--json] [--quick] [--gpu] [--only GROUP]`: every figure beside its baseline,
and the goals."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

GROUPS = ("paint", "ui", "hand", "kernels", "store", "labs", "keys")


@dataclass(frozen=True)
class Goal:
    """One row of the goals table: a figure, its limit (a number, or a multiple of another
    figure)."""

    label: str
    figure: str
    limit: float
    baseline: str = ""
    """When set, the limit is `limit × figures[baseline]`."""

    def bound(self, figures: dict[str, Any]) -> float:
        return self.limit * float(figures[self.baseline]) if self.baseline else self.limit

    def verdict(self, figures: dict[str, Any]) -> str:
        """PASS, MISS, or n/a when the figure (or its baseline) was not measured."""
        value = figures.get(self.figure)
        if value is None or (self.baseline and figures.get(self.baseline) is None):
            return "n/a"
        bound = self.bound(figures)
        if not isinstance(value, (int, float)) or math.isnan(value) or math.isnan(bound):
            return "n/a"
        return "PASS" if value <= bound else "MISS"

    def goal_text(self) -> str:
        return f"≤ {self.limit:g} × {self.baseline}" if self.baseline else f"≤ {self.limit:g}"


GOALS = [
    Goal("first_paint_ratio ≤ 1.25", "first_paint_ratio", 1.25),
    Goal("section_open_ms_max ≤ 200", "section_open_ms_max", 200),
    Goal("hand_check_p50_ms ≤ 10", "hand_check_p50_ms", 10),
    Goal("hand_check_p95_ms ≤ 50", "hand_check_p95_ms", 50),
    Goal("hand_first_check_ms ≤ 500", "hand_first_check_ms", 500),
    Goal("ui_max_stall_ms ≤ 50", "ui_max_stall_ms", 50),
    Goal(
        "kernel_roundtrip_ms ≤ 0.25 × jupyter", "kernel_roundtrip_ms", 0.25, "jupyter_roundtrip_ms"
    ),
    Goal("kernel_spawn_ms ≤ 0.25 × jupyter", "kernel_spawn_ms", 0.25, "jupyter_spawn_ms"),
    Goal("code_grade_ms ≤ 300", "code_grade_ms", 300),
    Goal("due_queue_ms ≤ 50", "due_queue_ms", 50),
    Goal("record_attempt_ms ≤ 10", "record_attempt_ms", 10),
    Goal("rss_mb ≤ 2 × bare_rss_mb", "rss_mb", 2, "bare_rss_mb"),
    Goal("lab2_check_s ≤ 1.5", "lab2_check_s", 1.5),
    Goal("lab_first_row_ms ≤ 1000", "lab_first_row_ms", 1000),
    Goal("key_section_ms ≤ 100", "key_section_ms", 100),
    Goal("key_hand_check_ms ≤ 100", "key_hand_check_ms", 100),
    Goal("key_grade_13_ms ≤ 300", "key_grade_13_ms", 300),
]


def _runners(quick: bool) -> dict[str, Callable[[], dict[str, Any]]]:
    from bench import hand, kernels, keys, labs, paint, store, ui

    return {
        "paint": lambda: paint.first_paint(3 if quick else 15),
        "ui": lambda: ui.measure(quick),
        "hand": lambda: hand.measure(quick),
        "kernels": lambda: kernels.measure(quick),
        "store": lambda: store.measure(quick),
        "labs": lambda: labs.measure(quick),
        "keys": lambda: keys.measure(quick),
    }


def run(quick: bool, gpu: bool, only: list[str]) -> dict[str, Any]:
    """Every requested group; a group that cannot run records why instead of stopping the rest."""
    figures: dict[str, Any] = {"quick": quick}
    errors: dict[str, str] = {}
    runners = _runners(quick)
    started = time.perf_counter()
    for group in only or GROUPS:
        try:
            figures.update(runners[group]())
        except Exception as exc:  # one broken figure must not hide the others
            errors[group] = f"{type(exc).__name__}: {exc}"
    if gpu:
        from bench import gpu as gpu_bench

        try:
            figures.update(gpu_bench.measure(quick))
        except Exception as exc:
            errors["gpu"] = f"{type(exc).__name__}: {exc}"
    figures["goals"] = {goal.label: goal.verdict(figures) for goal in GOALS}
    figures["errors"] = errors
    figures["bench_seconds"] = round(time.perf_counter() - started, 1)
    return figures


def table(figures: dict[str, Any]) -> str:
    """The figures, then the goals with PASS/MISS, as plain text."""
    lines = ["figure                           value"]
    for key, value in figures.items():
        if key not in ("goals", "errors"):
            lines.append(f"{key:<32} {value}")
    lines += ["", f"{'goal':<40} {'measured':>12} {'bound':>12}  verdict"]
    for goal in GOALS:
        verdict = figures["goals"][goal.label]
        value = figures.get(goal.figure, "—")
        bound = goal.bound(figures) if verdict != "n/a" else goal.limit
        lines.append(f"{goal.label:<40} {value!s:>12} {bound:>12.4g}  {verdict}")
    for group, error in figures["errors"].items():
        lines.append(f"could not measure {group}: {error}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="fewer runs (3 alternating paints)")
    parser.add_argument(
        "--gpu", action="store_true", help="add the CUDA figures (says so when none)"
    )
    parser.add_argument(
        "--only", action="append", choices=GROUPS, default=[], help="measure only this group"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("TERM", "xterm-256color")
    figures = run(args.quick, args.gpu, args.only)
    print(json.dumps(figures, ensure_ascii=False) if args.json else table(figures))
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
