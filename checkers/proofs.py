"""Proofs as chains of equalities between matrix expressions, every step verified.

A step that shows entries (an explicit matrix) is checked by computing both sides with general
symbolic matrices. A step between purely symbolic expressions (`(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ`) must apply one
allowed rule once, so the chain cannot jump straight to the claim it is proving.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, TypeAlias

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


Expr: TypeAlias = Sym | T | Prod


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


@dataclass(frozen=True)
class Step:
    """One equality of a chain, judged: true or not, and whether it does any work."""

    ok: bool
    reason: str
    """Why it is true ("by entries", "by (Xᵀ)ᵀ = X") or what is wrong with it."""
    justified: bool = False
    """It computes entries or applies a rule that is not the claim."""


def check_chain(text: str, spec: ProofSpec) -> Verdict:
    """Verify a chain like `(AB)ᵀ = [[…]]ᵀ = … = BᵀAᵀ` (one step per line or joined by '=').

    Every step is named true or false; a step that is the claim itself is circular; at least one
    step must compute entries or apply a rule other than the claim; the ends must be the claim's."""
    entry_letters = frozenset(
        letter for rows in spec.matrices.values() for row in rows for cell in row for letter in cell
    )
    names = Names(split=entry_letters, matrices=frozenset(spec.matrices) | {"I"})
    try:
        tree = parse_tree(text, names=names, chain=True)
    except AnswerError as exc:
        return Verdict(False, f"Could not read your proof: {exc}.", unreadable=True)
    steps = list(tree.children)
    shown = " = ".join(show(step) for step in steps)
    if len(steps) < 2:
        return Verdict(
            False,
            "A proof here is a chain of equalities: write steps joined by '=' (or one per line).",
            shown,
        )
    if len(steps) > MAX_STEPS:
        return Verdict(False, f"Keep the chain under {MAX_STEPS} steps.", shown)
    environments = _environments(spec)
    letters = _letter_matrices(spec)
    claim = (
        _key(_parse_side(spec.start, names), letters),
        _key(_parse_side(spec.target, names), letters),
    )
    try:
        judged = [
            _check_step(steps[i - 1], steps[i], spec, environments, letters, claim)
            for i in range(1, len(steps))
        ]
    except AnswerError as exc:
        return Verdict(False, f"Could not use your proof: {exc}.", shown)
    ends = (_key(steps[0], letters), _key(steps[-1], letters))
    ends_ok = ends in (claim, claim[::-1]) and ends[0] != ends[1]
    if all(step.ok for step in judged) and ends_ok and any(step.justified for step in judged):
        return Verdict(True, "Every step checks out.", shown)
    lines = [
        f"Step {index} ({show(steps[index - 1])} = {show(steps[index])}): {step.reason}"
        for index, step in enumerate(judged, start=1)
    ]
    # The ends are named only when they are wrong and no false step already explains it: in
    # (AB)ᵀ = AᵀBᵀ the fault is the false step, not where the chain ends.
    starts_right = ends[0] in claim
    if not ends_ok and (all(step.ok for step in judged) or not starts_right):
        lines.append(
            f"The chain must start at {spec.start} and end at {spec.target} (or the reverse)."
        )
    elif all(step.ok for step in judged):
        lines.append(
            "No step does any work: at least one must compute entries (like ae + bg) or apply "
            "a rule that is not the claim itself."
        )
    return Verdict(False, "\n".join(lines), shown)


def _parse_side(text: str, names: Names) -> Any:
    return parse_tree(text, names=names, chain=True).children[0]


def _key(node: Any, letters: dict[str, Any]) -> Expr | str:
    """The expression as letters, ᵀ and products when it is one (matrices written out as their
    letter's entries count as the letter); otherwise its printed form without spaces and '·'."""
    symbolic = _symbolic(node, letters)
    if symbolic is not None:
        return _flatten(symbolic)
    while isinstance(node, Tree) and node.data == "paren":
        node = node.children[0]
    return show(node).replace("·", "").replace(" ", "")


def _letter_matrices(spec: ProofSpec) -> dict[str, Any]:
    """Each matrix letter's general symbolic matrix, where the exercise names its entries."""
    return {
        letter: sympy.ImmutableMatrix([[sympy.Symbol(cell) for cell in row] for row in rows])
        for letter, rows in spec.matrices.items()
        if rows
    }


def _environments(spec: ProofSpec) -> list[dict[str, Any]]:
    """General symbolic matrices where entries are named; otherwise a few random integer
    matrices."""
    rng = random.Random(0)
    environments: list[dict[str, Any]] = []
    for _ in range(3):
        env: dict[str, Any] = dict(_letter_matrices(spec))
        for letter, rows in spec.matrices.items():
            if not rows:
                height, width = spec.shapes[letter]
                env[letter] = sympy.ImmutableMatrix(height, width, lambda i, j: rng.randint(-9, 9))
        environments.append(env)
        if all(spec.matrices.values()):
            break
    return environments


def _check_step(
    left: Any,
    right: Any,
    spec: ProofSpec,
    environments: list[dict[str, Any]],
    letters: dict[str, Any],
    claim: tuple[Expr | str, Expr | str],
) -> Step:
    """Judge one step: false, circular, a jump, or true (and whether it does any work)."""
    problem = _inequality(left, right, environments)
    if problem:
        return Step(False, f"false — {problem}")
    sides = _symbolic(left, letters), _symbolic(right, letters)
    if sides[0] is None or sides[1] is None:
        return Step(True, "true (by entries).", justified=True)
    a, b = _flatten(sides[0]), _flatten(sides[1])
    if a == b:
        return Step(True, "true (the same expression rewritten).")
    if {a, b} == set(claim):
        return Step(
            False,
            f"circular — this step is the claim itself, what you are proving; {_instead(spec)}",
        )
    for rule in spec.rules:
        if b in _rewrites(a, rule) or a in _rewrites(b, rule):
            return Step(True, f"true (by {RULES[rule]}).", justified=rule != "identity")
    for rule in RULES:
        if rule not in spec.rules and (b in _rewrites(a, rule) or a in _rewrites(b, rule)):
            return Step(
                False,
                f"circular — this uses {RULES[rule]}, the very fact you are proving; "
                f"{_instead(spec)}",
            )
    if not spec.rules:
        return Step(
            False, "true, but it jumps between symbols without showing why; write out the entries."
        )
    allowed = " or ".join(RULES[rule] for rule in spec.rules)
    return Step(False, f"true, but it jumps too far; apply one rule at a time ({allowed}).")


def _instead(spec: ProofSpec) -> str:
    """What to do in place of a circular step: entries where the exercise names them (Exercise 8),
    otherwise its rules (Exercise 9's W has no entries to write out)."""
    if any(spec.matrices.values()) or not spec.rules:
        return "work it out with entries instead."
    usable = " or ".join(RULES[rule] for rule in spec.rules if rule != "identity")
    return f"apply one rule at a time instead ({usable})."


def _inequality(left: Any, right: Any, environments: list[dict[str, Any]]) -> str:
    """Why the two sides are not equal for every matrix, or "" when they are."""
    for env in environments:
        size = _square_size(env)
        if size:
            env = {**env, "I": sympy.ImmutableMatrix(sympy.eye(size))}
        try:
            a, b = build_tree(left, env=env), build_tree(right, env=env)
        except AnswerError as exc:
            if "cannot multiply" in str(exc):
                # The sizes are the checker's choice, not the learner's: speak of the product in
                # general.
                return (
                    "a product in it is not defined unless the matrices are square (check the "
                    "order of the factors)."
                )
            return f"{exc} (check the order of the factors)."
        if not (isinstance(a, sympy.MatrixBase) and isinstance(b, sympy.MatrixBase)):
            return "both sides must be matrices."
        if a.shape != b.shape:
            return "the two sides are not equal in general: they need not even have the same size."
        wrong = [
            (i + 1, j + 1)
            for i in range(a.shape[0])
            for j in range(a.shape[1])
            if sympy.expand(a[i, j] - b[i, j]) != 0
        ]
        if wrong:
            cells = ", ".join(f"({i},{j})" for i, j in wrong)
            return f"entry {cells} differs." if len(wrong) == 1 else f"entries {cells} differ."
    return ""


def _square_size(env: dict[str, Any]) -> int:
    shapes = {value.shape for value in env.values() if isinstance(value, sympy.MatrixBase)}
    sizes = {rows for rows, cols in shapes if rows == cols}
    return sizes.pop() if len(sizes) == 1 else 0


def _symbolic(node: Any, letters: dict[str, Any]) -> Expr | None:
    """The expression as letters, transposes and products; None if it computes entries or other
    maths.

    A matrix written out with a letter's own entries ([[a,c],[b,d]] for Aᵀ) counts as that letter,
    so writing the claim out in entries is still the claim."""
    if not isinstance(node, Tree):
        return None
    if node.data == "var":
        return Sym(str(node.children[0]))
    if node.data == "paren":
        return _symbolic(node.children[0], letters)
    if node.data == "bracket":
        return _substituted(node, letters)
    if node.data == "transpose":
        inner = _symbolic(node.children[0], letters)
        return None if inner is None else T(inner)
    if node.data in ("mul", "imul"):
        factors = [_symbolic(child, letters) for child in node.children]
        if any(factor is None for factor in factors):
            return None
        return _flatten(Prod(tuple(factors)))  # type: ignore[arg-type]
    return None


def _substituted(node: Any, letters: dict[str, Any]) -> Expr | None:
    """The letter (or transposed letter) whose entries a written-out matrix shows, if any."""
    try:
        value = build_tree(node)
    except AnswerError:
        return None
    if not isinstance(value, sympy.MatrixBase):
        return None
    for letter, matrix in letters.items():
        if value == matrix:
            return Sym(letter)
        if value == matrix.T:
            return T(Sym(letter))
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
                found.add(Prod(expr.factors[:index] + (new,) + expr.factors[index + 1 :]))
    return {_flatten(item) for item in found}
