"""GPU figures (`--gpu`): Lab 1.2's reference timer against torch.utils.benchmark, and the CUDA
check's cost."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

N = 4096


def cuda_available() -> bool:
    """Whether torch is installed here and sees a CUDA device."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def _reference_time_matmul() -> Any:
    """`time_matmul` from the worked solution of 1.lab2, loaded as the learner's file would be."""
    import importlib.util

    from tutor.course.exercise_schema import Lab
    from tutor.course.loader import load_course

    _, lab = load_course().find("1.lab2")
    assert isinstance(lab, Lab)
    path = Path(tempfile.mkdtemp(prefix="tutor-bench-")) / "lab2_solution.py"
    path.write_text(lab.solution, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("lab2_solution", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # trusted course content, not a learner's file
    return module.time_matmul


def gflops(quick: bool = False) -> dict[str, float]:
    """GFLOP/s of an n×n fp32 multiply: the lab's reference timer vs torch.utils.benchmark, same
    matrices."""
    import torch
    import torch.utils.benchmark as benchmark

    flops = 2 * N**3
    seconds = _reference_time_matmul()(N, "cuda")
    A = torch.randn(N, N, device="cuda")
    B = torch.randn(N, N, device="cuda")
    timer = benchmark.Timer(stmt="torch.mm(A, B)", globals={"torch": torch, "A": A, "B": B})
    measured = timer.blocked_autorange(min_run_time=0.5 if quick else 2.0)
    return {
        "gpu_name": torch.cuda.get_device_name(0),
        "lab2_reference_gflops": round(flops / seconds / 1e9, 1),
        "torch_benchmark_gflops": round(flops / measured.median / 1e9, 1),
        "lab2_vs_torch_benchmark": round(measured.median / seconds, 3),
    }


def cuda_check_cost() -> dict[str, float]:
    """Seconds `grade_file` takes on the worked solution of 1.lab2 with CUDA visible, and
    without."""
    from checkers.grading import grade
    from checkers.kernel import KernelConfig
    from tutor.course.exercise_schema import Lab
    from tutor.course.loader import load_course
    from tutor.practice.code import kernel_config
    from tutor.settings import Settings

    chapter, lab = load_course().find("1.lab2")
    assert isinstance(lab, Lab)
    entry = lab.entry
    grader = chapter.reference(lab.grader)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as name:
        path = Path(name) / "lab2.py"
        path.write_text(lab.solution, encoding="utf-8")
        base = kernel_config(Settings(data_dir=Path(name) / "data"), torch=True, standby=False)
        hidden = KernelConfig(**{**base.__dict__, "env": (("CUDA_VISIBLE_DEVICES", ""),)})
        for label, config in (("cuda", base), ("no_cuda", hidden)):
            started = time.perf_counter()
            report = grade(path, grader, entry=entry, config=config)
            figures[f"lab2_grade_{label}_s"] = round(time.perf_counter() - started, 2)
            if not report.correct:
                failed = [f"{t.name}: {t.message}" for t in report.tests if not t.passed]
                raise RuntimeError(f"the worked solution of 1.lab2 failed ({label}): {failed}")
    figures["cuda_check_adds_s"] = round(
        figures["lab2_grade_cuda_s"] - figures["lab2_grade_no_cuda_s"], 2
    )
    return figures


def measure(quick: bool = False) -> dict[str, Any]:
    """Every GPU figure, or a note saying why there are none."""
    if not cuda_available():
        return {"gpu": "no CUDA device (or no CUDA torch) in this Python: GPU figures skipped"}
    figures: dict[str, Any] = {"gpu": "cuda"}
    figures.update(gflops(quick))
    figures.update(cuda_check_cost())
    return figures
