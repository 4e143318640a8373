"""Named answer tests for hand-exercise parts: values, vectors, matrices, angles, eigen and SVD
properties, choices and proof chains. Expected values arrive as JSON (strings in the answer
language, numbers, nested lists), so the same call works in-process and in the checker worker.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy

from checkers import mistakes, rounding
from checkers.build import Answer, Seq, SetOf, Value, entries, is_scalar, parse, rational
from checkers.drawing import drawing_test
from checkers.equivalence import Options, compare, compare_answer, strip_labels
from checkers.numeric import Tolerance, scalars_equal, value_of
from checkers.proofs import ProofSpec, check_chain
from checkers.restating import restates
from checkers.syntax import NUMBERS_ONLY, AnswerError
from checkers.verdict import Verdict

AnswerTest = Callable[[str, Any, dict[str, Any], dict[str, str]], Verdict]


def to_value(data: Any) -> Value:
    """Expected values from reference code: answer-language strings, numbers, lists, {"set":
    […]}."""
    if isinstance(data, bool):
        raise TypeError("a boolean is not an answer value")
    if isinstance(data, int):
        return sympy.Integer(data)
    if isinstance(data, float):
        return rational(repr(data))
    if isinstance(data, Fraction):
        return sympy.Rational(data.numerator, data.denominator)
    if isinstance(data, str):
        return _expected_text(data)
    if isinstance(data, dict) and set(data) == {"set"}:
        return SetOf(tuple(to_value(item) for item in data["set"]))
    if isinstance(data, (list, tuple)):
        if data and all(isinstance(row, (list, tuple)) for row in data):
            return sympy.ImmutableMatrix([[to_value(cell) for cell in row] for row in data])
        return Seq(tuple(to_value(item) for item in data))
    raise TypeError(f"cannot use {data!r} as an expected answer")


@lru_cache(maxsize=512)
def _expected_text(text: str) -> Value:
    """An expected value (or a known mistake) written in the answer language; trusted content, and
    the same few strings come back on every check, so each is parsed once."""
    return parse(text).value


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "sigfigs": data.get("sigfigs"),
        "real": bool(data.get("real", False)),
        "unordered": bool(data.get("unordered", False)),
        "any_label": True,
        "kind": str(data.get("kind", "")),
    }


def _read(text: str, options: Options) -> Answer | Verdict:
    """Exercise answers are numbers: a free letter is an unknown symbol, so the answer is
    unreadable."""
    try:
        return parse(text, real=options.real, names=NUMBERS_ONLY)
    except AnswerError as exc:
        return Verdict(False, f"Could not read your answer: {exc}.", unreadable=True)


def _read_single(
    text: str, options: Options, data: dict[str, Any]
) -> tuple[Answer, Options] | Verdict:
    """The answer read, with its numbers to be judged by the rounding policy; or why it can't be
    graded (unreadable, or it only restates the computation the part asks for)."""
    answer = _read(text, options)
    if isinstance(answer, Verdict):
        return answer
    refusal = restates(answer.tree, str(data.get("compute", "")))
    if refusal:
        return Verdict(False, refusal, answer.read_as, unreadable=True)
    return answer, replace(options, typed=answer.typed)


def _known_mistake(value: Value, data: dict[str, Any], options: Options) -> str | None:
    for wrong, message in data.get("mistakes", []):
        if compare(value, to_value(wrong), options)[0]:
            return str(message)
    return None


def value_test(text: str, expected: Any, data: dict[str, Any], others: dict[str, str]) -> Verdict:
    """Equal to the expected value: exactly, or as decimals under the rounding policy
    (checkers.rounding)."""
    options = Options(**_fields(data))
    read = _read_single(text, options, data)
    if isinstance(read, Verdict):
        return read
    answer, options = read
    target = to_value(expected)
    ok, feedback = compare_answer(answer, target, options)
    if not ok:
        try:
            value = strip_labels(answer.value, any_label=True)
            # The exercise's own known slips first, then a near miss in rounding, then the general
            # detectors (sign, σ², ×10ⁿ, …).
            known = _known_mistake(value, data, options)
            if not known and not _is_close(feedback):
                known = mistakes.detect(value, target, data.get("kind", ""), answer)
        except AnswerError:
            known = None
        feedback = known or feedback
    return Verdict(ok, "" if ok else _or_recheck(feedback, data), answer.read_as)


def _is_close(feedback: str) -> bool:
    return rounding.CLOSE_ROUNDING in feedback or rounding.CLOSE_DIGITS in feedback


def _or_recheck(feedback: str, data: dict[str, Any]) -> str:
    """Feedback for a wrong answer: the slip when one was named, else what to recheck."""
    if feedback and feedback != "Not right.":
        return feedback
    recheck = str(data.get("recheck", ""))
    return f"Not right. {recheck}" if recheck else "Not right."


def angle_test(text: str, expected: Any, data: dict[str, Any], others: dict[str, str]) -> Verdict:
    """An angle given in radians (bare number, `rad`) or degrees (`°`, `deg`); expected in
    radians."""
    return value_test(text, expected, {**data, "kind": "angle"}, others)


def unit_vector_test(
    text: str, expected: Any, data: dict[str, Any], others: dict[str, str]
) -> Verdict:
    """A vector of length 1 pointing along the expected one (either sign when `sign: any`)."""
    options = Options(**_fields(data))
    read = _read_single(text, options, data)
    if isinstance(read, Verdict):
        return read
    answer, options = read
    target = to_value(expected)
    value = strip_labels(answer.value, any_label=True)
    ok, feedback = compare(value, target, replace(options, unordered=False))
    if ok:
        return Verdict(True, "", answer.read_as)
    if data.get("sign") == "any" and isinstance(target, Seq):
        flipped = Seq(tuple(-item for item in entries(target)))
        ok, flipped_feedback = compare(value, flipped, options)
        if ok:
            return Verdict(True, "", answer.read_as)
        feedback = flipped_feedback if _is_close(flipped_feedback) else feedback
    if _is_close(feedback):
        return Verdict(False, feedback, answer.read_as)
    known = _known_mistake(value, data, options)
    if known:
        return Verdict(False, known, answer.read_as)
    if isinstance(value, Seq) and isinstance(target, Seq) and len(value.items) == len(target.items):
        direction = _direction_hint(value, target, data.get("sign") == "any")
        if direction:
            return Verdict(False, direction, answer.read_as)
    hint = mistakes.detect(value, target, "unit", answer)
    return Verdict(False, _or_recheck(hint or feedback, data), answer.read_as)


def _direction_hint(value: Seq, target: Seq, any_sign: bool) -> str:
    length = value_of(sympy.sqrt(sum(item**2 for item in entries(value))))
    parallel = _multiple(value, target)
    if parallel is not None and (parallel > 0 or any_sign):
        if length is not None and abs(length - 1) > 1e-3:
            return "Right direction, but not length 1: divide by the vector's norm."
    if length is not None and abs(length - 1) <= 1e-3:
        return "That vector has length 1, but it points in the wrong direction."
    if length is not None and length.imag == 0:
        return (
            f"That is not a unit vector (its length is {float(length.real):.3g}, not 1), and its "
            f"direction is off too."
        )
    return ""


def _multiple(value: Seq, target: Seq) -> float | None:
    """The factor k with value = k·target, when there is one (numerically)."""
    pairs = [(value_of(s), value_of(t)) for s, t in zip(value.items, target.items, strict=False)]
    if any(s is None or t is None for s, t in pairs):
        return None
    pivot = next(((s, t) for s, t in pairs if abs(t) > 1e-12), None)  # type: ignore[arg-type]
    if pivot is None:
        return None
    factor = pivot[0] / pivot[1]  # type: ignore[operator]
    scale = max(abs(t) for _, t in pairs)  # type: ignore[arg-type]
    if all(abs(s - factor * t) <= 2e-3 * scale * max(1, abs(factor)) for s, t in pairs):
        return float(factor.real)
    return None


def eigenvalues_test(
    text: str, expected: Any, data: dict[str, Any], others: dict[str, str]
) -> Verdict:
    """The eigenvalues in any order (a list, `λ1 = 3, λ2 = 1`, or a set when they are distinct)."""
    options = Options(**{**_fields(data), "unordered": True})
    read = _read_single(text, options, data)
    if isinstance(read, Verdict):
        return read
    answer, options = read
    target = to_value(expected)
    wanted = list(target.items) if isinstance(target, Seq) else [target]
    value = strip_labels(answer.value, any_label=True)
    given = _as_list(value)
    if isinstance(value, SetOf) and len(wanted) != len(_distinct_numbers(wanted)):
        return Verdict(
            False,
            "An eigenvalue repeats here: list it as often as it occurs, without braces.",
            answer.read_as,
        )
    if isinstance(value, SetOf):
        given = _distinct_numbers(given)
    ok, feedback = compare(Seq(tuple(given), bare=True), Seq(tuple(wanted), bare=True), options)
    if ok:
        return Verdict(True, "", answer.read_as)
    if _is_close(feedback):
        return Verdict(False, feedback, answer.read_as)
    hint = _eigen_hint(given, data.get("matrix"), options)
    return Verdict(False, _or_recheck(hint or feedback, data), answer.read_as)


def _as_list(value: Value) -> list[Value]:
    if isinstance(value, (Seq, SetOf)):
        return [strip_labels(item, any_label=True) for item in value.items]
    return [value]


def _distinct_numbers(items: list[Value]) -> list[Value]:
    kept: list[Value] = []
    for item in items:
        if not any(is_scalar(item) and is_scalar(k) and scalars_equal(item, k) for k in kept):
            kept.append(item)
    return kept


def _eigen_hint(given: list[Value], matrix_data: Any, options: Options) -> str:
    if matrix_data is None or not all(is_scalar(v) for v in given):
        return ""
    matrix = to_value(matrix_data)
    if not isinstance(matrix, sympy.MatrixBase):
        return ""
    size = matrix.shape[0]
    if len(given) != size:
        return (
            f"A {size}×{size} matrix has {size} eigenvalues (counted with repeats); you gave "
            f"{len(given)}."
        )
    diagonal = [matrix[i, i] for i in range(size)]
    triangular = matrix.is_upper or matrix.is_lower
    if (
        not triangular
        and compare(
            Seq(tuple(given), bare=True),
            Seq(tuple(diagonal), bare=True),
            replace(options, unordered=True),
        )[0]
    ):
        return (
            "Those are the diagonal entries; they are the eigenvalues only for a triangular matrix."
        )
    if not scalars_equal(sympy.Add(*given), matrix.trace(), Tolerance(rtol=1e-3)):
        return f"Check: the eigenvalues must add up to the trace, {matrix.trace()}."
    if not scalars_equal(sympy.Mul(*given), matrix.det(), Tolerance(rtol=1e-3, atol=1e-9)):
        return f"Check: the eigenvalues must multiply to the determinant, {matrix.det()}."
    return ""


def _pieces(
    text: str, count: int, what: str, options: Options
) -> tuple[list[Value], Answer] | Verdict:
    answer = _read(text, options)
    if isinstance(answer, Verdict):
        return answer
    value = strip_labels(answer.value, any_label=True)
    items = _as_list(value) if isinstance(value, Seq) and value.bare else [value]
    if len(items) != count:
        return Verdict(False, f"Give {what}, separated by commas.", answer.read_as)
    return items, answer


def eigenpair_test(
    text: str, expected: Any, data: dict[str, Any], others: dict[str, str]
) -> Verdict:
    """`λ, v` with A v = λ v and v ≠ 0; `expected` is the matrix A."""
    options = Options(**_fields(data))
    read = _pieces(text, 2, "an eigenvalue and an eigenvector, e.g. 3, [1, 1]", options)
    if isinstance(read, Verdict):
        return read
    (eigenvalue, vector), answer = read
    matrix = to_value(expected)
    if not is_scalar(eigenvalue) or not isinstance(vector, Seq):
        return Verdict(
            False, "Give the eigenvalue first, then the eigenvector in [ ].", answer.read_as
        )
    if len(vector.items) != matrix.shape[1]:  # type: ignore[union-attr]
        return Verdict(False, f"The eigenvector needs {matrix.shape[1]} entries.", answer.read_as)  # type: ignore[union-attr]
    column = sympy.Matrix(vector.items)
    tolerance = (
        Tolerance(rtol=rounding.relative_tolerance(answer.typed), atol=1e-9)
        if answer.decimal
        else Tolerance()
    )
    if all(scalars_equal(entry, sympy.Integer(0), Tolerance(atol=1e-12)) for entry in vector.items):
        return Verdict(False, "The zero vector is never an eigenvector.", answer.read_as)
    image = matrix * column
    # λ is judged by the rounding policy against the true eigenvalues; v then by A v = λ v for the
    # true λ, within the digits typed.
    verdicts = {true: rounding.judge(eigenvalue, true, answer.typed) for true in matrix.eigenvals()}  # type: ignore[union-attr]
    matched = [true for true, (ok, _) in verdicts.items() if ok]
    if matched and _proportional(image, column, matched[0], tolerance):
        return Verdict(True, "", answer.read_as)
    close = next(
        (feedback for ok, feedback in verdicts.values() if rounding.is_close_message(feedback)), ""
    )
    if close:
        return Verdict(False, f"λ: {close}", answer.read_as)
    for other in verdicts:
        if _proportional(image, column, other, tolerance):
            return Verdict(
                False,
                f"That vector is an eigenvector for λ = {other}, not for λ = {eigenvalue}.",
                answer.read_as,
            )
    if not matched:
        return Verdict(False, f"{eigenvalue} is not an eigenvalue of A.", answer.read_as)
    return Verdict(
        False, "A v ≠ λ v for that pair: check the vector by multiplying it by A.", answer.read_as
    )


def _proportional(image: Any, column: Any, factor: Any, tolerance: Tolerance) -> bool:
    return all(
        bool(scalars_equal(a, factor * b, tolerance)) for a, b in zip(image, column, strict=False)
    )


def svd_triplet_test(
    text: str, expected: Any, data: dict[str, Any], others: dict[str, str]
) -> Verdict:
    """`σ, u, v` for the `index`-th singular triplet of the matrix `expected`: σ ≥ 0, unit u and v,
    A v = σ u. Flipping u and v together passes; flipping one of them fails."""
    options = Options(**_fields(data))
    read = _pieces(text, 3, "σ, u and v, e.g. 5, [2, 1]/√5, [1, 2]/√5", options)
    if isinstance(read, Verdict):
        return read
    (sigma, left, right), answer = read
    matrix = to_value(expected)
    message = svd_problem(
        matrix,
        sigma,
        left,
        right,
        int(data.get("index", 1)),
        answer.typed if answer.decimal else None,
    )
    return Verdict(not message, message, answer.read_as)


def svd_problem(
    matrix: sympy.MatrixBase,
    sigma: Value,
    left: Value,
    right: Value,
    index: int,
    typed: rounding.Typed | None,
) -> str:
    """Why (σ, u, v) is not the index-th singular triplet of `matrix`, or "" (`typed`: the decimals
    typed, which set how closely the vectors must satisfy A v = σ u; None for exact answers)."""
    rtol = rounding.relative_tolerance(typed) if typed is not None else 0.0
    tolerance = Tolerance(rtol=rtol, atol=rtol) if typed is not None else Tolerance()
    values = sorted(matrix.singular_values(), key=lambda s: -float(s))
    wanted = values[index - 1]
    if not is_scalar(sigma) or not isinstance(left, Seq) or not isinstance(right, Seq):
        return "Give σ as a number and u, v as vectors in [ ]."
    if len(left.items) != matrix.shape[0] or len(right.items) != matrix.shape[1]:
        return f"u needs {matrix.shape[0]} entries and v needs {matrix.shape[1]}."
    ok, close = rounding.judge(sigma, wanted, typed or rounding.Typed())
    if not ok:
        hint = close or mistakes.detect(sigma, wanted, "singular_value")
        return hint or f"σ{index} is not right."
    for name, vector in (("u", left), ("v", right)):
        length = sympy.sqrt(sum(item**2 for item in entries(vector)))
        if not scalars_equal(
            length, sympy.Integer(1), Tolerance(rtol=max(rtol, 1e-9)) if typed else Tolerance()
        ):
            return f"{name} must have length 1: divide it by its norm."
    image = matrix * sympy.Matrix(right.items)
    if all(scalars_equal(a, sigma * b, tolerance) for a, b in zip(image, left.items, strict=False)):
        return ""
    if all(
        scalars_equal(a, -sigma * b, tolerance) for a, b in zip(image, left.items, strict=False)
    ):
        return "Flip u and v together: with your signs A v = −σ u."
    if matrix.shape[0] == matrix.shape[1]:
        swapped = matrix * sympy.Matrix(left.items)
        if all(
            scalars_equal(abs(a), abs(sigma * b), tolerance)
            for a, b in zip(swapped, right.items, strict=False)
        ):
            return "You swapped u and v: u comes from A v = σ u (columns of U), v from Aᵀ u = σ v."
    return "A v ≠ σ u for your vectors: check u and v."


def svd_vector_test(
    text: str, expected: Any, data: dict[str, Any], others: dict[str, str]
) -> Verdict:
    """A right singular vector v given as its own part: unit, right direction (either sign), and
    consistent with the learner's u part (second name in `uses`) through A v = σ u for the true
    σ."""
    verdict = unit_vector_test(text, expected, {**data, "sign": "any"}, others)
    if not verdict.ok or not data.get("uses"):
        return verdict
    _, left_part = data["uses"]
    try:
        left_answer, right_answer = parse(others[left_part]), parse(text)
    except (AnswerError, KeyError):
        return verdict
    left = strip_labels(left_answer.value, any_label=True)
    right = strip_labels(right_answer.value, any_label=True)
    matrix = to_value(data["matrix"])
    index = int(data.get("index", 1))
    # The sign pairing of u and v does not depend on σ's size, so judge it against the true σ: a
    # wrong
    # σ (already marked in its own part) must not hide a one-sided flip.
    sigma = sorted(matrix.singular_values(), key=lambda s: -float(s))[index - 1]  # type: ignore[union-attr]
    figures = [f for f in (left_answer.typed.figures, right_answer.typed.figures) if f is not None]
    typed = rounding.Typed(figures=min(figures, default=3))
    message = svd_problem(matrix, sigma, left, right, index, typed)
    if message.startswith("Flip"):
        return Verdict(
            False,
            "u and v must flip together: with your u, A v = −σ u. Change the sign of v.",
            verdict.read_as,
        )
    return verdict


def choice_test(text: str, expected: Any, data: dict[str, Any], others: dict[str, str]) -> Verdict:
    """One of a few named options (e.g. L1 / L2 / L∞); `choices` maps each to its spellings.

    An answer that names none of them (words like "the first one") is unreadable, never wrong."""
    typed = normalise_choice(text)
    choices: dict[str, list[str]] = data["choices"]
    for name, spellings in choices.items():
        if typed in {normalise_choice(s) for s in [name, *spellings]}:
            ok = name == expected
            return Verdict(ok, "" if ok else f"Not {name}. {data.get('why', '')}".strip(), name)
    listed = ", ".join(choices)
    return Verdict(
        False,
        f"Could not read your answer: answer with one of {listed}.",
        text.strip(),
        unreadable=True,
    )


_NORM_FRAMES = ("‖v‖", "||v||", "|v|", "‖x‖", "||x||", "‖", "||", "|")
_NORM_WORDS = ("norm", "the", " ", "_", "-", "(", ")")


def normalise_choice(text: str) -> str:
    """One spelling per option: `L₁`, `‖v‖₁`, `l_1`, `ℓ1 norm` → "l1"; `L∞`, `‖v‖∞`, `max-norm` →
    "linf"."""
    text = unicodedata.normalize("NFKC", text).strip().lower().replace("ℓ", "l")
    text = text.replace("∞", "inf").replace("infinity", "inf")
    for frame in _NORM_FRAMES:
        text = text.replace(frame, "")
    for word in _NORM_WORDS:
        text = text.replace(word, "")
    if text in ("max", "maximum", "inf", "uniform", "chebyshev"):
        return "linf"
    if text in ("1", "2"):
        return "l" + text
    return text


def proof_test(text: str, expected: Any, data: dict[str, Any], others: dict[str, str]) -> Verdict:
    """A chain of equalities from `start` to `target`, every step verified (see checkers.proofs)."""
    spec = ProofSpec(
        start=data["start"],
        target=data["target"],
        matrices={k: [list(r) for r in v] for k, v in data["matrices"].items()},
        shapes={k: (int(v[0]), int(v[1])) for k, v in data["shapes"].items()},
        rules=tuple(data.get("rules", ())),
    )
    return check_chain(text, spec)


ANSWER_TESTS: dict[str, AnswerTest] = {
    "value": value_test,
    "vector": value_test,
    "matrix": value_test,
    "angle": angle_test,
    "unit_vector": unit_vector_test,
    "eigenvalues": eigenvalues_test,
    "eigenpair": eigenpair_test,
    "svd_triplet": svd_triplet_test,
    "svd_vector": svd_vector_test,
    "choice": choice_test,
    "proof_chain": proof_test,
    "drawing": drawing_test,
}


def check_part(
    test: str,
    text: str,
    expected: Any,
    options: dict[str, Any] | None = None,
    others: dict[str, str] | None = None,
) -> Verdict:
    """Run the named answer test on one part's text."""
    if test not in ANSWER_TESTS:
        raise KeyError(f"unknown answer test {test!r}; known: {', '.join(sorted(ANSWER_TESTS))}")
    if len(text) > 100_000:
        return Verdict(False, "Could not read your answer: it is far too long.", unreadable=True)
    try:
        return ANSWER_TESTS[test](text, expected, options or {}, others or {})
    except AnswerError as exc:
        return Verdict(False, f"Could not read your answer: {exc}.", unreadable=True)
    except CheckTimeout:
        raise
    except (ValueError, ArithmeticError, RecursionError, MemoryError) as exc:
        # sympy's own limits (e.g. Python's 4300-digit int/str limit) on an odd answer
        return Verdict(
            False,
            f"Could not check this answer ({type(exc).__name__}); write it more simply.",
            unreadable=True,
        )


class CheckTimeout(Exception):
    """A check ran past its time limit."""


TIMED_OUT = "Checking this answer took too long; write it more simply (e.g. fewer nested powers)."


def check_request(request: dict[str, Any]) -> Verdict:
    """One part check from its JSON request: {test, text, expected, options, others}."""
    return check_part(
        request["test"],
        request["text"],
        request.get("expected"),
        request.get("options"),
        request.get("others"),
    )


def check_requests(
    requests: list[dict[str, Any]], *, timeout: float | None = None
) -> list[Verdict]:
    """Check parts in this process, each under `timeout` seconds when this is the main thread."""
    return [_with_time_limit(request, timeout) for request in requests]


def _with_time_limit(request: dict[str, Any], timeout: float | None) -> Verdict:
    import signal
    import threading

    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if timeout is None or not usable:
        return check_request(request)

    def expire(signum: int, frame: Any) -> None:
        raise CheckTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return check_request(request)
    except CheckTimeout:
        return Verdict(False, TIMED_OUT, unreadable=True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
