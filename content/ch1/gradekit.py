"""Trusted helpers shared by chapter 1's code graders: AST rules, sign-free and tolerance checks.

Runs in the tutor's process only; it never sees learner objects, only the plain values the strict
loader produced (numpy arrays, Python numbers, tuples of those).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class CallRules:
    """What a learner's function may and must call, checked on the source text in the parent."""

    entry: str
    """The function whose body (and the helpers it calls, transitively) is inspected."""
    forbidden: frozenset[str] = frozenset()
    """Called names or attributes that are not allowed, e.g. `matmul`, `dot`."""
    forbid_matmul_operator: bool = False
    required: frozenset[str] = frozenset()
    """At least one of these names must be called, e.g. `einsum`."""
    require_loop: bool = False


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def reachable_nodes(source: str, entry: str) -> list[ast.AST] | None:
    """Every AST node of `entry` and of the module functions it calls; None if `entry` is missing."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    functions = _functions(tree)
    if entry not in functions:
        return None
    seen: set[str] = set()
    pending = [entry]
    nodes: list[ast.AST] = []
    while pending:
        name = pending.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        for node in ast.walk(functions[name]):
            nodes.append(node)
            if isinstance(node, ast.Call):
                pending.append(_called_name(node))
            elif isinstance(node, ast.Name) and node.id in functions:
                pending.append(node.id)  # a helper passed around by name still counts
    return nodes


def rule_violation(source: str, rules: CallRules) -> str | None:
    """Why the source breaks the rules, in words; None when it follows them."""
    nodes = reachable_nodes(source, rules.entry)
    if nodes is None:
        return f"no function named {rules.entry} at the top level of your file"
    called = {_called_name(n) for n in nodes if isinstance(n, ast.Call)}
    attributes = {n.attr for n in nodes if isinstance(n, ast.Attribute)}
    used = sorted((called | attributes) & rules.forbidden)
    if used:
        instead = f"; use {' or '.join(sorted(rules.required))}" if rules.required else ""
        listed = ", ".join(f"{name}()" for name in used)
        return f"{rules.entry} calls {listed}; it must do without {', '.join(sorted(rules.forbidden))}{instead}"
    if rules.forbid_matmul_operator and any(
        isinstance(n, (ast.BinOp, ast.AugAssign)) and isinstance(n.op, ast.MatMult) for n in nodes
    ):
        return f"{rules.entry} uses the @ operator; write it without @ (that is the point)"
    if rules.required and not (called & rules.required):
        need = " or ".join(sorted(rules.required))
        return f"{rules.entry} must call {need}; it does not"
    if rules.require_loop and not any(isinstance(n, (ast.For, ast.While, ast.comprehension)) for n in nodes):
        return f"{rules.entry} has no Python loop; this step is about timing a loop"
    return None


def close(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    """Same shape and every entry within tolerance (finite values only)."""
    return (
        got.shape == expected.shape
        and bool(np.all(np.isfinite(got)))
        and bool(np.allclose(got, expected, rtol=rtol, atol=atol))
    )


def max_error(got: np.ndarray, expected: np.ndarray) -> float:
    """Largest absolute difference, or inf when shapes differ or values are not finite."""
    if got.shape != expected.shape:
        return float("inf")
    diff = np.abs(got.astype(float) - expected.astype(float))
    return float(diff.max()) if diff.size else 0.0


def aligned(got: np.ndarray, expected: np.ndarray, tol: float) -> bool:
    """Unit vectors equal up to sign: |got · expected| ≥ 1 − tol and ‖got‖ = 1 ± tol."""
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return False
    norm = float(np.linalg.norm(got))
    return abs(norm - 1.0) <= tol and abs(float(got @ expected)) >= 1.0 - tol


def columns_equal_up_to_sign(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    """Matrices whose columns match up to one sign flip per column (PCA scores, singular vectors)."""
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return False
    for j in range(expected.shape[1]):
        g, e = got[:, j], expected[:, j]
        if not (np.allclose(g, e, rtol=rtol, atol=atol) or np.allclose(g, -e, rtol=rtol, atol=atol)):
            return False
    return True


def shape_text(shape: Iterable[int]) -> str:
    """(3, 4) written as 3×4; a vector as (5,)."""
    dims = tuple(shape)
    if len(dims) == 1:
        return f"({dims[0]},)"
    return "×".join(str(d) for d in dims) if dims else "a scalar"


def describe(value: Any) -> str:
    """A short, learner-facing description of what a function returned."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {shape_text(value.shape)} ({value.dtype})"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    return f"{type(value).__name__} {value!r}"[:120]


def as_number(value: Any) -> float | None:
    """A Python or 0-d/size-1 numpy number as float; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(()))
    return None


def as_int(value: Any) -> int | None:
    """An exact integer (Python int, integer numpy value, or a float with no fractional part)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iu":
        return int(value.reshape(()))
    return None


def planted_symmetric(rng: np.random.Generator, eigenvalues: np.ndarray) -> np.ndarray:
    """A symmetric matrix with exactly these eigenvalues and random orthonormal eigenvectors."""
    n = len(eigenvalues)
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    q = q * np.sign(np.diag(r))
    matrix = (q * eigenvalues) @ q.T
    return (matrix + matrix.T) / 2


def planted_spectrum(rng: np.random.Generator, m: int, n: int, sigma: np.ndarray) -> np.ndarray:
    """An m×n matrix with singular values `sigma` (length min(m, n)) and random singular vectors."""
    k = len(sigma)
    u, _ = np.linalg.qr(rng.standard_normal((m, k)))
    v, _ = np.linalg.qr(rng.standard_normal((n, k)))
    return (u * sigma) @ v.T
