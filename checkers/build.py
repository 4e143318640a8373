"""Turn a checked parse tree into sympy values (scalars, vectors, matrices, sets, lists) without
eval."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypeAlias

import sympy
from lark import Token, Tree

from checkers.rounding import Typed
from checkers.syntax import PLAIN, AnswerError, Names, parse_tree, show

if TYPE_CHECKING:
    from typing_extensions import TypeIs

MAX_POWER_BITS = 12_000
"""Largest exact integer a power may produce (~3600 digits, under Python's 4300-digit str limit)."""
MAX_EXPONENT = 1000
MAX_MATRIX_SIDE = 12
MATRIX_POWER_LIMIT = 12


@dataclass(frozen=True)
class Seq:
    """An ordered sequence: a vector (`[1, 2]`, `(1, 2)`, `⟨1,2⟩`) or a bare comma list (`3, 1`)."""

    items: tuple[Value, ...]
    bare: bool = False
    """True for a comma list typed without brackets."""


@dataclass(frozen=True)
class SetOf:
    """A set typed in braces; duplicates are allowed and ignored when comparing."""

    items: tuple[Value, ...]


@dataclass(frozen=True)
class Labelled:
    """`λ = 3`, `σ₁ = 5`: a value with the name the learner gave it."""

    name: str
    value: Value


Value: TypeAlias = sympy.Expr | sympy.ImmutableMatrix | Seq | SetOf | Labelled


@dataclass
class Answer:
    """A parsed answer: its value, how it was read, and facts the checkers and detectors use."""

    value: Value
    read_as: str
    decimal: bool = False
    """Some number was typed with a decimal point or an exponent."""
    degrees: bool = False
    radians: bool = False
    number_text: str | None = None
    """The literal as typed when the whole answer is one (possibly negated) number."""
    symbols: set[str] = field(default_factory=set)
    typed: Typed = field(default_factory=Typed)
    """The literals as typed, for the rounding policy."""
    tree: Tree[Any] | None = None
    """The parse tree, for checks on how the answer was written (see checkers.restating)."""


def parse(
    text: str, *, real: bool = False, names: Names = PLAIN, env: dict[str, Any] | None = None
) -> Answer:
    """Parse learner text into an Answer; AnswerError with a learner-facing message if it can't be
    read."""
    tree = parse_tree(text, names=names)
    builder = _Builder(real=real, env=env or {})
    try:
        value = builder.build(tree)
    except AnswerError:
        raise
    except ValueError as exc:
        # Python's 4300-digit int/str limit and sympy's own refusals land here.
        raise AnswerError(f"the answer is too large to work with ({exc})") from None
    except (TypeError, ArithmeticError, sympy.ShapeError, sympy.NonSquareMatrixError) as exc:
        raise AnswerError(f"that combination does not make sense ({exc})") from None
    except RecursionError:
        raise AnswerError("the answer is nested too deeply") from None
    return Answer(
        value=value,
        read_as=show(tree),
        decimal=builder.decimal,
        degrees=builder.degrees,
        radians=builder.radians,
        number_text=_number_text(tree),
        symbols=builder.symbols,
        typed=builder.typed,
        tree=tree,
    )


def build_tree(tree: Tree[Any], *, real: bool = False, env: dict[str, Any] | None = None) -> Value:
    """Build the value of an already parsed tree (used by proof chains, one side at a time)."""
    return _Builder(real=real, env=env or {}).build(tree)


def _number_text(tree: Tree[Any]) -> str | None:
    node: Any = tree
    sign = ""
    while isinstance(node, Tree):
        if node.data in ("start", "entries", "pos", "paren") and len(node.children) == 1:
            node = node.children[0]
        elif node.data == "neg":
            sign = "" if sign else "-"
            node = node.children[0]
        elif node.data == "number":
            return sign + str(node.children[0])
        else:
            return None
    return None


def rational(text: str) -> sympy.Rational:
    """A decimal literal read exactly: 0.1 is 1/10, 5.1e-2 is 51/1000."""
    fraction = Fraction(text)
    return sympy.Rational(fraction.numerator, fraction.denominator)


_FUNCS: dict[str, Any] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "sec": sympy.sec,
    "csc": sympy.csc,
    "cot": sympy.cot,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
}
_INVERSE = {"sin": "asin", "cos": "acos", "tan": "atan"}
_ARGUMENT_LIMITS = {
    "exp": 1e4,
    "sinh": 1e4,
    "cosh": 1e4,
    "sin": 1e6,
    "cos": 1e6,
    "tan": 1e6,
    "sec": 1e6,
    "csc": 1e6,
    "cot": 1e6,
}
"""Beyond these, evaluating the function costs seconds of precision for no teaching value."""


def _magnitude(value: sympy.Expr) -> float:
    try:
        return abs(complex(sympy.N(value, 15)))
    except (TypeError, ValueError, OverflowError):
        return float("inf")


_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")


def is_scalar(value: Any) -> TypeIs[sympy.Expr]:
    """True for a single number or expression."""
    return isinstance(value, sympy.Expr) and not isinstance(value, sympy.MatrixBase)


def entries(vector: Seq) -> list[sympy.Expr]:
    """The numbers of a vector; AnswerError when an entry is not a single number."""
    numbers = []
    for item in vector.items:
        if not is_scalar(item):
            raise AnswerError("every entry of a vector must be a single number")
        numbers.append(item)
    return numbers


class _Builder:
    def __init__(self, *, real: bool, env: dict[str, Any]) -> None:
        self.real = real
        self.env = env
        self.decimal = False
        self.degrees = False
        self.radians = False
        self.symbols: set[str] = set()
        self.typed = Typed()

    def build(self, node: Any) -> Value:
        method = getattr(self, f"_{node.data}", None)
        if method is None:
            raise AnswerError(f"cannot use '{show(node)}' here")
        return method(*node.children)

    # Top level -------------------------------------------------------------------------------
    def _start(self, entries: Tree[Any]) -> Value:
        return self.build(entries)

    def _entries(self, *entries: Any) -> Value:
        values = tuple(self.build(entry) for entry in entries)
        return values[0] if len(values) == 1 else Seq(values, bare=True)

    def _labelled(self, name: Token, expr: Any) -> Value:
        return Labelled(str(name), self.build(expr))

    def _chain(self, *exprs: Any) -> Value:
        if len(exprs) != 1:
            raise AnswerError("'=' joins the steps of a proof; give a single value here")
        return self.build(exprs[0])

    # Atoms -------------------------------------------------------------------------------------
    def _number(self, token: Token) -> Value:
        text = str(token)
        if "." in text or "e" in text.lower():
            self.decimal = True
        value = rational(text)
        self.typed.add(text, value)
        return value

    def _var(self, token: Token) -> Value:
        name = str(token)
        if name in self.env:
            return self.env[name]
        self.symbols.add(name)
        return sympy.Symbol(name, real=True) if self.real else sympy.Symbol(name)

    def _const(self, token: Token) -> Value:
        return {"pi": sympy.pi, "e": sympy.E, "inf": sympy.oo}[str(token)]

    def _paren(self, expr: Any) -> Value:
        return self.build(expr)

    def _tuple(self, *exprs: Any) -> Value:
        return Seq(tuple(self._entry_value(expr) for expr in exprs))

    _angled = _tuple

    def _set(self, *exprs: Any) -> Value:
        return SetOf(tuple(self.build(expr) for expr in exprs if expr is not None))

    def _bracket(self, rows: Tree[Any]) -> Value:
        built = [[self.build(expr) for expr in row.children] for row in rows.children]
        if len(built) == 1:
            entries = built[0]
            vectors = [entry for entry in entries if isinstance(entry, Seq)]
            if vectors and len(vectors) == len(entries):
                return self._matrix([list(vector.items) for vector in vectors])
            columns = [entry for entry in entries if isinstance(entry, sympy.MatrixBase)]
            if len(columns) == len(entries) and all(column.shape[1] == 1 for column in columns):
                return self._matrix([list(column) for column in columns]).T
            return Seq(tuple(self._scalar(entry, "a vector entry") for entry in entries))
        return self._matrix(built)

    def _matrix(self, rows: list[list[Value]]) -> sympy.ImmutableMatrix:
        width = len(rows[0])
        if any(len(row) != width for row in rows):
            raise AnswerError("the rows of the matrix have different lengths")
        if len(rows) > MAX_MATRIX_SIDE or width > MAX_MATRIX_SIDE:
            raise AnswerError(f"matrices are limited to {MAX_MATRIX_SIDE}×{MAX_MATRIX_SIDE}")
        return sympy.ImmutableMatrix(
            [[self._scalar(v, "a matrix entry") for v in row] for row in rows]
        )

    def _entry_value(self, expr: Any) -> Value:
        return self._scalar(self.build(expr), "a vector entry")

    def _scalar(self, value: Value, where: str) -> sympy.Expr:
        if not is_scalar(value):
            raise AnswerError(f"{where} must be a single number")
        return value

    # Functions ----------------------------------------------------------------------------------
    def _call(self, name: Token, argument: Any) -> Value:
        return self._apply(str(name), self.build(argument))

    def _call2(self, name: Token, first: Any, second: Any) -> Value:
        y, x = self.build(first), self.build(second)
        if not (is_scalar(y) and is_scalar(x)):
            raise AnswerError(f"{name} takes two single numbers, y then x")
        if y == 0 and x == 0:
            raise AnswerError(f"{name}(0, 0) has no angle")
        return sympy.atan2(y, x)

    def _call_sup(self, name: Token, sup: Token, argument: Any) -> Value:
        return self._call_power(str(name), int(str(sup).translate(_SUPER)), argument)

    def _call_pow(self, name: Token, power: Any, argument: Any) -> Value:
        return self._call_power(str(name), int(show(power)), argument)

    def _call_power(self, name: str, power: int, argument: Any) -> Value:
        if power == -1 and name in _INVERSE:
            return self._apply(_INVERSE[name], self.build(argument))
        return self._power(self._apply(name, self.build(argument)), sympy.Integer(power))

    def _apply(self, name: str, value: Value) -> Value:
        if not is_scalar(value):
            raise AnswerError(f"{name} takes a single number, not a vector or matrix")
        limit = _ARGUMENT_LIMITS.get(name)
        if limit is not None and value.is_number and _magnitude(value) > limit:
            raise AnswerError(f"the number inside {name}( ) is too large to work with")
        return _FUNCS[name](value)

    def _root(self, operand: Any) -> Value:
        return self._apply("sqrt", self.build(operand))

    def _abs(self, expr: Any) -> Value:
        return self._apply("abs", self.build(expr))

    # Operators ------------------------------------------------------------------------------------
    def _add(self, left: Any, right: Any) -> Value:
        return _combine(self.build(left), self.build(right), "+")

    def _sub(self, left: Any, right: Any) -> Value:
        return _combine(self.build(left), _negate(self.build(right)), "+")

    def _mul(self, left: Any, right: Any) -> Value:
        return _multiply(self.build(left), self.build(right))

    _imul = _mul

    def _div(self, left: Any, right: Any) -> Value:
        denominator = self.build(right)
        if not is_scalar(denominator):
            raise AnswerError("you can only divide by a number")
        if denominator == 0:
            raise AnswerError("division by zero")
        return _multiply(self.build(left), 1 / denominator)

    def _neg(self, operand: Any) -> Value:
        return _negate(self.build(operand))

    def _pos(self, operand: Any) -> Value:
        return self.build(operand)

    def _pow(self, base: Any, exponent: Any) -> Value:
        return self._power(self.build(base), self.build(exponent))

    def _suppow(self, base: Any, sup: Token) -> Value:
        return self._power(self.build(base), sympy.Integer(int(str(sup).translate(_SUPER))))

    def _power(self, base: Value, exponent: Value) -> Value:
        if not is_scalar(exponent):
            raise AnswerError("an exponent must be a single number")
        if isinstance(base, sympy.MatrixBase):
            if not (exponent.is_Integer and 0 <= int(exponent) <= MATRIX_POWER_LIMIT):
                raise AnswerError(
                    f"matrix powers are limited to whole numbers 0…{MATRIX_POWER_LIMIT}"
                )
            return sympy.ImmutableMatrix(base ** int(exponent))
        if not is_scalar(base):
            raise AnswerError("only numbers and square matrices can be raised to a power")
        _check_power_size(base, exponent)
        return _bounded(base**exponent)

    def _transpose(self, operand: Any) -> Value:
        value = self.build(operand)
        if isinstance(value, sympy.MatrixBase):
            return sympy.ImmutableMatrix(value.T)
        if isinstance(value, Seq) and not value.bare:
            return value
        if is_scalar(value):
            return value
        raise AnswerError("ᵀ applies to a vector or a matrix")

    def _degrees(self, operand: Any) -> Value:
        self.degrees = self.typed.degrees = True
        value = self.build(operand)
        return _multiply(value, sympy.pi / 180)

    def _unit(self, operand: Any, unit: Token) -> Value:
        if str(unit) == "deg":
            return self._degrees(operand)
        self.radians = True
        return self.build(operand)


def _check_power_size(base: sympy.Expr, exponent: sympy.Expr) -> None:
    """Refuse powers whose exact value would be astronomically large, before sympy computes them."""
    if not exponent.is_number or exponent.free_symbols:
        return
    if exponent.is_Rational:
        numerator = abs(int(exponent.p))
        if base.is_Rational and base not in (0, 1, -1):
            size = max(abs(int(base.p)), abs(int(base.q)))
            if numerator * math.log2(size) > MAX_POWER_BITS:
                raise AnswerError("that power is too large to work with")
        elif numerator > MAX_EXPONENT and base not in (0, 1, -1):
            raise AnswerError("that exponent is too large to work with")
        if abs(int(exponent.q)) > 10**6:
            raise AnswerError("that exponent is too complicated")
        return
    try:
        magnitude = abs(float(sympy.N(exponent, 15)))
    except (TypeError, ValueError):
        return
    if magnitude > MAX_EXPONENT:
        raise AnswerError("that exponent is too large to work with")


def _bounded(value: Value) -> Value:
    """Refuse exact numbers too large to print (Python's 4300-digit limit) before anything uses
    them."""
    if isinstance(value, sympy.Rational):
        if max(int(value.p).bit_length(), int(value.q).bit_length()) > MAX_POWER_BITS:
            raise AnswerError("that number is too large to work with")
    return value


def _negate(value: Value) -> Value:
    return _multiply(value, sympy.Integer(-1))


def _multiply(left: Value, right: Value) -> Value:
    if is_scalar(left) and is_scalar(right):
        return _bounded(left * right)
    if is_scalar(left) or is_scalar(right):
        scalar, other = (left, right) if is_scalar(left) else (right, left)
        if isinstance(other, Seq) and not other.bare:
            return Seq(tuple(scalar * item for item in other.items))  # type: ignore[operator]
        if isinstance(other, sympy.MatrixBase):
            return sympy.ImmutableMatrix(other * scalar)
        raise AnswerError("a number can multiply a vector or a matrix, not a list or a set")
    if isinstance(left, sympy.MatrixBase) and isinstance(right, sympy.MatrixBase):
        if left.shape[1] != right.shape[0]:
            raise AnswerError(
                f"cannot multiply a {_shape(left)} matrix by a {_shape(right)} matrix"
            )
        return sympy.ImmutableMatrix(left * right)
    if isinstance(left, sympy.MatrixBase) and isinstance(right, Seq):
        if left.shape[1] != len(right.items):
            raise AnswerError(
                f"cannot multiply a {_shape(left)} matrix by a vector of {len(right.items)}"
            )
        return Seq(tuple(left * sympy.Matrix(right.items)))
    raise AnswerError(
        "that product is not defined (use a number times a vector, or matrix products)"
    )


def _combine(left: Value, right: Value, op: str) -> Value:
    if is_scalar(left) and is_scalar(right):
        return _bounded(left + right)
    if isinstance(left, Seq) and isinstance(right, Seq) and not left.bare and not right.bare:
        if len(left.items) != len(right.items):
            raise AnswerError(
                f"cannot add vectors of lengths {len(left.items)} and {len(right.items)}"
            )
        return Seq(tuple(a + b for a, b in zip(left.items, right.items, strict=False)))  # type: ignore[operator]
    if isinstance(left, sympy.MatrixBase) and isinstance(right, sympy.MatrixBase):
        if left.shape != right.shape:
            raise AnswerError(f"cannot add a {_shape(left)} matrix and a {_shape(right)} matrix")
        return sympy.ImmutableMatrix(left + right)
    raise AnswerError("you can only add things of the same kind and size")


def _shape(matrix: Any) -> str:
    return f"{matrix.shape[0]}×{matrix.shape[1]}"
