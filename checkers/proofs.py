"""Proofs as chains of equalities between matrix expressions, every step verified.

A step that shows entries (an explicit matrix) is checked by computing both sides with general
symbolic matrices. A step between purely symbolic expressions (`(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ`) must apply one
allowed rule once, so the chain cannot jump straight to the claim it is proving.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Union

import sympy
from lark import Tree

from checkers.build import build_tree
from checkers.syntax import AnswerError, Names, parse_tree, show
from checkers.verdict import Verdict

RULES = {
    "transpose_product": "(XY)ᵀ = YᵀXᵀ",
    "double_transpose": "(Xᵀ)ᵀ = X",
    "identity": "XI = IX = X",
}
MAX_STEPS = 12


@dataclass(frozen=True)
class Sym:
    name: str


@dataclass(frozen=True)
class T:
    inner: Expr


@dataclass(frozen=True)
class Prod:
    factors: tuple[Expr, ...]


Expr = Union[Sym, T, Prod]


@dataclass(frozen=True)
class ProofSpec:
    """What to prove and with which tools."""

    start: str
    target: str
    matrices: dict[str, list[list[str]]]
    """Each matrix letter's general entries, e.g. {"A": [["a","b"],["c","d"]]}; empty lists for a
    letter with no named entries (it is then checked with random integer matrices)."""
    shapes: dict[str, tuple[int, int]]
    rules: tuple[str, ...]
    """Rules a symbolic step may apply (never the claim being proved)."""


def check_chain(text: str, spec: ProofSpec) -> Verdict:
    """Verify a chain like `(AB)ᵀ = [[…]]ᵀ = … = BᵀAᵀ` (one step per line or joined by '=')."""
    entry_letters = frozenset(letter for rows in spec.matrices.values() for row in rows for cell in row
                              for letter in cell)
    names = Names(split=entry_letters, matrices=frozenset(spec.matrices) | {"I"})
    try:
        tree = parse_tree(text, names=names, chain=True)
    except AnswerError as exc:
        return Verdict(False, f"Could not read your proof: {exc}.", unreadable=True)
    steps = list(tree.children)
    shown = " = ".join(show(step) for step in steps)
    if len(steps) < 2:
        return Verdict(False, "A proof here is a chain of equalities: write steps joined by '=' "
                              "(or one per line).", shown)
    if len(steps) > MAX_STEPS:
        return Verdict(False, f"Keep the chain under {MAX_STEPS} steps.", shown)
    start, target = _canonical_text(spec.start, names), _canonical_text(spec.target, names)
    first, last = _canonical(steps[0]), _canonical(steps[-1])
    if {first, last} != {start, target} or first == last:
        return Verdict(False, f"The chain must start at {spec.start} and end at {spec.target}.", shown)
    try:
        environments = _environments(spec)
        for index in range(1, len(steps)):
            problem = _check_step(steps[index - 1], steps[index], spec, environments)
            if problem:
                left, right = show(steps[index - 1]), show(steps[index])
                return Verdict(False, f"Step {index} ({left} = {right}): {problem}", shown)
    except AnswerError as exc:
        return Verdict(False, f"Could not use your proof: {exc}.", shown)
    return Verdict(True, "Every step checks out.", shown)


def _canonical_text(text: str, names: Names) -> str:
    return _canonical(parse_tree(text, names=names, chain=True).children[0])


def _canonical(node: Any) -> str:
    """A spelling that ignores spaces, '·' and optional brackets around the whole expression."""
    while isinstance(node, Tree) and node.data == "paren":
        node = node.children[0]
    return show(node).replace("·", "").replace(" ", "")


def _environments(spec: ProofSpec) -> list[dict[str, Any]]:
    """General symbolic matrices where entries are named; otherwise a few random integer matrices."""
    rng = random.Random(0)
    environments: list[dict[str, Any]] = []
    for _ in range(3):
        env: dict[str, Any] = {}
        for letter, rows in spec.matrices.items():
            if rows:
                env[letter] = sympy.ImmutableMatrix([[sympy.Symbol(cell) for cell in row] for row in rows])
            else:
                height, width = spec.shapes[letter]
                env[letter] = sympy.ImmutableMatrix(height, width, lambda i, j: rng.randint(-9, 9))
        environments.append(env)
        if all(spec.matrices.values()):
            break
    return environments


def _check_step(left: Any, right: Any, spec: ProofSpec, environments: list[dict[str, Any]]) -> str:
    """Why a step fails, or "" when it holds."""
    for env in environments:
        size = _square_size(env)
        if size:
            env = {**env, "I": sympy.ImmutableMatrix(sympy.eye(size))}
        try:
            a, b = build_tree(left, env=env), build_tree(right, env=env)
        except AnswerError as exc:
            return f"{exc} (check the order of the factors)."
        if not (isinstance(a, sympy.MatrixBase) and isinstance(b, sympy.MatrixBase)):
            return "both sides must be matrices."
        if a.shape != b.shape:
            return f"the sides have different shapes ({a.shape[0]}×{a.shape[1]} and {b.shape[0]}×{b.shape[1]})."
        wrong = [(i + 1, j + 1) for i in range(a.shape[0]) for j in range(a.shape[1])
                 if sympy.expand(a[i, j] - b[i, j]) != 0]
        if wrong:
            cells = ", ".join(f"({i},{j})" for i, j in wrong)
            which = f"entry {cells} differs" if len(wrong) == 1 else f"entries {cells} differ"
            return f"this is not an equality: {which}."
    symbolic = _symbolic(left), _symbolic(right)
    if symbolic[0] is None or symbolic[1] is None:
        return ""
    return _justify(symbolic[0], symbolic[1], spec.rules)


def _square_size(env: dict[str, Any]) -> int:
    shapes = {value.shape for value in env.values() if isinstance(value, sympy.MatrixBase)}
    sizes = {rows for rows, cols in shapes if rows == cols}
    return sizes.pop() if len(sizes) == 1 else 0


def _symbolic(node: Any) -> Expr | None:
    """The expression as letters, transposes and products; None if it shows entries or other maths."""
    if not isinstance(node, Tree):
        return None
    if node.data == "var":
        return Sym(str(node.children[0]))
    if node.data == "paren":
        return _symbolic(node.children[0])
    if node.data == "transpose":
        inner = _symbolic(node.children[0])
        return None if inner is None else T(inner)
    if node.data in ("mul", "imul"):
        factors = [_symbolic(child) for child in node.children]
        if any(factor is None for factor in factors):
            return None
        return _flatten(Prod(tuple(factors)))  # type: ignore[arg-type]
    return None


def _flatten(expr: Expr) -> Expr:
    if isinstance(expr, T):
        return T(_flatten(expr.inner))
    if isinstance(expr, Prod):
        factors: list[Expr] = []
        for factor in (_flatten(f) for f in expr.factors):
            factors.extend(factor.factors if isinstance(factor, Prod) else (factor,))
        return factors[0] if len(factors) == 1 else Prod(tuple(factors))
    return expr


def _rewrites(expr: Expr, rule: str) -> set[Expr]:
    """Every expression reachable by applying `rule` once, anywhere in `expr`."""
    found: set[Expr] = set()
    if rule == "double_transpose" and isinstance(expr, T) and isinstance(expr.inner, T):
        found.add(expr.inner.inner)
    if rule == "transpose_product" and isinstance(expr, T) and isinstance(expr.inner, Prod):
        found.add(Prod(tuple(T(f) for f in reversed(expr.inner.factors))))
    if rule == "identity" and isinstance(expr, Prod) and Sym("I") in expr.factors:
        kept = tuple(f for f in expr.factors if f != Sym("I"))
        found.add(kept[0] if len(kept) == 1 else Prod(kept))
    if isinstance(expr, T):
        found.update(T(inner) for inner in _rewrites(expr.inner, rule))
    if isinstance(expr, Prod):
        for index, factor in enumerate(expr.factors):
            for new in _rewrites(factor, rule):
                found.add(Prod(expr.factors[:index] + (new,) + expr.factors[index + 1:]))
    return {_flatten(item) for item in found}


def _justify(left: Expr, right: Expr, rules: tuple[str, ...]) -> str:
    left, right = _flatten(left), _flatten(right)
    if left == right:
        return ""
    for rule in rules:
        if right in _rewrites(left, rule) or left in _rewrites(right, rule):
            return ""
    for rule in RULES:
        if rule not in rules and (right in _rewrites(left, rule) or left in _rewrites(right, rule)):
            return (f"this uses {RULES[rule]}, which is what you are proving here; "
                    f"show it with entries instead.")
    allowed = " or ".join(RULES[rule] for rule in rules)
    if not rules:
        return "this jumps between symbols without showing why; write out the entries."
    return f"this jumps too far; apply one rule at a time ({allowed})."
