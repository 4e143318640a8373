"""Lab 1.2's CUDA timing on a real GPU: a correct timer passes, a missing synchronize fails with an
explanation, a missing warm-up is warned about. Skipped, never failed, without a CUDA device."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from checkers.grading import GradeReport, grade
from tests.content.test_code_exercises import SOLUTIONS, expected_fragment
from tutor.course.loader import load_course
from tutor.practice.code import kernel_config
from tutor.settings import Settings

GPU_SOLUTIONS = Path(__file__).parents[1] / "fixtures" / "solutions_gpu" / "1.lab2"


def _cuda_available() -> bool:
    if not any(Path("/dev").glob("nvidia[0-9]*")):
        return False  # no driver: skip without paying for `import torch`
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not _cuda_available(), reason="no CUDA device"),
]


def _grade(path: Path) -> GradeReport:
    chapter = load_course().chapters[0]
    lab = next(lab for lab in chapter.labs if lab.id == "1.lab2")
    # CUDA reserves far more address space than any RLIMIT_AS a CPU kernel uses.
    config = dataclasses.replace(kernel_config(Settings(), torch=True), memory_mb=0, timeout=120.0)
    return grade(path, chapter.reference(lab.grader), entry=lab.entry, config=config, seed=1)


def _cuda_rows(report: GradeReport) -> dict[str, tuple[bool, str]]:
    return {t.name: (t.passed, t.message) for t in report.tests if "cuda" in t.name.lower()}


def test_a_synchronized_warmed_up_timer_passes_on_the_gpu() -> None:
    rows = _cuda_rows(_grade(SOLUTIONS / "1.lab2" / "good.py"))
    assert rows and all(passed for passed, _ in rows.values()), rows
    assert "CUDA timing" not in rows  # the skip row appears only without a device


def test_a_timer_without_synchronize_is_caught() -> None:
    path = GPU_SOLUTIONS / "no_sync.py"
    rows = _cuda_rows(_grade(path))
    assert not rows["CUDA: synchronize before reading the clock"][0]
    assert expected_fragment(path) in rows["CUDA: synchronize before reading the clock"][1]


def test_a_timer_without_warm_up_is_warned_about_not_failed() -> None:
    path = GPU_SOLUTIONS / "no_warmup.py"
    rows = _cuda_rows(_grade(path))
    passed, message = rows["CUDA: warm-up before timing"]
    assert passed and expected_fragment(path) in message
