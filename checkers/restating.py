"""Answers that only restate a computation exercise: `[[1,2],[3,4]]·[[5,6],[7,8]]` for "compute AB",
`v/√(1+1+1+1)` for "normalise v". They are mathematically right but skip the work, so they are
refused (not graded) with a message that says what to work out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lark import Tree

PRODUCT = (
    "That only restates the question: multiply out the matrices and type the resulting matrix, "
    "entry by entry."
)
NORMALISE = (
    "That only restates the question: work out the norm as a single number first, then "
    "divide each entry by it."
)
MESSAGES = {"product": PRODUCT, "normalise": NORMALISE}
"""What each exercise kind (a part's `compute` option) asks to be worked out."""


def restates(tree: Tree[Any] | None, compute: str) -> str:
    """The refusal message when `tree` leaves undone the work `compute` names, else ""."""
    if tree is None or compute not in MESSAGES:
        return ""
    nodes = list(_walk(tree))
    if compute == "product" and any(_is_matrix_product(node) for node in nodes):
        return PRODUCT
    if compute == "normalise" and any(
        node.data == "div" and _has_sum(node.children[1]) for node in nodes
    ):
        return NORMALISE
    return ""


def _walk(tree: Tree[Any]) -> Iterator[Tree[Any]]:
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in node.children if isinstance(child, Tree))


def _strip(node: Any) -> Any:
    while isinstance(node, Tree) and node.data in ("paren", "pos", "transpose"):
        node = node.children[0]
    return node


def _is_matrix_literal(node: Any) -> bool:
    """`[[1,2],[3,4]]` or `[1 2; 3 4]`: a bracket of several rows, or of one row of vectors."""
    node = _strip(node)
    if not (isinstance(node, Tree) and node.data == "bracket"):
        return False
    rows = node.children[0].children
    if len(rows) > 1:
        return True
    return all(
        isinstance(_strip(entry), Tree) and _strip(entry).data in ("bracket", "tuple")
        for entry in rows[0].children
    )


def _is_matrix_product(node: Tree[Any]) -> bool:
    return node.data in ("mul", "imul") and all(
        _is_matrix_literal(child) for child in node.children
    )


def _has_sum(node: Any) -> bool:
    """A sum left unworked (`1+1+1+1`, `1²+1²`) somewhere in a divisor."""
    return isinstance(node, Tree) and any(part.data in ("add", "sub") for part in _walk(node))
