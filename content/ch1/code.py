"""Trusted graders for chapter 1's code exercises (1.ex14–1.ex20).

Each `grade_<id>(harness, rng)` picks inputs from the seeded `rng`, computes references here in the
parent with numpy, calls the learner's functions through the harness (a fresh sandboxed kernel) and
compares with explicit tolerances. Feedback names the case and the likely mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from checkers.grading import calls, kit

from . import data

TestResult = calls.TestResult
invoke = calls.invoke


def _ok(name: str, message: str = "") -> Any:
    return TestResult(name, True, message or "ok")


def _fail(name: str, message: str) -> Any:
    return TestResult(name, False, message)


@dataclass(frozen=True)
class Case:
    """One parent-chosen input set, named the way the test table shows it."""

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


def _returned_error(name: str, outcome: Any) -> Any | None:
    """A failed result when the call raised, timed out or returned something unreadable."""
    if outcome.error:
        return _fail(name, outcome.error)
    return None


# ----------------------------------------------------------------------------------------------
# 1.ex14 cosine similarity


def _unit_rows(E: np.ndarray) -> np.ndarray:
    return E / np.linalg.norm(E, axis=1, keepdims=True)


def ref_cosine(E: np.ndarray) -> np.ndarray:
    """Reference n×n cosine similarity of the rows of E."""
    unit = _unit_rows(E)
    return unit @ unit.T


def ref_pair(E: np.ndarray) -> tuple[int, int]:
    """Reference (i, j), i < j: the most similar distinct rows."""
    S = ref_cosine(E)
    np.fill_diagonal(S, -np.inf)
    i, j = np.unravel_index(int(np.argmax(S)), S.shape)
    return int(min(i, j)), int(max(i, j))


def _embeddings(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Rows of very different lengths, so a dot product and a cosine disagree on the best pair."""
    while True:
        E = rng.standard_normal((n, d)) * rng.uniform(0.2, 5.0, size=(n, 1))
        S = ref_cosine(E)
        np.fill_diagonal(S, -np.inf)
        top = np.sort(S[np.triu_indices(n, 1)])[::-1]
        dots = E @ E.T
        np.fill_diagonal(dots, -np.inf)
        dot_pair = np.unravel_index(int(np.argmax(dots)), dots.shape)
        unique = n == 2 or top[0] - top[1] > 1e-3
        if unique and (n <= 3 or tuple(sorted(int(x) for x in dot_pair)) != ref_pair(E)):
            return E


def _cos_mistake(E: np.ndarray, got: np.ndarray) -> str:
    n, d = E.shape
    if got.shape == (d, d) and (d != n):
        return (
            f"got {kit.shape_text(got.shape)}, expected {n}×{n}: transposed? That is EᵀE, "
            "similarity of the columns; rows are the words"
        )
    if got.shape != (n, n):
        return (
            f"expected shape {n}×{n} (one row and column per word), got {kit.shape_text(got.shape)}"
        )
    if kit.close(got, E @ E.T, 1e-6, 1e-9):
        return "that is E Eᵀ, the raw dot products: the rows are not normalised to unit length"
    col_unit = E / np.linalg.norm(E, axis=0, keepdims=True)
    if kit.close(got, col_unit @ col_unit.T, 1e-6, 1e-9):
        return "you normalised the columns (axis=0); normalise each row (axis=1, keepdims=True)"
    unit = _unit_rows(E)
    if got.shape == (n, n) and n == d and kit.close(got, unit.T @ unit, 1e-6, 1e-9):
        return "that is the similarity of the columns (transposed): use Ê Êᵀ with unit rows"
    if not np.allclose(np.diag(got), 1.0):
        return "the diagonal should be 1 (every word is identical to itself): not normalised?"
    return "values differ from the cosine similarities"


def _check_cos(case: Case, outcome: Any) -> Any:
    name = f"cosine_similarity_matrix · {case.name}"
    failed = _returned_error(name, outcome)
    if failed:
        return failed
    (E,) = case.args
    got = outcome.value
    if not isinstance(got, np.ndarray):
        return _fail(name, f"expected a numpy array, got {kit.describe(got)}")
    expected = ref_cosine(E)
    if kit.close(got, expected, 1e-6, 1e-9):
        return _ok(name)
    detail = f"max error {kit.max_error(got, expected):.3g}" if got.shape == expected.shape else ""
    return _fail(name, "; ".join(x for x in (_cos_mistake(E, got), detail) if x))


def _check_pair(case: Case, outcome: Any) -> Any:
    name = f"most_similar_pair · {case.name}"
    failed = _returned_error(name, outcome)
    if failed:
        return failed
    (E,) = case.args
    got = outcome.value
    pair = tuple(kit.as_int(x) for x in got) if isinstance(got, (tuple, list)) else None
    if pair is None or len(pair) != 2 or None in pair:
        return _fail(name, f"return a pair of integer indices (i, j); got {kit.describe(got)}")
    i, j = pair
    expected = ref_pair(E)
    if (i, j) == expected:
        return _ok(name, f"({i}, {j})")
    if i == j:
        return _fail(
            name,
            f"returned i == j = {i}: a word is always most similar to itself; exclude the diagonal",
        )
    if (j, i) == expected:
        return _fail(
            name, f"returned ({i}, {j}) with i > j; return the pair with i < j, i.e. {expected}"
        )
    dots = E @ E.T
    np.fill_diagonal(dots, -np.inf)
    a, b = np.unravel_index(int(np.argmax(dots)), dots.shape)
    if {i, j} == {int(a), int(b)}:
        return _fail(
            name,
            f"({i}, {j}) has the largest dot product, not the largest cosine: normalise first; "
            f"expected {expected}",
        )
    S = ref_cosine(E)
    np.fill_diagonal(S, np.inf)
    a, b = np.unravel_index(int(np.argmin(S)), S.shape)
    if {i, j} == {int(a), int(b)}:
        return _fail(name, f"({i}, {j}) is the least similar pair (argmin); expected {expected}")
    return _fail(name, f"expected {expected}, got ({i}, {j})")


def grade_ex14(harness: Any, rng: np.random.Generator) -> list[Any]:
    """Cosine similarity matrix and the most similar pair, on embeddings of several shapes."""
    cases = [
        Case("10 words × 8 dims", (_embeddings(rng, 10, 8),), {}),
        Case("6 words × 6 dims (square)", (_embeddings(rng, 6, 6),), {}),
        Case("25 words × 3 dims", (_embeddings(rng, 25, 3),), {}),
        Case("2 words × 5 dims (one pair)", (_embeddings(rng, 2, 5),), {}),
    ]
    results = []
    for case in cases:
        results.append(_check_cos(case, invoke(harness, "cosine_similarity_matrix", case.args)))
        results.append(_check_pair(case, invoke(harness, "most_similar_pair", case.args)))
    return results


# ----------------------------------------------------------------------------------------------
# 1.ex15 first principal component


def ref_first_pc(X: np.ndarray) -> np.ndarray:
    """Reference unit first principal direction of the rows of X (sign as SVD gives it)."""
    _, _, Vt = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    return Vt[0]


def _pc_data(rng: np.random.Generator, n: int, cov: np.ndarray, mean: np.ndarray) -> np.ndarray:
    return rng.multivariate_normal(mean, cov, size=n)


def _pc_mistake(X: np.ndarray, got: np.ndarray) -> str:
    d = X.shape[1]
    if got.shape in {(d, 1), (1, d)}:
        return (
            f"return a 1-D vector of shape ({d},), not {kit.shape_text(got.shape)} (use "
            ".ravel() or index a row)"
        )
    if got.shape != (d,):
        return f"expected shape ({d},), got {kit.shape_text(got.shape)}"
    norm = float(np.linalg.norm(got))
    if abs(norm - 1.0) > 1e-6:
        unit = got / norm if norm > 0 else got
        hint = " (the direction is right)" if kit.aligned(unit, ref_first_pc(X), 1e-6) else ""
        return f"not a unit vector: its norm is {norm:.4g}{hint}; divide by its length"
    Xc = X - X.mean(axis=0)
    _, _, Vt = np.linalg.svd(Xc, full_matrices=False)
    if kit.aligned(got, Vt[-1], 1e-6) and d > 1:
        return (
            "that is the direction of least variance: np.linalg.eigh sorts eigenvalues "
            "ascending, so take the last column"
        )
    if kit.aligned(got / np.linalg.norm(got), Vt[:, 0] / np.linalg.norm(Vt[:, 0]), 1e-6):
        return "you took a column of Vt; the principal directions are the rows of Vt (Vt[0])"
    _, _, Vraw = np.linalg.svd(X, full_matrices=False)
    if kit.aligned(got, Vraw[0], 1e-6):
        return (
            "that is the top singular vector of the raw data: centre X (subtract the column "
            "means) first"
        )
    cosine = abs(float(got @ ref_first_pc(X)))
    return (
        f"points {np.degrees(np.arccos(min(1.0, cosine))):.1f}° away from the first principal "
        "component"
    )


def _check_pc(case: Case, outcome: Any) -> Any:
    name = f"first_principal_component · {case.name}"
    failed = _returned_error(name, outcome)
    if failed:
        return failed
    (X,) = case.args
    got = outcome.value
    if not isinstance(got, np.ndarray):
        return _fail(name, f"expected a numpy vector, got {kit.describe(got)}")
    if kit.aligned(got, ref_first_pc(X), 1e-6):
        return _ok(name, "matches (either sign is right)")
    return _fail(name, _pc_mistake(X, got))


def grade_ex15(harness: Any, rng: np.random.Generator) -> list[Any]:
    """First principal component, sign-free, on centred and off-centre data."""
    cov2 = np.array([[4.0, 2.0], [2.0, 1.0]]) + 0.05 * np.eye(2)
    diag5 = np.diag([9.0, 3.0, 1.0, 0.5, 0.2])
    rot, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    cases = [
        Case("500 points, covariance [[4,2],[2,1]]", (_pc_data(rng, 500, cov2, np.zeros(2)),), {}),
        Case(
            "400 points in 5-D, mean far from 0",
            (_pc_data(rng, 400, rot @ diag5 @ rot.T, np.full(5, 12.0)),),
            {},
        ),
        Case(
            "60 points in 3-D, axis-aligned spread",
            (_pc_data(rng, 60, np.diag([0.5, 6.0, 2.0]), np.array([3.0, -4.0, 8.0])),),
            {},
        ),
        Case(
            "5 points in 8-D (fewer points than dimensions)",
            (rng.standard_normal((5, 8)) * np.linspace(3, 0.5, 8) + 2.0,),
            {},
        ),
    ]
    outcomes = [invoke(harness, "first_principal_component", c.args) for c in cases]
    results = [_check_pc(case, outcome) for case, outcome in zip(cases, outcomes, strict=False)]
    first = outcomes[0]
    if isinstance(first.value, np.ndarray) and first.value.shape == (2,):
        cosine = abs(float(first.value @ np.array([0.894, 0.447])))
        verdict = cosine >= 0.99
        results.append(
            TestResult(
                "aligns with [0.894, 0.447]",
                verdict,
                f"|cos| = {cosine:.4f} with the population direction"
                + (
                    ""
                    if verdict
                    else "; the sample's first component should be within a few degrees"
                ),
            )
        )
    return results


# ----------------------------------------------------------------------------------------------
# 1.ex16 SVD compression


def ref_svd_compress(A: np.ndarray, k: int) -> tuple[np.ndarray, float, float]:
    """Reference rank-k approximation, relative Frobenius error and m·n / (k(m+n+1))."""
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    approx = (U[:, :k] * s[:k]) @ Vt[:k]
    m, n = A.shape
    return approx, float(np.linalg.norm(A - approx) / np.linalg.norm(A)), m * n / (k * (m + n + 1))


def _rank(A: np.ndarray, k: int) -> np.ndarray:
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return (U[:, :k] * s[:k]) @ Vt[:k]


def _approx_mistake(A: np.ndarray, k: int, got: np.ndarray) -> str:
    m, n = A.shape
    if got.shape == (n, m) and m != n:
        return f"approx has shape {kit.shape_text(got.shape)}: transposed (expected {m}×{n})"
    if got.shape != (m, n):
        return f"approx should have A's shape {m}×{n}, got {kit.shape_text(got.shape)}"
    if k + 1 <= min(m, n) and kit.close(got, _rank(A, k + 1), 1e-6, 1e-8):
        return "approx keeps k + 1 singular values; slices :k keep exactly k"
    if k > 1 and kit.close(got, _rank(A, k - 1), 1e-6, 1e-8):
        return "approx keeps k − 1 singular values; slices :k keep exactly k"
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    if kit.close(got, U[:, :k] @ Vt[:k], 1e-6, 1e-8):
        return "the singular values are missing: U_k Σ_k V_kᵀ, multiply by s[:k]"
    return (
        f"approx is not the best rank-{k} approximation (max error "
        f"{kit.max_error(got, _rank(A, k)):.3g})"
    )


def _error_mistake(A: np.ndarray, approx: np.ndarray, got: float, expected: float) -> str:
    absolute = float(np.linalg.norm(A - approx))
    spectral = float(np.linalg.norm(A - approx, 2) / np.linalg.norm(A, 2))
    if np.isclose(got, absolute, rtol=1e-6):
        return (
            f"rel_error {got:.4g} is the absolute error ‖A − A_k‖_F; divide by ‖A‖_F "
            f"(expected {expected:.6g})"
        )
    if np.isclose(got, expected**2, rtol=1e-6):
        return f"rel_error {got:.4g} is squared; take the square root (expected {expected:.6g})"
    if np.isclose(got, spectral, rtol=1e-6):
        return f"rel_error uses the spectral norm; use the Frobenius norm (expected {expected:.6g})"
    return f"rel_error: expected {expected:.6g}, got {got:.6g}"


def _ratio_mistake(m: int, n: int, k: int, got: float, expected: float) -> str:
    if np.isclose(got, 1.0 / expected, rtol=1e-9):
        return (
            f"compression_ratio {got:.4g} is upside down: original / compressed = m·n / "
            f"(k(m+n+1)) = {expected:.6g}"
        )
    if np.isclose(got, m * n / (k * (m + n)), rtol=1e-9):
        return (
            "compression_ratio leaves out the k singular values: the compressed form stores "
            f"k(m+n+1) numbers ({expected:.6g})"
        )
    return f"compression_ratio: expected m·n / (k(m+n+1)) = {expected:.6g}, got {got:.6g}"


def _error_note(A: np.ndarray, k: int) -> str:
    """Why the error is what it is: the share of ‖A‖_F² the k kept singular values carry."""
    s = np.linalg.svd(A, compute_uv=False)
    kept = float((s[:k] ** 2).sum() / (s**2).sum())
    if kept > 0.9:
        return f": the top {k} singular values hold {kept:.0%} of the energy"
    # Gaussian noise has no dominant directions: its squared singular values spread out evenly
    # (the Marchenko–Pastur law), so k of them carry only a little more than k/n of the energy.
    return (
        f": high, as it must be for a random matrix. Its singular values fall off slowly (no few "
        f"directions dominate noise), so the top {k} of {len(s)} hold only {kept:.0%} of the "
        "energy; real weights and images have fast-decaying spectra and compress well"
    )


def _check_compress(case: Case, outcome: Any) -> list[Any]:
    name = f"svd_compress · {case.name}"
    failed = _returned_error(name, outcome)
    if failed:
        return [failed]
    A, k = case.args
    got = outcome.value
    if not isinstance(got, tuple) or len(got) != 3:
        return [
            _fail(name, f"return (approx, rel_error, compression_ratio); got {kit.describe(got)}")
        ]
    approx, err, ratio = got
    exp_approx, exp_err, exp_ratio = ref_svd_compress(A, k)
    results = []
    if isinstance(approx, np.ndarray) and kit.close(approx, exp_approx, 1e-6, 1e-8):
        results.append(_ok(f"{name} · approx"))
    else:
        message = (
            _approx_mistake(A, k, approx)
            if isinstance(approx, np.ndarray)
            else f"approx: expected an array, got {kit.describe(approx)}"
        )
        results.append(_fail(f"{name} · approx", message))
    err_value = kit.as_number(err)
    if err_value is not None and np.isclose(err_value, exp_err, rtol=1e-6, atol=1e-10):
        results.append(_ok(f"{name} · rel_error", f"{err_value:.6g}{_error_note(A, k)}"))
    elif err_value is None:
        results.append(_fail(f"{name} · rel_error", f"expected a number, got {kit.describe(err)}"))
    else:
        results.append(
            _fail(f"{name} · rel_error", _error_mistake(A, exp_approx, err_value, exp_err))
        )
    ratio_value = kit.as_number(ratio)
    m, n = A.shape
    if ratio_value is not None and np.isclose(ratio_value, exp_ratio, rtol=1e-9):
        results.append(_ok(f"{name} · compression_ratio", f"{ratio_value:.6g}"))
    elif ratio_value is None:
        results.append(
            _fail(f"{name} · compression_ratio", f"expected a number, got {kit.describe(ratio)}")
        )
    else:
        results.append(
            _fail(f"{name} · compression_ratio", _ratio_mistake(m, n, k, ratio_value, exp_ratio))
        )
    return results


def grade_ex16(harness: Any, rng: np.random.Generator) -> list[Any]:
    """Truncated SVD: the approximation, its relative error and the compression ratio."""
    square = rng.standard_normal((256, 256))
    tall = kit.planted_spectrum(rng, 40, 25, np.geomspace(10.0, 0.1, 25))
    cases = [
        Case("256×256 random, k=10", (square, 10), {}),
        Case("256×256 random, k=50", (square, 50), {}),
        Case("40×25, k=5", (tall, 5), {}),
        Case("40×25, k=25 (full rank: error 0)", (tall, 25), {}),
        Case("7×12, k=1", (rng.standard_normal((7, 12)), 1), {}),
    ]
    results: list[Any] = []
    for case in cases:
        results.extend(_check_compress(case, invoke(harness, "svd_compress", case.args)))
    return results


# ----------------------------------------------------------------------------------------------
# 1.ex17 batched matrix multiply with einsum

BMM_RULES = kit.CallRules(
    entry="bmm",
    forbidden=frozenset({"bmm", "matmul", "mm", "dot", "tensordot", "baddbmm"}),
    forbid_matmul_operator=True,
    required=frozenset({"einsum"}),
)


def _bmm_mistake(A: np.ndarray, B: np.ndarray, got: np.ndarray) -> str:
    expected = A @ B
    b, n, _ = A.shape
    k = B.shape[2]
    if got.shape == (b, k, n) and (
        k != n or kit.close(got, np.swapaxes(expected, 1, 2), 1e-5, 1e-6)
    ):
        return (
            "transposed: each output matrix is (A_b B_b)ᵀ; the output subscripts should be "
            "b,n,k ('bnm,bmk->bnk')"
        )
    if got.shape == (n, k) or (got.shape == expected.shape[1:]):
        return "summed over the batch: keep the batch letter b in the output ('...->bnk')"
    if got.shape != expected.shape:
        return f"expected shape {kit.shape_text(expected.shape)}, got {kit.shape_text(got.shape)}"
    return f"values differ from torch.bmm (max error {kit.max_error(got, expected):.3g})"


def grade_ex17(harness: Any, rng: np.random.Generator) -> list[Any]:
    """bmm via torch.einsum: checked against torch.bmm's result and that einsum is used."""
    results: list[Any] = []
    rule = kit.rule_violation(calls.source_text(harness), BMM_RULES)
    results.append(
        TestResult("uses torch.einsum (no bmm, matmul or @)", rule is None, rule or "einsum it is")
    )
    shapes = [
        ("B=4: (4,3,5)×(4,5,2)", (4, 3, 5), (4, 5, 2)),
        ("B=3, square (3,4,4)×(3,4,4)", (3, 4, 4), (3, 4, 4)),
        ("B=2: (2,6,3)×(2,3,6)", (2, 6, 3), (2, 3, 6)),
        ("B=1, 1×1 matrices", (1, 1, 1), (1, 1, 1)),
    ]
    for label, a_shape, b_shape in shapes:
        A = rng.standard_normal(a_shape).astype(np.float32)
        B = rng.standard_normal(b_shape).astype(np.float32)
        name = f"bmm · {label}"
        outcome = invoke(harness, "bmm", (A, B), torch_args=True)
        failed = _returned_error(name, outcome)
        if failed:
            results.append(failed)
            continue
        if outcome.kind != "torch":
            results.append(
                _fail(name, f"return a torch.Tensor (as torch.bmm does); got {outcome.kind_text}")
            )
            continue
        got = outcome.value
        expected = A.astype(np.float64) @ B.astype(np.float64)
        if kit.close(got.astype(np.float64), expected, 1e-4, 1e-5):
            results.append(_ok(name, f"matches torch.bmm, shape {kit.shape_text(got.shape)}"))
        else:
            results.append(_fail(name, _bmm_mistake(A, B, got)))
    return results


# ----------------------------------------------------------------------------------------------
# 1.ex18 gradient clipping


def ref_clip(g: np.ndarray, max_norm: float) -> np.ndarray:
    """Reference: g rescaled to L2 norm max_norm when it is longer, unchanged otherwise."""
    norm = float(np.linalg.norm(g))
    return g if norm <= max_norm else g * (max_norm / norm)


def _clip_mistake(g: np.ndarray, max_norm: float, got: np.ndarray) -> str:
    norm = float(np.linalg.norm(g))
    if got.shape != g.shape:
        return (
            f"the result should keep the gradient's shape {kit.shape_text(g.shape)}, got "
            f"{kit.shape_text(got.shape)}"
        )
    if norm > max_norm and kit.close(got, g, 1e-9, 0.0):
        return (
            f"‖g‖ = {norm:.4g} is above max_norm = {max_norm}, but g came back unchanged "
            "(clipped per row or per entry?)"
        )
    if kit.close(got, np.clip(g, -max_norm, max_norm), 1e-6, 1e-9):
        return (
            "that clips each entry to [−max_norm, max_norm]; clip_grad_norm rescales the "
            "whole gradient by max_norm/‖g‖"
        )
    if norm <= max_norm and norm > 0:
        return (
            f"‖g‖ = {norm:.4g} is already within max_norm = {max_norm}: g should come back "
            "unchanged"
        )
    if norm > 0 and kit.close(got, g / norm, 1e-6, 1e-9) and max_norm != 1.0:
        return f"scaled to norm 1; scale to max_norm = {max_norm}: g · max_norm/‖g‖"
    if g.ndim >= 2:
        per_row = g * np.minimum(
            1.0, max_norm / np.maximum(np.linalg.norm(g, axis=-1, keepdims=True), 1e-300)
        )
        if kit.close(got, per_row, 1e-6, 1e-9):
            return "that clips per row; the norm is over all entries of the gradient (one number)"
    got_norm = float(np.linalg.norm(got)) if np.all(np.isfinite(got)) else float("nan")
    return (
        f"result has norm {got_norm:.6g}; expected min(‖g‖, max_norm) = {min(norm, max_norm):.6g}"
    )


def one_line_clip(source: str, entry: str = "clip_grad_norm") -> str | None:
    """Why `entry` does not clip "in one line" (the statement's words), or None when it does.

    One line means: at most the norm on one line and the clipping on another, each a single
    simple statement on a single line; no if/for/while blocks. Only parsed, never run."""
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return "the file does not parse"
    function = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == entry), None
    )
    if function is None:
        return f"no function named {entry}"
    body = list(function.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    blocks = [
        n for n in body if not isinstance(n, (ast.Assign, ast.AnnAssign, ast.Return, ast.Expr))
    ]
    if blocks:
        kind = type(blocks[0]).__name__.lower()
        return (
            f"no {kind} block here: write the clipping as one expression, e.g. g * min(1.0, "
            "max_norm / norm)"
        )
    if len(body) > 2:
        return (
            f"{len(body)} statements; the norm on one line and the clipping on one more is the most"
        )
    tall = [
        (n.lineno, n.end_lineno)
        for n in body
        if n.end_lineno is not None and n.end_lineno > n.lineno
    ]
    if tall:
        first, last = tall[0]
        return f"the statement on line {first} spans {last - first + 1} lines"
    return None


def grade_ex18(harness: Any, rng: np.random.Generator) -> list[Any]:
    """clip_grad_norm on numpy arrays and torch tensors: same type out, norm at most max_norm,
    and the clipping written in one line as the statement asks."""
    big = rng.standard_normal((768, 3072)).astype(np.float32) * 0.01
    small = rng.standard_normal((4, 5)) * 0.01
    cases = [
        ("numpy (768, 3072), max_norm=1.0", big, 1.0, False),
        (
            "torch (64, 32), max_norm=1.0",
            rng.standard_normal((64, 32)).astype(np.float32),
            1.0,
            True,
        ),
        ("numpy (10,) with max_norm=0.5", rng.standard_normal(10), 0.5, False),
        ("numpy (4, 5) already short: unchanged", small, 1.0, False),
        (
            "torch (6, 3), max_norm=2.5",
            rng.standard_normal((6, 3)).astype(np.float32) * 3,
            2.5,
            True,
        ),
        ("numpy zeros (3, 3): stays zero", np.zeros((3, 3)), 1.0, False),
    ]
    results = []
    for label, g, max_norm, as_torch in cases:
        name = f"clip_grad_norm · {label}"
        outcome = invoke(
            harness, "clip_grad_norm", (g,), {"max_norm": max_norm}, torch_args=as_torch
        )
        failed = _returned_error(name, outcome)
        if failed:
            results.append(failed)
            continue
        want = "torch" if as_torch else "numpy"
        if outcome.kind != want:
            results.append(
                _fail(
                    name, f"a {want} input must come back as the same type; got {outcome.kind_text}"
                )
            )
            continue
        got = outcome.value
        expected = ref_clip(g.astype(np.float64), max_norm)
        tol = 1e-5 if g.dtype == np.float32 else 1e-9
        if kit.close(got.astype(np.float64), expected, tol, 1e-9):
            results.append(_ok(name, f"norm {np.linalg.norm(got):.4g}"))
        else:
            results.append(
                _fail(name, _clip_mistake(g.astype(np.float64), max_norm, got.astype(np.float64)))
            )
    why = one_line_clip(calls.source_text(harness))
    results.append(
        TestResult("clipped in one line", why is None, why or "norm, then one line that clips")
    )
    return results


# ----------------------------------------------------------------------------------------------
# 1.ex19 energy rank


def ref_energy_rank(W: np.ndarray, energy: float) -> int:
    """Reference: the fewest singular values whose squares hold `energy` of the total."""
    s = np.linalg.svd(W, compute_uv=False)
    share = np.cumsum(s**2) / np.sum(s**2)
    return int(np.searchsorted(share, energy) + 1)


def _safe_energy(W: np.ndarray, wanted: float) -> float:
    """Nudge the energy level away from a cumulative share, so float rounding cannot flip the
    count."""
    s = np.linalg.svd(W, compute_uv=False)
    share = np.cumsum(s**2) / np.sum(s**2)
    gap = np.min(np.abs(share - wanted))
    return wanted if gap > 1e-6 else wanted + 1e-4


def _energy_mistake(W: np.ndarray, energy: float, got: Any, expected: int) -> str:
    s = np.linalg.svd(W, compute_uv=False)
    as_int = kit.as_int(got)
    number = kit.as_number(got)
    if as_int is None:
        if number is not None and any(np.isclose(number, s)):
            return (
                f"returned σ = {number:.4g}, a singular value; return the count of singular "
                f"values ({expected})"
            )
        if number is not None and float(number).is_integer():
            as_int = int(number)
        else:
            return f"return a count (an int); got {kit.describe(got)}"
    plain = int(np.searchsorted(np.cumsum(s) / np.sum(s), energy) + 1)
    if as_int == plain and plain != expected:
        return (
            f"got {as_int}: that measures energy with σ; energy is σ², the squares (expected "
            f"{expected})"
        )
    if as_int == expected - 1:
        return f"got {as_int}: off by one; a count is the index + 1 (expected {expected})"
    return f"expected {expected} singular values for {energy:.0%} of the energy, got {as_int}"


def grade_ex19(harness: Any, rng: np.random.Generator) -> list[Any]:
    """energy_rank on planted spectra, a low-rank matrix and a real (or stand-in) weight matrix."""
    weight, source = data.linear_weight()
    decaying = kit.planted_spectrum(rng, 60, 40, 10.0 * 0.85 ** np.arange(40))
    low_rank = rng.standard_normal((30, 3)) @ rng.standard_normal((3, 20))
    flat = rng.standard_normal((50, 50))
    cases = [
        (f"{source.label} {kit.shape_text(weight.shape)}, 90%", weight, 0.9),
        ("60×40 geometric spectrum, 90%", decaying, 0.9),
        ("60×40 geometric spectrum, 50%", decaying, 0.5),
        ("30×20 of rank 3, 99.9%", low_rank, 0.999),
        ("50×50 Gaussian, 90%", flat, 0.9),
    ]
    results = []
    for label, W, wanted in cases:
        energy = _safe_energy(W, wanted)
        name = f"energy_rank · {label}"
        outcome = invoke(harness, "energy_rank", (W,), {"energy": energy})
        failed = _returned_error(name, outcome)
        if failed:
            results.append(failed)
            continue
        expected = ref_energy_rank(W, energy)
        got = outcome.value
        where = f" — data: {source.detail}" if W is weight else ""
        if kit.as_int(got) == expected:
            results.append(_ok(name, f"{expected} of {min(W.shape)}{where}"))
        else:
            results.append(_fail(name, _energy_mistake(W, energy, got, expected) + where))
    return results


# ----------------------------------------------------------------------------------------------
# 1.ex20 power iteration

POWER_RULES = kit.CallRules(
    entry="power_iteration",
    forbidden=frozenset({"eig", "eigh", "eigvals", "eigvalsh", "svd", "svdvals"}),
)


def _dominant(A: np.ndarray) -> tuple[float, np.ndarray]:
    values, vectors = np.linalg.eigh(A)
    i = int(np.argmax(np.abs(values)))
    return float(values[i]), vectors[:, i]


def _power_mistake(A: np.ndarray, value: float, vector: np.ndarray) -> str:
    lam, v = _dominant(A)
    values = np.linalg.eigvalsh(A)
    if lam < 0 and np.isclose(value, abs(lam), rtol=1e-6):
        return (
            f"eigenvalue {value:.6g} has the wrong sign: ‖Av‖ loses it; use the Rayleigh "
            f"quotient vᵀAv (expected {lam:.6g})"
        )
    if vector.shape != v.shape:
        return (
            f"eigenvector should have shape {kit.shape_text(v.shape)}, got "
            f"{kit.shape_text(vector.shape)}"
        )
    norm = float(np.linalg.norm(vector))
    if np.all(np.isfinite(vector)) and abs(norm - 1) > 1e-6:
        return f"the eigenvector should be a unit vector; its norm is {norm:.4g}"
    if np.any(np.isclose(value, values[np.abs(values - lam) > 1e-9], rtol=1e-6)):
        return (
            f"converged to another eigenvalue ({value:.6g}, dominant is {lam:.6g}): your start "
            "vector had no component "
            "along the dominant eigenvector; use a random start"
        )
    if not np.isclose(value, lam, rtol=1e-6):
        return f"eigenvalue: expected {lam:.6g} (largest in absolute value), got {value:.6g}"
    return "the eigenvector does not match the dominant eigenvector (up to sign)"


def _largest_mistake(A: np.ndarray, value: float) -> str:
    values = np.linalg.eigvalsh(A)
    dominant = float(values[int(np.argmax(np.abs(values)))])
    if dominant != values[-1] and np.isclose(value, dominant, rtol=1e-6):
        return (
            f"{value:.6g} is the eigenvalue largest in absolute value; the largest is "
            f"{values[-1]:.6g}. "
            "Shift first: A + cI with c ≥ every |λ| (e.g. the largest absolute row sum) has only "
            "non-negative eigenvalues, the same eigenvectors, and its dominant one is λ_max + c"
        )
    return f"expected the largest eigenvalue, eigvalsh(A)[-1] = {values[-1]:.6g}; got {value:.6g}"


def grade_ex20(harness: Any, rng: np.random.Generator) -> list[Any]:
    """Dominant eigenpair by power iteration, compared with np.linalg.eigh (either sign), and the
    largest eigenvalue (the statement's question) compared with np.linalg.eigvalsh(A)[-1]."""
    rule = kit.rule_violation(calls.source_text(harness), POWER_RULES)
    results = [
        TestResult(
            "power iteration, not np.linalg.eig*",
            rule is None,
            rule or "repeated multiplication it is",
        )
    ]
    spectrum100 = np.concatenate([[12.0], rng.uniform(-6.0, 6.0, 99)])
    cases = [
        ("100×100 random symmetric", kit.planted_symmetric(rng, spectrum100)),
        ("[[2,-1],[-1,2]]: dominant eigenvector ⟂ (1,1)", np.array([[2.0, -1.0], [-1.0, 2.0]])),
        (
            "6×6, dominant eigenvalue negative (−8)",
            kit.planted_symmetric(rng, np.array([-8.0, 4.0, -3.0, 2.0, 1.0, 0.5])),
        ),
        ("1×1 [[3]]", np.array([[3.0]])),
    ]
    for label, A in cases:
        name = f"power_iteration · {label}"
        outcome = invoke(harness, "power_iteration", (A,))
        failed = _returned_error(name, outcome)
        if failed:
            results.append(failed)
            continue
        got = outcome.value
        if not isinstance(got, tuple) or len(got) != 2:
            results.append(
                _fail(name, f"return (eigenvalue, eigenvector); got {kit.describe(got)}")
            )
            continue
        value, vector = kit.as_number(got[0]), got[1]
        if value is None or not isinstance(vector, np.ndarray):
            results.append(
                _fail(
                    name,
                    f"return (a number, a numpy vector); got ({kit.describe(got[0])}, "
                    f"{kit.describe(got[1])})",
                )
            )
            continue
        lam, v = _dominant(A)
        if np.isclose(value, lam, rtol=1e-6, atol=1e-9) and kit.aligned(vector, v, 1e-6):
            results.append(_ok(name, f"λ = {value:.6g} (eigvalsh agrees)"))
        else:
            results.append(_fail(name, _power_mistake(A, value, vector)))
    largest_cases = [
        cases[0],
        ("6×6, eigenvalues −8 … 4: the largest is 4, not −8", cases[2][1]),
        ("[[2,-1],[-1,2]]", cases[1][1]),
    ]
    for label, A in largest_cases:
        name = f"largest_eigenvalue · {label}"
        outcome = invoke(harness, "largest_eigenvalue", (A,))
        failed = _returned_error(name, outcome)
        if failed:
            results.append(failed)
            continue
        value = kit.as_number(outcome.value)
        if value is None:
            results.append(_fail(name, f"return a number; got {kit.describe(outcome.value)}"))
            continue
        top = float(np.linalg.eigvalsh(A)[-1])
        if np.isclose(value, top, rtol=1e-6, atol=1e-9):
            results.append(_ok(name, f"λ_max = {value:.6g} (eigvalsh(A)[-1] agrees)"))
        else:
            results.append(_fail(name, _largest_mistake(A, value)))
    return results
