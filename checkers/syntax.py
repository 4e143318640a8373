"""Parse learner answers with the Lark grammar into a checked tree, and preview how it was read.

No sympy here: the app calls `read_as` on every keystroke, so this module costs only the Lark
import.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from checkers.printer import approximate, show

MAX_CHARS = 2000
"""Longest answer read; anything longer is refused before the lexer runs."""
MAX_TOKENS = 600
MAX_DEPTH = 40
"""Deepest tree (brackets and operator nesting) accepted."""
MAX_NUMBER_DIGITS = 60

FUNCTIONS: dict[str, str] = {
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "sec": "sec",
    "csc": "csc",
    "cosec": "csc",
    "cot": "cot",
    "asin": "asin",
    "acos": "acos",
    "atan": "atan",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "exp": "exp",
    "log": "log",
    "ln": "log",
    "sqrt": "sqrt",
    "abs": "abs",
}
TWO_ARGUMENT_FUNCTIONS: dict[str, str] = {"atan2": "atan2", "arctan2": "atan2"}
"""Functions of two numbers, written name(y, x)."""
CONSTANTS: dict[str, str] = {
    "pi": "pi",
    "π": "pi",
    "e": "e",
    "inf": "inf",
    "infinity": "inf",
    "oo": "inf",
    "∞": "inf",
}
UNITS: dict[str, str] = {
    "deg": "deg",
    "degree": "deg",
    "degrees": "deg",
    "rad": "rad",
    "radian": "rad",
    "radians": "rad",
}
SEPARATOR_WORDS = {"and", "or"}
GREEK_NAMES: dict[str, str] = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "theta": "θ",
    "lambda": "λ",
    "lam": "λ",
    "mu": "μ",
    "sigma": "σ",
    "phi": "φ",
    "psi": "ψ",
    "omega": "ω",
    "tau": "τ",
}
COMPLEX_NAMES = {"i", "j", "I"}
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_OPERAND_END = {
    "NUMBER",
    "VAR",
    "CONST",
    "_RPAR",
    "_RSQB",
    "_RBRACE",
    "_RANGLE",
    "SUP",
    "_TSUP",
    "_DEGREE",
    "UNIT",
}
_OPERAND_START = {
    "NUMBER",
    "VAR",
    "CONST",
    "FUNC",
    "FUNC2",
    "_LPAR",
    "_LSQB",
    "_LBRACE",
    "_LANGLE",
    "_ROOT",
}
_OPENERS = {"_LPAR": "_RPAR", "_LSQB": "_RSQB", "_LBRACE": "_RBRACE", "_LANGLE": "_RANGLE"}
_BARE_ARGUMENT = {"NUMBER", "VAR", "CONST"}
_AFTER_BARE = {"_DIV", "_MUL", "_POW", "_PLUS", "_MINUS", "SUP", "_TSUP", "_DEGREE", "UNIT"}
"""After `acos 1` these make the reading ambiguous (acos(1)/√5 or acos(1/√5)), so brackets are asked
for."""


class AnswerError(ValueError):
    """An answer that cannot be read; the message says what and where, in a learner's words."""


@dataclass(frozen=True)
class Names:
    """What multi-letter words mean in one context (e.g. proofs declare matrix and entry
    letters)."""

    split: frozenset[str] = frozenset()
    """Letters a word may be split into (`ae` → a·e) when every letter is declared."""
    matrices: frozenset[str] = frozenset()
    """Upper-case letters that name matrices (proof mode); `I` is then the identity."""
    letters: frozenset[str] | None = None
    """Single letters that may stand for a value; None allows any (algebra), an empty set none
    (exercise answers are numbers: a letter there is an unknown symbol, not a free variable)."""


PLAIN = Names()
_LOCK = threading.Lock()
"""The post-lexer carries per-parse settings, so one parse runs at a time."""


NUMBERS_ONLY = Names(letters=frozenset())
"""Exercise answers: numbers, vectors, matrices and labels, no free letters."""


def _word_error(word: str, names: Names = PLAIN) -> AnswerError:
    if word in COMPLEX_NAMES:
        return AnswerError(f"'{word}': complex numbers are not used in these answers")
    if names.letters is not None:
        # Only give advice that leads somewhere: here a product of letters would be refused too.
        return AnswerError(
            f"unknown word '{word}': answers here are typed as numbers, vectors or "
            f"matrices, not words or names from the question; work out the value and type that"
        )
    hint = ""
    if word.isascii() and word.isalpha() and len(word) == 2:
        hint = f" (for a product write {'*'.join(word)})"
    return AnswerError(f"unknown word '{word}'{hint}")


def unknown_symbol(name: str) -> AnswerError:
    """A letter where a number belongs; never read as a free variable."""
    return AnswerError(
        f"unknown symbol {name}: answers here are typed as numbers, vectors or matrices; "
        f"work out its value and type that"
    )


def _classify(token: Token, names: Names) -> Iterator[Token]:
    """Give a NAME token its kind; unknown multi-letter words are errors that name the word."""
    word = str(token)
    lower = word.lower()
    if word in names.split or word in names.matrices:
        yield Token.new_borrow_pos("VAR", word, token)
    elif lower in TWO_ARGUMENT_FUNCTIONS and word.islower():
        yield Token.new_borrow_pos("FUNC2", TWO_ARGUMENT_FUNCTIONS[lower], token)
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
    elif (names.split or names.matrices) and all(
        letter in names.split or letter in names.matrices for letter in word
    ):
        start = token.start_pos or 0
        for offset, letter in enumerate(word):
            part = Token("VAR", letter, start_pos=start + offset, end_pos=start + offset + 1)
            yield part
    else:
        raise _word_error(word, names)


def _variable_name(word: str, names: Names) -> str | None:
    """`x`, `λ`, `λ1`, `σ₁`, `lambda_2`, `u1` are variables; returns the canonical spelling."""
    base = word.rstrip("0123456789₀₁₂₃₄₅₆₇₈₉").rstrip("_")
    index = word[len(base) :].lstrip("_").translate(_SUBSCRIPTS)
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
    cut = (token.start_pos or 0) + len(head)
    return [
        Token("FUNC", FUNCTIONS[head.lower()], start_pos=token.start_pos, end_pos=cut),
        Token("NUMBER", word[len(head) :], start_pos=cut, end_pos=token.end_pos),
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
        _check_calls(tokens)
        if self.names.letters is not None:
            _check_letters(tokens, self.names.letters)
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
                    raise AnswerError(
                        f"';' at column {token.column} is only used between matrix rows"
                    )
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


def _check_calls(tokens: list[Token]) -> None:
    """Refuse `acos 1/√5` (ambiguous without brackets) and atan2 without exactly two arguments."""
    for index, token in enumerate(tokens):
        following = tokens[index + 1 : index + 3]
        if (
            token.type == "FUNC"
            and len(following) == 2
            and following[0].type in _BARE_ARGUMENT
            and following[1].type in _AFTER_BARE
        ):
            name, operand, after = str(token), str(following[0]), str(following[1]).strip()
            raise AnswerError(
                f"'{name} {operand}{after}…' could mean {name}({operand}){after}… or "
                f"{name}({operand}{after}…): put brackets around what {name} applies to"
            )
        if token.type == "FUNC2" and _argument_count(tokens, index + 1) != 2:
            raise AnswerError(f"{token} takes two numbers in brackets, y then x: {token}(y, x)")


def _argument_count(tokens: list[Token], open_index: int) -> int:
    """How many comma-separated arguments the bracket opened at `open_index` holds (0 if none)."""
    if open_index >= len(tokens) or tokens[open_index].type != "_LPAR":
        return 0
    depth, count = 0, 1
    for token in tokens[open_index + 1 :]:
        if token.type in _OPENERS:
            depth += 1
        elif token.type in _OPENERS.values():
            if depth == 0:
                return count
            depth -= 1
        elif token.type == "_COMMA" and depth == 0:
            count += 1
    return count


def _check_letters(tokens: list[Token], allowed: frozenset[str]) -> None:
    """A letter that is not a label (`λ = 3`) and not allowed here is an unknown symbol."""
    for index, token in enumerate(tokens):
        if token.type != "VAR" or str(token) in allowed:
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and following.type == "_EQ":
            continue
        raise unknown_symbol(str(token))


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
    for token in tokens[open_index + 1 :]:
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
    parser = Lark(
        grammar,
        parser="lalr",
        lexer="basic",
        start=["start", "chain"],
        postlex=postlex,
        maybe_placeholders=False,
        cache=False,
    )
    return parser, postlex


def parse_tree(text: str, *, names: Names = PLAIN, chain: bool = False) -> Tree[Any]:
    """The checked parse tree of an answer; AnswerError says why it cannot be read."""
    if len(text) > MAX_CHARS:
        raise AnswerError(
            f"the answer is too long ({len(text)} characters; the limit is {MAX_CHARS})"
        )
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise AnswerError("the answer is empty")
    parser, postlex = _parser()
    with _LOCK:
        return _parse_locked(parser, postlex, text, names, chain)


def _parse_locked(
    parser: Lark, postlex: _PostLex, text: str, names: Names, chain: bool
) -> Tree[Any]:
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
        position = exc.pos_in_stream
        char = text[position] if position is not None and position < len(text) else "?"
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
            return (
                f"two values side by side at column {token.column}: separate them with a comma, "
                f"or write * to multiply"
            )
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


def read_as(text: str, *, numbers_only: bool = False) -> str:
    """How the answer was read, pretty-printed with a decimal value where it has one; or the error.

    `numbers_only`: an exercise box, where a letter is an unknown symbol (as the checker will
    say)."""
    try:
        tree = parse_tree(text, names=NUMBERS_ONLY if numbers_only else PLAIN)
    except AnswerError as exc:
        return f"⚠ {exc}"
    shown = show(tree)
    value = approximate(tree)
    if value is not None and not _is_plain_number(shown) and "°" not in shown:
        shown += f"  ≈ {value}"
    return shown


def _is_plain_number(shown: str) -> bool:
    return shown.lstrip("-").replace(".", "", 1).isdigit()


def read_as_proof(text: str, *, entries: str = "", matrices: str = "") -> str:
    """`read_as` for a proof chain: `entries` and `matrices` are the letters the exercise
    declares."""
    names = Names(split=frozenset(entries), matrices=frozenset(matrices) | {"I"})
    try:
        return show(parse_tree(text, names=names, chain=True))
    except AnswerError as exc:
        return f"⚠ {exc}"
