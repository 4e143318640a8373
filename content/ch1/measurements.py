"""Measurement plans for chapter 1's Code Labs: the steps labs.yaml declares for the lab screen.

Each `plan_lab<N>(inputs)` lists the steps a kernel holding the learner's file runs, after
`from solution import *`, with `best(fn, reps)` and `emit(row)` defined; `inputs_lab<N>()` hands
them their data and says where it came from. Trusted code: it runs in the tutor's process only to
build the steps' text.
"""

from __future__ import annotations

import numpy as np

from checkers.grading import measure
from checkers.grading.measure import LabInputs, Step

from . import data


def plan_lab1(inputs: LabInputs) -> list[Step]:
    """Row norms of a 10000×768 matrix: NumPy and torch first (quick rows), the loop last."""
    make = "M = np.random.default_rng(0).standard_normal((10000, 768))"
    return [
        measure.timed(
            "NumPy",
            table="timings",
            setup=make,
            call="row_norms_numpy(M)",
            reps=5,
            size="10000×768",
            work=0.3,
            row={"method": "NumPy"},
        ),
        measure.timed(
            "torch",
            table="timings",
            setup="import torch\nT = torch.from_numpy(M)",
            call="row_norms_torch(T)",
            reps=5,
            size="10000×768",
            work=0.2,
            row={"method": "torch"},
        ),
        # The loop on 1,000 rows, scaled up ×10: the full matrix would take it ~10 s for one number.
        measure.Step(
            "Python loop",
            "_s = 10 * best(lambda: row_norms_loop(M[:1000]), 1)\n"
            "emit({'table': 'timings', 'method': 'Python loop', 'seconds': _s, "
            "'note': '1,000 rows, ×10'})",
            "1000×768",
            1.0,
        ),
    ]


CUDA_STEP = """
import torch
if torch.cuda.is_available():
    _s = float(time_matmul({n}, "cuda"))
    emit({{"table": "gflops", "method": "torch.mm cuda", "n": {n}, "seconds": _s,
          "gflops": 2 * {n}**3 / _s / 1e9}})
else:
    emit({{"table": "gflops", "method": "torch.mm cuda", "n": {n},
          "note": "skipped: no CUDA device"}})
"""


def _matmul_step(method: str, call: str, n: int, reps: int, work: float) -> Step:
    setup = f"A = np.random.default_rng(1).random(({n}, {n}), dtype=np.float32)"
    if method == "three loops":
        setup = f"A = np.random.default_rng(1).random(({n}, {n}))"
    return measure.timed(
        method,
        table="gflops",
        setup=setup,
        call=call,
        reps=reps,
        size=f"n = {n}",
        work=work,
        row={"method": method, "n": n},
        rate=f"2 * {n}**3",
    )


def plan_lab2(inputs: LabInputs) -> list[Step]:
    """GFLOP/s of np.dot, np.matmul, @, the learner's loops and torch.mm (CPU; CUDA where present).

    Quick steps first, so the first row is on screen at once; 4096 last (seconds per multiply on a
    laptop CPU), where only @ and the learner's time_matmul run.
    """
    steps: list[Step] = []
    for n, reps, work in ((256, 5, 0.05), (1024, 3, 0.6)):
        steps += [
            _matmul_step(method, call, n, reps, work)
            for method, call in (
                ("np.dot", "np.dot(A, A)"),
                ("np.matmul", "np.matmul(A, A)"),
                ("@", "A @ A"),
            )
        ]
        steps.append(
            measure.Step(
                "torch.mm cpu (your time_matmul)",
                f"_s = float(time_matmul({n}, 'cpu'))\n"
                f"emit({{'table': 'gflops', 'method': 'torch.mm cpu', 'n': {n}, 'seconds': _s, "
                f"'gflops': 2 * {n}**3 / _s / 1e9}})",
                f"n = {n}",
                work * 3,
            )
        )
        if n == 256:
            steps.append(_matmul_step("three loops", "matmul_loops(A, A)", 100, 1, 1.0))
    steps.append(_matmul_step("@", "A @ A", 4096, 1, 4.0))
    steps.append(
        measure.Step(
            "torch.mm cpu (your time_matmul)",
            "_s = float(time_matmul(4096, 'cpu'))\n"
            "emit({'table': 'gflops', 'method': 'torch.mm cpu', 'n': 4096, 'seconds': _s, "
            "'gflops': 2 * 4096**3 / _s / 1e9})",
            "n = 4096",
            30.0,
        )
    )
    steps += [
        measure.Step("torch.mm cuda (your time_matmul)", CUDA_STEP.format(n=n), f"n = {n}", 0.5)
        for n in (256, 1024, 4096)
    ]
    return steps


EXPLAINED_KS = (1, 2, 10, 50, 100)
"""The components Lab 1.3 asks about; those beyond the data's width give way to its full width."""


def explained_ks(rows: int, dims: int) -> list[int]:
    """The ks that fit an n×d sample (k ≤ min(n, d)), then the full width when 100 does not fit."""
    top = min(rows, dims)
    ks = [k for k in EXPLAINED_KS if k <= top]
    return ks if top in ks or len(ks) == len(EXPLAINED_KS) else [*ks, top]


def inputs_lab3() -> LabInputs:
    """`E`: GPT-2's token embeddings from a local cache, else the synthetic stand-in; its words."""
    table, words, source = data.embeddings()
    rows, dims = table.shape
    shown = explained_ks(rows, dims)
    note = (
        ""
        if shown[-1] == EXPLAINED_KS[-1]
        else (
            f"; it has only {dims} dimensions, so the last row is k = {dims} (all of them), not 100"
        )
    )
    shape = f"{rows}×{dims}"
    detail = source.detail if shape in source.detail else f"{shape}; {source.detail}"
    return LabInputs({"E": table.astype(np.float64)}, f"{source.label} ({detail}){note}", words)


def plan_lab3(inputs: LabInputs) -> list[Step]:
    """pca_2d on the embeddings (the common words' points), then explained_variance per k."""
    rows, dims = inputs.arrays["E"].shape
    words = len(inputs.labels)
    steps = [
        measure.Step(
            "pca_2d",
            f"P = np.asarray(pca_2d(E))[:{words}]\n"
            "emit({'table': 'projection', 'x': P[:, 0].tolist(), 'y': P[:, 1].tolist()})",
            f"{rows}×{dims}",
            2.0,
        )
    ]
    steps += [
        measure.Step(
            "explained_variance",
            f"emit({{'table': 'explained', 'k': {k}, "
            f"'explained': float(explained_variance(E, {k}))}})",
            f"k = {k}",
            2.0,
        )
        for k in explained_ks(rows, dims)
    ]
    return steps


def error_ks(height: int, width: int) -> list[int]:
    """Lab 1.4's ks: 1, 2, 5, 10, 20, 50, 100 where they fit, then the full rank (error 0)."""
    rank = min(height, width)
    return [k for k in (1, 2, 5, 10, 20, 50, 100) if k < rank] + [rank]


def inputs_lab4() -> LabInputs:
    """`IMG`: the generated test card, and what its size means for the ks."""
    image = data.test_image()
    height, width = image.shape
    return LabInputs(
        {"IMG": image},
        f"a generated {height}×{width} greyscale test card; its rank is at most "
        f"{min(height, width)}, so k stops there "
        "(k = 100 would need an image at least 100 on each side)",
    )


def plan_lab4(inputs: LabInputs) -> list[Step]:
    """The spectrum, the error and compression ratio per k, and the picture at break-even."""
    height, width = inputs.arrays["IMG"].shape
    steps = [
        measure.Step(
            "SVD of the image",
            "U, S, Vt = np.linalg.svd(IMG, full_matrices=False)\n"
            "NORM = np.linalg.norm(IMG)\nemit({'table': 'spectrum', 'sigma': S.tolist()})",
            f"{height}×{width}",
            0.5,
        )
    ]
    steps += [
        measure.Step(
            "reconstruct",
            f"_e = float(np.linalg.norm(IMG - reconstruct(U, S, Vt, {k})) / NORM)\n"
            f"emit({{'table': 'errors', 'k': {k}, 'error': _e, "
            f"'ratio': float(compression_ratio({height}, {width}, {k}))}})",
            f"k = {k}",
            0.2,
        )
        for k in error_ks(height, width)
    ]
    # Every other pixel, two decimals: the kernel keeps at most 64 KiB of output per step.
    steps.append(
        measure.Step(
            "break_even_k",
            "_be = max(1, int(break_even_k(*IMG.shape)))\n"
            "_rec = np.clip(reconstruct(U, S, Vt, _be), 0, 1)\n"
            "emit({'table': 'picture', 'break_even': _be, "
            "'image': IMG[::2, ::2].round(2).tolist(), "
            "'at_break_even': _rec[::2, ::2].round(2).tolist()})",
            f"{height}×{width}",
            0.3,
        )
    )
    return steps
