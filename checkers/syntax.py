"""Parse learner answers with the Lark grammar into a checked tree, and preview how it was read.

No sympy here: the app calls `read_as` on every keystroke, so this module costs only the Lark import.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

MAX_CHARS = 2000
"""Longest answer read; anything longer is refused before the lexer runs."""
MAX_TOKENS = 600
MAX_DEPTH = 40
"""Deepest tree (brackets and operator nesting) accepted."""
MAX_NUMBER_DIGITS = 60

FUNCTIONS: dict[str, str] = {
    "sin": "sin", "cos": "cos", "tan": "tan", "sec": "sec", "csc": "csc", "cosec": "csc",
    "cot": "cot", "asin": "asin", "acos": "acos", "atan": "atan", "arcsin": "asin",
    "arccos": "acos", "arctan": "atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
    "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "abs": "abs",
}
CONSTANTS: dict[str, str] = {
    "pi": "pi", "π": "pi", "e": "e", "inf": "inf", "infinity": "inf", "oo": "inf", "∞": "inf",
}
UNITS: dict[str, str] = {
    "deg": "deg", "degree": "deg", "degrees": "deg", "rad": "rad", "radian": "rad", "radians": "rad",
}
SEPARATOR_WORDS = {"and", "or"}
GREEK_NAMES: dict[str, str] = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "theta": "θ", "lambda": "λ", "lam": "λ",
    "mu": "μ", "sigma": "σ", "phi": "φ", "psi": "ψ", "omega": "ω", "tau": "τ",
}
COMPLEX_NAMES = {"i", "j", "I"}
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_OPERAND_END = {"NUMBER", "VAR", "CONST", "_RPAR", "_RSQB", "_RBRACE", "_RANGLE", "SUP", "_TSUP",
                "_DEGREE", "UNIT"}
_OPERAND_START = {"NUMBER", "VAR", "CONST", "FUNC", "_LPAR", "_LSQB", "_LBRACE", "_LANGLE", "_ROOT"}
_OPENERS = {"_LPAR": "_RPAR", "_LSQB": "_RSQB", "_LBRACE": "_RBRACE", "_LANGLE": "_RANGLE"}


class AnswerError(ValueError):
    """An answer that cannot be read; the message says what and where, in a learner's words."""


@dataclass(frozen=True)
class Names:
    """What multi-letter words mean in one context (e.g. proofs declare matrix and entry letters)."""

    split: frozenset[str] = frozenset()
    """Letters a word may be split into (`ae` → a·e) when every letter is declared."""
    matrices: frozenset[str] = frozenset()
    """Upper-case letters that name matrices (proof mode); `I` is then the identity."""


PLAIN = Names()
_LOCK = threading.Lock()
"""The post-lexer carries per-parse settings, so one parse runs at a time."""


def _word_error(word: str) -> AnswerError:
    if word in COMPLEX_NAMES:
        return AnswerError(f"'{word}': complex numbers are not used in these answers")
    hint = ""
    if word.isascii() and word.isalpha() and len(word) == 2:
        hint = f" (for a product write {'*'.join(word)})"
    return AnswerError(f"unknown word '{word}'{hint}")


def _classify(token: Token, names: Names) -> Iterator[Token]:
    """Give a NAME token its kind; unknown multi-letter words are errors that name the word."""
    word = str(token)
    lower = word.lower()
    if word in names.split or word in names.matrices:
        yield Token.new_borrow_pos("VAR", word, token)
    elif word in CONSTANTS:
        yield Token.new_borrow_pos("CONST", CONSTANTS[word], token)
    elif lower in FUNCTIONS and (word.islower() or word.isupper() and len(word) > 1):
        yield Token.new_borrow_pos("FUNC", FUNCTIONS[lower], token)
    elif lower in UNITS:
        yield Token.new_borrow_pos("UNIT", UNITS[lower], token)
    elif lower in SEPARATOR_WORDS:
        yield Token.new_borrow_pos("_WORDSEP", word, token)
    elif (variable := _variable_name(word, names)) is not None:
        yield Token.new_borrow_pos("VAR", variable, token)
    elif (split := _split_function_digits(token)) is not None:
        yield from split
    elif (names.split or names.matrices) and all(letter in names.split or letter in names.matrices for letter in word):
        for offset, letter in enumerate(word):
            part = Token("VAR", letter, start_pos=token.start_pos + offset, end_pos=token.start_pos + offset + 1)
            yield part
    else:
        raise _word_error(word)


def _variable_name(word: str, names: Names) -> str | None:
    """`x`, `λ`, `λ1`, `σ₁`, `lambda_2`, `u1` are variables; returns the canonical spelling."""
    base = word.rstrip("0123456789₀₁₂₃₄₅₆₇₈₉").rstrip("_")
    index = word[len(base):].lstrip("_").translate(_SUBSCRIPTS)
    base = GREEK_NAMES.get(base.lower(), base)
    if len(base) != 1 or base == "∞":
        return None
    if base in COMPLEX_NAMES and not index and not (base == "I" and names.matrices):
        raise _word_error(base)
    if base == "π":
        return None
    return base + index


def _split_function_digits(token: Token) -> list[Token] | None:
    """`sqrt54` reads as sqrt(54): a function name glued to a number."""
    word = str(token)
    head = word.rstrip("0123456789")
    if head == word or head.lower() not in FUNCTIONS:
        return None
    cut = token.start_pos + len(head)
    return [
        Token("FUNC", FUNCTIONS[head.lower()], start_pos=token.start_pos, end_pos=cut),
        Token("NUMBER", word[len(head):], start_pos=cut, end_pos=token.end_pos),
    ]


class _PostLex:
    """Classifies names and rewrites separators inside brackets (MATLAB rows and columns)."""

    always_accept = ("NAME", "_SEMI", "_NL")

    def __init__(self) -> None:
        self.names = PLAIN
        self.chain = False

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        tokens: list[Token] = []
        for token in stream:
            if token.type == "NAME":
                tokens.extend(_classify(token, self.names))
            else:
                tokens.append(token)
            if len(tokens) > MAX_TOKENS:
                raise AnswerError(f"the answer is too long (more than {MAX_TOKENS} symbols)")
        yield from self._separators(tokens)

    def _separators(self, tokens: list[Token]) -> Iterator[Token]:
        stack: list[tuple[str, bool]] = []
        for index, token in enumerate(tokens):
            kind = token.type
            previous = tokens[index - 1] if index else None
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            in_square = bool(stack) and stack[-1][0] == "_LSQB"
            matlab = in_square and stack[-1][1]
            if kind in ("_SEMI", "_NL"):
                if in_square and (kind == "_SEMI" or _between_operands(previous, following)):
                    yield Token.new_borrow_pos("_ROWSEP", ";", token)
                elif kind == "_SEMI" and not stack:
                    yield token
                elif kind == "_NL" and not stack and _between_operands(previous, following):
                    # A line break between two values separates list entries, or proof steps.
                    yield Token.new_borrow_pos("_EQ", "=", token) if self.chain else token
                elif kind == "_SEMI":
                    raise AnswerError(f"';' at column {token.column} is only used between matrix rows")
                continue
            if matlab and previous is not None and _starts_new_entry(previous, token, following):
                yield Token("_COLSEP", " ", start_pos=token.start_pos, end_pos=token.start_pos)
            if kind in _OPENERS:
                stack.append((kind, kind == "_LSQB" and not _has_comma(tokens, index)))
                if len(stack) > MAX_DEPTH // 2:
                    raise AnswerError("brackets are nested too deeply")
            elif stack and kind == _OPENERS[stack[-1][0]]:
                stack.pop()
            yield token


def _between_operands(previous: Token | None, following: Token | None) -> bool:
    return (
        previous is not None
        and following is not None
        and previous.type in _OPERAND_END
        and (following.type in _OPERAND_START or following.type in ("_MINUS", "_PLUS"))
    )


def _starts_new_entry(previous: Token, token: Token, following: Token | None) -> bool:
    """In `[1 -2 x]` a gap between two operands starts a new entry; `1 - 2` stays a difference."""
    if token.start_pos is None or previous.end_pos is None or token.start_pos <= previous.end_pos:
        return False
    if previous.type not in _OPERAND_END:
        return False
    if token.type in _OPERAND_START:
        return True
    if token.type in ("_MINUS", "_PLUS") and following is not None:
        return following.start_pos == token.end_pos and following.type in _OPERAND_START
    return False


def _has_comma(tokens: list[Token], open_index: int) -> bool:
    """Whether the bracket opened at `open_index` separates entries with commas at its own level."""
    depth = 0
    for token in tokens[open_index + 1:]:
        if token.type in _OPENERS:
            depth += 1
        elif token.type in _OPENERS.values():
            if depth == 0:
                return False
            depth -= 1
        elif token.type == "_COMMA" and depth == 0:
            return True
    return False


@lru_cache(maxsize=1)
def _parser() -> tuple[Lark, _PostLex]:
    postlex = _PostLex()
    grammar = (Path(__file__).with_name("answer.lark")).read_text(encoding="utf-8")
    parser = Lark(grammar, parser="lalr", lexer="basic", start=["start", "chain"], postlex=postlex,
                  maybe_placeholders=False, cache=False)
    return parser, postlex


def parse_tree(text: str, *, names: Names = PLAIN, chain: bool = False) -> Tree[Any]:
    """The checked parse tree of an answer; AnswerError says why it cannot be read."""
    if len(text) > MAX_CHARS:
        raise AnswerError(f"the answer is too long ({len(text)} characters; the limit is {MAX_CHARS})")
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise AnswerError("the answer is empty")
    parser, postlex = _parser()
    with _LOCK:
        return _parse_locked(parser, postlex, text, names, chain)


def _parse_locked(parser: Lark, postlex: _PostLex, text: str, names: Names, chain: bool) -> Tree[Any]:
    postlex.names, postlex.chain = names, chain
    try:
        tree = parser.parse(text, start="chain" if chain else "start")
    except AnswerError:
        raise
    except UnexpectedInput as exc:
        raise AnswerError(_syntax_message(text, exc)) from None
    except LarkError as exc:
        raise AnswerError(f"cannot read the answer: {exc}") from None
    finally:
        postlex.names, postlex.chain = PLAIN, False
    _check_limits(tree)
    return tree


def _syntax_message(text: str, exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else "?"
        return f"the character '{char}' at column {exc.column} is not part of the answer language"
    if isinstance(exc, UnexpectedEOF):
        return "the answer ends too early (a bracket or an operand is missing)"
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            return "the answer ends too early (a bracket or an operand is missing)"
        shown = str(token) if token.type not in ("_ROWSEP", "_COLSEP", "_NL") else "a line break"
        before = text[: token.start_pos].rstrip() if token.start_pos is not None else ""
        if token.type == "NUMBER" and before and (before[-1].isalnum() or before[-1] in ")]}°"):
            return (f"two values side by side at column {token.column}: separate them with a comma, "
                    f"or write * to multiply")
        if token.type == "_EQ":
            return f"'=' at column {token.column}: only a name like λ or σ₁ may stand before '='"
        return f"unexpected '{shown}' at column {token.column}"
    return f"cannot read the answer: {exc}"


def _check_limits(tree: Tree[Any]) -> None:
    """Refuse trees that are too deep or too big, and number literals that are too long."""
    stack: list[tuple[Any, int]] = [(tree, 1)]
    size = 0
    while stack:
        node, depth = stack.pop()
        size += 1
        if depth > MAX_DEPTH:
            raise AnswerError("the answer is nested too deeply")
        if isinstance(node, Tree):
            stack.extend((child, depth + 1) for child in node.children)
        elif isinstance(node, Token) and node.type == "NUMBER":
            digits = len(str(node).split("e")[0].split("E")[0])
            if digits > MAX_NUMBER_DIGITS:
                raise AnswerError(f"the number at column {node.column} has too many digits")
            exponent = str(node).lower().partition("e")[2]
            if exponent and abs(int(exponent)) > 300:
                raise AnswerError(f"the power of ten at column {node.column} is too large")


def read_as(text: str) -> str:
    """How the answer was read, pretty-printed with a decimal value where it has one; or the error."""
    try:
        tree = parse_tree(text)
    except AnswerError as exc:
        return f"⚠ {exc}"
    shown = show(tree)
    value = approximate(tree)
    if value is not None and not _is_plain_number(shown) and "°" not in shown:
        shown += f"  ≈ {value}"
    return shown


def _is_plain_number(shown: str) -> bool:
    return shown.lstrip("-").replace(".", "", 1).isdigit()


_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 2, "imul": 2, "neg": 3, "pos": 3, "pow": 4}
_SHOW_SUP = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")


def show(node: Any) -> str:
    """Render a parse tree in the tutor's own notation: explicit ·, √, [ ], ° and labels."""
    if isinstance(node, Token):
        return str(node)
    kind = node.data
    kids = node.children
    if kind in ("start", "entries"):
        parts = [show(kid) for kid in kids]
        return ", ".join(parts)
    if kind == "chain":
        return " = ".join(show(kid) for kid in kids)
    if kind == "labelled":
        return f"{kids[0]} = {show(kids[1])}"
    if kind == "number":
        return _show_number(str(kids[0]))
    if kind in ("var", "const"):
        return {"pi": "π", "inf": "∞"}.get(str(kids[0]), str(kids[0]))
    if kind in ("add", "sub", "mul", "div", "imul", "pow"):
        symbol = {"add": " + ", "sub": " − ", "mul": "·", "div": "/", "imul": "·", "pow": "^"}[kind]
        left = _wrap(kids[0], kind, right=False)
        right = _wrap(kids[1], kind, right=True)
        return f"{left}{symbol}{right}"
    if kind == "neg":
        return f"−{_wrap(kids[0], kind, right=True)}"
    if kind == "pos":
        return show(kids[0])
    if kind == "paren":
        return f"({show(kids[0])})"
    if kind in ("tuple", "angled"):
        return "[" + ", ".join(show(kid) for kid in kids) + "]"
    if kind == "set":
        return "{" + ", ".join(show(kid) for kid in kids if kid is not None) + "}"
    if kind == "bracket":
        rows = kids[0].children
        if len(rows) == 1:
            return "[" + ", ".join(show(kid) for kid in rows[0].children) + "]"
        return "[" + ", ".join("[" + ", ".join(show(k) for k in row.children) + "]" for row in rows) + "]"
    if kind == "call" and str(kids[0]) == "sqrt":
        return f"√{show(kids[1])}" if _is_atomic(kids[1]) else f"√({show(kids[1])})"
    if kind == "call":
        return f"{kids[0]}({show(kids[1])})"
    if kind == "call_sup":
        power = str(kids[1]).translate(_SUPERSCRIPTS)
        if power == "-1":
            return f"a{kids[0]}({show(kids[2])})"
        return f"{kids[0]}({show(kids[2])})^{power}"
    if kind == "call_pow":
        power = show(kids[1])
        if power == "-1":
            return f"a{kids[0]}({show(kids[2])})"
        return f"{kids[0]}({show(kids[2])})^{power}"
    if kind == "fexp_pos":
        return str(kids[0])
    if kind == "fexp_neg":
        return f"-{kids[0]}"
    if kind == "root":
        inner = kids[0]
        text = show(inner)
        return f"√{text}" if _is_atomic(inner) else f"√({text})"
    if kind == "abs":
        return f"|{show(kids[0])}|"
    if kind == "suppow":
        return f"{_wrap(kids[0], 'pow', right=False)}^{str(kids[1]).translate(_SUPERSCRIPTS)}"
    if kind == "transpose":
        return f"{_wrap(kids[0], 'pow', right=False)}ᵀ"
    if kind == "degrees":
        return f"{_wrap(kids[0], 'pow', right=False)}°"
    if kind == "unit":
        unit = str(kids[1])
        return f"{_wrap(kids[0], 'pow', right=False)}°" if unit == "deg" else f"{show(kids[0])} rad"
    return " ".join(show(kid) for kid in kids)


def _show_number(text: str) -> str:
    if "e" in text.lower():
        mantissa, _, exponent = text.lower().partition("e")
        return f"{mantissa}·10^{int(exponent)}"
    return text


def _is_atomic(node: Any) -> bool:
    return isinstance(node, Tree) and node.data in ("number", "var", "const", "paren", "call", "bracket")


def _wrap(node: Any, parent: str, *, right: bool) -> str:
    text = show(node)
    kind = node.data if isinstance(node, Tree) else ""
    mine = _PRECEDENCE.get(kind)
    theirs = _PRECEDENCE[parent]
    if kind == "number" and parent == "pow" and not right and "·" in text:
        return f"({text})"
    if mine is None:
        return text
    if kind == "div" and parent in ("mul", "imul") and not right:
        return f"({text})"
    if mine < theirs or (mine == theirs and right and parent in ("sub", "div")) or (
        parent == "pow" and not right and mine <= theirs
    ):
        return f"({text})"
    return text


def approximate(tree: Tree[Any]) -> str | None:
    """A 6-significant-figure decimal of a scalar answer, computed with floats; None if not a number."""
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
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "sec": lambda x: 1 / math.cos(x),
    "csc": lambda x: 1 / math.sin(x), "cot": lambda x: 1 / math.tan(x), "asin": math.asin,
    "acos": math.acos, "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "exp": math.exp, "log": math.log, "sqrt": math.sqrt, "abs": abs,
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
        left, right = _number(kids[0]), _number(kids[1])
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
    if kind == "suppow":
        return _number(kids[0]) ** int(str(kids[1]).translate(_SUPERSCRIPTS))
    if kind == "call":
        return float(_FLOAT_FUNCS[str(kids[0])](_number(kids[1])))
    if kind in ("call_sup", "call_pow"):
        power = int(str(kids[1]).translate(_SUPERSCRIPTS)) if kind == "call_sup" else int(show(kids[1]))
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


def _number(node: Any) -> float:
    value = _float(node)
    if value is None:
        raise ValueError("no value")
    return value


def read_as_proof(text: str, *, entries: str = "", matrices: str = "") -> str:
    """`read_as` for a proof chain: `entries` and `matrices` are the letters the exercise declares."""
    names = Names(split=frozenset(entries), matrices=frozenset(matrices) | {"I"})
    try:
        return show(parse_tree(text, names=names, chain=True))
    except AnswerError as exc:
        return f"⚠ {exc}"
