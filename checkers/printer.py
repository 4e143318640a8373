"""How an answer was read: a Lark Transformer that pretty-prints parse trees, and a float preview.

No sympy here: the app previews every keystroke, so this costs only the Lark import.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer, Tree

_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 2, "imul": 2, "neg": 3, "pos": 3, "pow": 4}
_ATOMIC = {"number", "var", "const", "paren", "call", "call2", "bracket"}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_BINARY = {"add": " + ", "sub": " − ", "mul": "·", "div": "/", "imul": "·", "pow": "^"}


@dataclass(frozen=True)
class Shown:
    """A printed subtree and the rule that produced it (its parent brackets it by precedence)."""

    text: str
    kind: str = ""


def _text(item: Any) -> str:
    return item.text if isinstance(item, Shown) else str(item)


def _wrap(item: Shown, parent: str, *, right: bool) -> str:
    """The child's text, bracketed when the parent binds tighter (or equally, on the right)."""
    mine = _PRECEDENCE.get(item.kind)
    theirs = _PRECEDENCE[parent]
    if item.kind == "number" and parent == "pow" and not right and "·" in item.text:
        return f"({item.text})"
    if mine is None:
        return item.text
    if item.kind == "div" and parent in ("mul", "imul") and not right:
        return f"({item.text})"
    if (
        mine < theirs
        or (mine == theirs and right and parent in ("sub", "div"))
        or (parent == "pow" and not right and mine <= theirs)
    ):
        return f"({item.text})"
    return item.text


def _root(item: Shown) -> str:
    return f"√{item.text}" if item.kind in _ATOMIC else f"√({item.text})"


class _Printer(Transformer[Token, Shown]):
    """One method per grammar rule; children arrive already printed."""

    def start(self, kids: list[Any]) -> Shown:
        return Shown(", ".join(_text(kid) for kid in kids), "start")

    entries = start

    def chain(self, kids: list[Any]) -> Shown:
        return Shown(" = ".join(_text(kid) for kid in kids), "chain")

    def labelled(self, kids: list[Any]) -> Shown:
        return Shown(f"{kids[0]} = {_text(kids[1])}", "labelled")

    def number(self, kids: list[Any]) -> Shown:
        text = str(kids[0])
        if "e" in text.lower():
            mantissa, _, exponent = text.lower().partition("e")
            text = f"{mantissa}·10^{int(exponent)}"
        return Shown(text, "number")

    def var(self, kids: list[Any]) -> Shown:
        return Shown(str(kids[0]), "var")

    def const(self, kids: list[Any]) -> Shown:
        return Shown({"pi": "π", "inf": "∞"}.get(str(kids[0]), str(kids[0])), "const")

    def _binary(self, kind: str, kids: list[Any]) -> Shown:
        left = _wrap(kids[0], kind, right=False)
        right = _wrap(kids[1], kind, right=True)
        return Shown(f"{left}{_BINARY[kind]}{right}", kind)

    def add(self, kids: list[Any]) -> Shown:
        return self._binary("add", kids)

    def sub(self, kids: list[Any]) -> Shown:
        return self._binary("sub", kids)

    def mul(self, kids: list[Any]) -> Shown:
        return self._binary("mul", kids)

    def imul(self, kids: list[Any]) -> Shown:
        return self._binary("imul", kids)

    def div(self, kids: list[Any]) -> Shown:
        return self._binary("div", kids)

    def pow(self, kids: list[Any]) -> Shown:
        return self._binary("pow", kids)

    def neg(self, kids: list[Any]) -> Shown:
        return Shown(f"−{_wrap(kids[0], 'neg', right=True)}", "neg")

    def pos(self, kids: list[Any]) -> Shown:
        return kids[0]

    def paren(self, kids: list[Any]) -> Shown:
        return Shown(f"({_text(kids[0])})", "paren")

    def tuple(self, kids: list[Any]) -> Shown:
        return Shown("[" + ", ".join(_text(kid) for kid in kids) + "]", "tuple")

    angled = tuple

    def set(self, kids: list[Any]) -> Shown:
        return Shown("{" + ", ".join(_text(kid) for kid in kids if kid is not None) + "}", "set")

    def row(self, kids: list[Any]) -> Shown:
        return Shown(", ".join(_text(kid) for kid in kids), "row")

    def rows(self, kids: list[Any]) -> Shown:
        if len(kids) == 1:
            return Shown(kids[0].text, "rows")
        return Shown(", ".join(f"[{kid.text}]" for kid in kids), "rows")

    def bracket(self, kids: list[Any]) -> Shown:
        return Shown(f"[{kids[0].text}]", "bracket")

    def call(self, kids: list[Any]) -> Shown:
        name, argument = str(kids[0]), kids[1]
        if name == "sqrt":
            return Shown(_root(argument), "call")
        return Shown(f"{name}({argument.text})", "call")

    def call2(self, kids: list[Any]) -> Shown:
        return Shown(f"{kids[0]}({kids[1].text}, {kids[2].text})", "call2")

    def _call_power(self, name: str, power: str, argument: Shown) -> Shown:
        if power == "-1":
            return Shown(f"a{name}({argument.text})", "call")
        return Shown(f"{name}({argument.text})^{power}", "pow")

    def call_sup(self, kids: list[Any]) -> Shown:
        return self._call_power(str(kids[0]), str(kids[1]).translate(_SUPERSCRIPTS), kids[2])

    def call_pow(self, kids: list[Any]) -> Shown:
        return self._call_power(str(kids[0]), kids[1].text, kids[2])

    def fexp_pos(self, kids: list[Any]) -> Shown:
        return Shown(str(kids[0]), "number")

    def fexp_neg(self, kids: list[Any]) -> Shown:
        return Shown(f"-{kids[0]}", "number")

    def root(self, kids: list[Any]) -> Shown:
        return Shown(_root(kids[0]), "root")

    def abs(self, kids: list[Any]) -> Shown:
        return Shown(f"|{kids[0].text}|", "abs")

    def suppow(self, kids: list[Any]) -> Shown:
        power = str(kids[1]).translate(_SUPERSCRIPTS)
        return Shown(f"{_wrap(kids[0], 'pow', right=False)}^{power}", "suppow")

    def transpose(self, kids: list[Any]) -> Shown:
        return Shown(f"{_wrap(kids[0], 'pow', right=False)}ᵀ", "transpose")

    def degrees(self, kids: list[Any]) -> Shown:
        return Shown(f"{_wrap(kids[0], 'pow', right=False)}°", "degrees")

    def unit(self, kids: list[Any]) -> Shown:
        if str(kids[1]) == "deg":
            return Shown(f"{_wrap(kids[0], 'pow', right=False)}°", "degrees")
        return Shown(f"{kids[0].text} rad", "unit")

    def __default__(self, data: Any, children: list[Any], meta: Any) -> Shown:
        return Shown(" ".join(_text(kid) for kid in children), str(data))


_PRINTER = _Printer()


def show(node: Any) -> str:
    """Render a parse tree (or token) in the tutor's notation: explicit ·, √, [ ], ° and labels."""
    if isinstance(node, Tree):
        return _text(_PRINTER.transform(node))
    return str(node)


def approximate(tree: Tree[Any]) -> str | None:
    """A 6-significant-figure decimal of a scalar answer (floats); None if it is not a number."""
    try:
        value = _float(tree)
    except (ArithmeticError, ValueError, TypeError, _NotScalar):
        return None
    if value is None or not math.isfinite(value):
        return None
    return f"{value:.6g}"


class _NotScalar(Exception):
    pass


_FLOAT_FUNCS: dict[str, Any] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "sec": lambda x: 1 / math.cos(x),
    "csc": lambda x: 1 / math.sin(x),
    "cot": lambda x: 1 / math.tan(x),
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "tanh": math.tanh,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "abs": abs,
}
_INVERSE = {"sin": "asin", "cos": "acos", "tan": "atan"}


def _float(node: Any) -> float | None:
    """Evaluate a scalar tree with floats (bounded: huge powers overflow and give None)."""
    kind = node.data
    kids = node.children
    if kind in ("start", "entries", "chain"):
        if len(kids) != 1:
            raise _NotScalar
        return _float(kids[0])
    if kind == "number":
        return float(str(kids[0]))
    if kind == "const":
        return {"pi": math.pi, "e": math.e}.get(str(kids[0]), math.inf)
    if kind in ("paren", "pos"):
        return _float(kids[0])
    if kind == "neg":
        return -_number(kids[0])
    if kind in ("add", "sub", "mul", "imul", "div", "pow"):
        return _binary(kind, _number(kids[0]), _number(kids[1]))
    if kind == "suppow":
        return _number(kids[0]) ** int(str(kids[1]).translate(_SUPERSCRIPTS))
    if kind == "call":
        return float(_FLOAT_FUNCS[str(kids[0])](_number(kids[1])))
    if kind == "call2":
        return math.atan2(_number(kids[1]), _number(kids[2]))
    if kind in ("call_sup", "call_pow"):
        power = (
            int(str(kids[1]).translate(_SUPERSCRIPTS)) if kind == "call_sup" else int(show(kids[1]))
        )
        name = str(kids[0])
        if power == -1 and name in _INVERSE:
            return float(_FLOAT_FUNCS[_INVERSE[name]](_number(kids[2])))
        return float(_FLOAT_FUNCS[name](_number(kids[2])) ** power)
    if kind == "root":
        return math.sqrt(_number(kids[0]))
    if kind == "abs":
        return abs(_number(kids[0]))
    if kind == "degrees" or (kind == "unit" and str(kids[1]) == "deg"):
        return math.radians(_number(kids[0]))
    if kind == "unit":
        return _float(kids[0])
    raise _NotScalar


def _binary(kind: str, left: float, right: float) -> float | None:
    if kind == "add":
        return left + right
    if kind == "sub":
        return left - right
    if kind in ("mul", "imul"):
        return left * right
    if kind == "div":
        return left / right
    if abs(right) > 1e4 or (abs(left) > 1 and abs(right) * math.log10(abs(left)) > 300):
        return None
    return float(left**right)


def _number(node: Any) -> float:
    value = _float(node)
    if value is None:
        raise ValueError("no value")
    return value
