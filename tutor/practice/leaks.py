"""Does an exercise's own text give its answer away? Every math-looking piece of a part's prompt
(and its examples) and of every hint but the last is checked as if the learner had typed it: a
piece that the part's answer test accepts is a leak. The question's own numbers do not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.practice.hand import HandInstance, PartInstance

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:\s*°)?(?![\w.])")
_ROOT = re.compile(r"\d*\s*(?:√|sqrt)\s*\(?\d+\)?(?:\s*/\s*\d+)?")
_FRACTION = re.compile(r"(?<![\w.])-?\d+\s*/\s*\d+(?![\w.])")
_LIST = re.compile(r"(?<![\w.\[])-?\d+(?:\.\d+)?(?:\s*,\s*-?\d+(?:\.\d+)?)+(?![\w.\]])")
_EXAMPLE = re.compile(r"e\.g\.\s*([^)]*)")
_SKIPPED_TESTS = {"choice"}
"""A choice part must list its options in the prompt."""


def leaks(instance: HandInstance, check: Any) -> list[str]:
    """Each place where a prompt or a hint (all but the last) holds an answer the part accepts.

    `check(test, text, expected, options)` is the answer-test runner (checkers.check_part)."""
    found: list[str] = []
    hints = instance.hints[:-1]
    for part in instance.parts:
        if part.test in _SKIPPED_TESTS or part.expected is None:
            continue
        texts = [(f"part {part.name}'s prompt", part.prompt)]
        texts += [(f"hint {index}", hint) for index, hint in enumerate(hints, start=1)]
        for where, text in texts:
            for piece in sorted(set(_pieces(_without_params(text, instance.params), part))):
                verdict = check(part.test, piece, part.expected, part.options)
                if verdict.ok:
                    found.append(f"{where} gives away part {part.name}'s answer: {piece!r}")
    return found


def _without_params(text: str, params: dict[str, Any]) -> str:
    """The text with the question's own values (as the chapter prints them) blanked out."""
    for value in params.values():
        for shown in _renderings(value):
            text = text.replace(shown, " ")
    return text


def _renderings(value: Any) -> Iterator[str]:
    compact = _plain(value)
    yield compact
    yield compact.replace(",", ", ")


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ",".join(_plain(item) for item in value) + "]"
    return str(value)


def _pieces(text: str, part: PartInstance) -> Iterator[str]:
    """Everything in `text` a learner could type as an answer to `part`."""
    yield from _brackets(text)
    for pattern in (_NUMBER, _ROOT, _FRACTION, _LIST):
        yield from (match.group(0).strip() for match in pattern.finditer(text))
    for example in _EXAMPLE.finditer(text):
        for option in re.split(r"\bor\b|;", example.group(1)):
            if option.strip():
                yield option.strip()
    if part.test == "proof_chain":
        start, target = part.options.get("start", ""), part.options.get("target", "")
        for matrix in list(_brackets(text)):
            yield f"{start} = {matrix} = {target}"
            yield f"{start} = {matrix}ᵀ = {target}"


def _brackets(text: str) -> Iterator[str]:
    """Each outermost balanced [ … ] group (vectors and matrices)."""
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "[":
            if depth == 0:
                start = index
            depth += 1
        elif char == "]" and depth:
            depth -= 1
            if depth == 0:
                yield text[start : index + 1]
