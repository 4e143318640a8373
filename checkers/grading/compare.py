"""Trusted comparisons of returned values with references, with feedback that names the mistake."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from checkers.grading.values import Opaque, Tensor, describe


@dataclass(frozen=True)
class TestResult:
    """One named check of a learner's code and what it found."""

    __test__ = False  # not a pytest class, despite the name

    name: str
    passed: bool
    message: str = ""
    optional: bool = False
    """A challenge's check: shown with the others, but not needed for the item to count as
    solved."""
    skipped: bool = False
    """It could not run here (a CUDA check with no CUDA device): `passed` is False, and the test
    counts neither for nor against the verdict."""

    @classmethod
    def skip(cls, name: str, reason: str, *, optional: bool = False) -> TestResult:
        """A test that did not run, and why (never a pass)."""
        return cls(name, False, reason, optional=optional, skipped=True)

    @property
    def status(self) -> str:
        """`passed`, `failed` or `skipped`: the one word every output shows."""
        return "skipped" if self.skipped else "passed" if self.passed else "failed"


@dataclass(frozen=True)
class Mistake:
    """A wrong answer the grader can predict (computed in the parent) and how to explain it."""

    candidate: Any
    explanation: str


def _unwrap(got: Any) -> tuple[Any, str, str | None]:
    """(value, case description, problem) from a CallOutcome or a plain value."""
    from checkers.grading.harness import CallOutcome

    if isinstance(got, CallOutcome):
        if not got.ok:
            return None, got.call.describe(), got.problem()
        return got.value, got.call.describe(), None
    return got, "", None


def _fail(name: str, case: str, text: str) -> TestResult:
    prefix = f"For {case}: " if case else ""
    return TestResult(name, False, prefix + text)


def _as_array(
    value: Any, accept: Sequence[str], expected_dtype: str | None
) -> tuple[np.ndarray | None, str]:
    """The returned array if its container type is acceptable, else why not."""
    if isinstance(value, Tensor):
        if "tensor" not in accept:
            return None, "you returned a torch tensor; return a NumPy array (np.ndarray)."
        if expected_dtype and value.dtype != expected_dtype:
            return (
                None,
                f"the tensor has dtype torch.{value.dtype}; expected torch.{expected_dtype}.",
            )
        return value.array, ""
    if isinstance(value, np.ndarray):
        if "ndarray" not in accept:
            return None, "you returned a NumPy array; return a torch tensor."
        return value, ""
    if isinstance(value, Opaque):
        if "ndarray" in value.type_name and "numpy.ndarray" != value.type_name:
            return None, f"you returned a {value.type_name} (a subclass); return a plain array."
        return None, f"you returned {describe(value)}, not an array. {value.text}".strip()
    wanted = "a NumPy array" if "ndarray" in accept else "a torch tensor"
    return None, f"you returned {describe(value)}; expected {wanted}."


def _dtype_problem(got: np.ndarray, expected: np.ndarray, exact: bool) -> str:
    if exact and got.dtype != expected.dtype:
        return f"the result has dtype {got.dtype}; expected {expected.dtype}."
    kinds = {"f": "floating-point", "c": "complex", "i": "integer", "u": "integer", "b": "boolean"}
    want, have = kinds.get(expected.dtype.kind, "?"), kinds.get(got.dtype.kind, "?")
    if want != have:
        return (
            f"the result has dtype {got.dtype} ({have}); expected a {want} array like "
            f"{expected.dtype}."
        )
    return ""


def close(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    """Same shape and every entry within tolerance.

    NaN never matches anything. An infinity matches only the same infinity at the same place: a
    reference may legitimately hold -inf (a masked score), and a learner who returns it is right;
    a finite value against an infinity (or the reverse) is wrong whatever the tolerance.
    """
    got, expected = np.asarray(got), np.asarray(expected)
    return got.shape == expected.shape and bool(
        np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=False)
    )


def _shape_hint(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    base = f"the result has shape {tuple(got.shape)}; expected {tuple(expected.shape)}."
    if got.shape == expected.shape[::-1] and got.ndim == 2 and close(got.T, expected, rtol, atol):
        return (
            base
            + " It is the transpose of the right answer: check the order of your operands/axes."
        )
    if got.size == expected.size and close(got.reshape(expected.shape), expected, rtol, atol):
        return (
            base
            + " The numbers are right but arranged differently: a missing keepdims=True or reshape?"
        )
    if got.ndim < expected.ndim:
        return (
            base + " A dimension is missing: did a reduction (sum/mean/norm) drop an axis? Try "
            "keepdims=True."
        )
    if got.ndim == expected.ndim and got.ndim >= 1 and got.size != expected.size:
        return base + " Check which axis you reduced or broadcast over."
    return base


def _value_hint(
    got: np.ndarray, expected: np.ndarray, rtol: float, atol: float, mistakes: Sequence[Mistake]
) -> str:
    for mistake in mistakes:
        candidate = np.asarray(mistake.candidate)
        if candidate.shape == got.shape and close(got, candidate, rtol, atol):
            return mistake.explanation
    if close(-got, expected, rtol, atol):
        return "Every sign is flipped."
    if got.ndim == 2 and got.shape[0] == got.shape[1] and close(got.T, expected, rtol, atol):
        return "It is the transpose of the right answer: check the order of your operands/axes."
    norm = float(np.linalg.norm(got))
    if expected.ndim == 1 and np.isclose(np.linalg.norm(expected), 1.0) and norm > 0:
        unit = got / norm
        if close(unit, expected, rtol, max(atol, 1e-6)) or close(
            -unit, expected, rtol, max(atol, 1e-6)
        ):
            return (
                f"Right direction, but not normalised: your vector has norm {norm:.4g}; "
                "divide by it."
            )
    flat_exp, flat_got = expected.ravel(), got.ravel()
    mask = np.abs(flat_exp) > 1e-12
    if mask.any():
        ratios = flat_got[mask] / flat_exp[mask]
        if np.allclose(ratios, ratios[0], rtol=1e-6) and not np.isclose(ratios[0], 1.0):
            return f"Every entry is off by the same factor, about {ratios[0]:.4g}."
    return ""


def _fmt(number: Any) -> str:
    return f"{complex(number).real:.6g}" if np.isrealobj(number) else f"{complex(number):.6g}"


def compare_arrays(
    got: Any,
    expected: np.ndarray,
    *,
    name: str,
    rtol: float = 1e-7,
    atol: float = 0.0,
    case: str = "",
    accept: Sequence[str] = ("ndarray",),
    exact_dtype: bool = False,
    tensor_dtype: str | None = None,
    sign_free: bool = False,
    mistakes: Sequence[Mistake] = (),
) -> TestResult:
    """Check type, then shape, then dtype, then values (`np.allclose` in the parent).

    `got` is a CallOutcome (its call describes the case) or a returned value. `accept` names the
    container types allowed (`ndarray`, `tensor`). `sign_free` accepts `-expected` too
    (eigenvectors).
    `mistakes` are predicted wrong answers whose explanation is shown when `got` matches one.
    """
    value, auto_case, problem = _unwrap(got)
    case = case or auto_case
    if problem is not None:
        return _fail(name, "", problem)
    expected = np.asarray(expected)
    array, why = _as_array(value, accept, tensor_dtype)
    if array is None:
        return _fail(name, case, why)
    if array.shape != expected.shape:
        return _fail(name, case, _shape_hint(array, expected, rtol, atol))
    dtype_problem = _dtype_problem(array, expected, exact_dtype)
    if dtype_problem:
        return _fail(name, case, dtype_problem)
    if not np.all(np.isfinite(array)) and np.all(np.isfinite(expected)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        return _fail(name, case, f"the result contains {bad} NaN or infinite entries.")
    if close(array, expected, rtol, atol) or (sign_free and close(-array, expected, rtol, atol)):
        return TestResult(
            name, True, f"{case or 'result'}: matches (rtol={rtol:g}, atol={atol:g})."
        )
    error = np.abs(array.astype(np.complex128) - expected)
    worst = np.unravel_index(int(np.argmax(error)), error.shape) if error.ndim else ()
    where = f" at index {tuple(int(i) for i in worst)}" if worst else ""
    detail = (
        f"values differ: max error {float(error.max()):.3g}{where} "
        f"(expected {_fmt(expected[worst])}, got {_fmt(array[worst])})."
    )
    with np.errstate(all="ignore"):  # infinities in a wrong answer are reported, not warned about
        hint = _value_hint(array, expected, rtol, atol, mistakes)
    return _fail(name, case, f"{detail} {hint}".strip())


def compare_scalar(
    got: Any,
    expected: float,
    *,
    name: str,
    rtol: float = 1e-7,
    atol: float = 0.0,
    integer: bool = False,
    case: str = "",
) -> TestResult:
    """A returned number (Python or NumPy scalar, or 0-d array) against `expected`."""
    value, auto_case, problem = _unwrap(got)
    case = case or auto_case
    if problem is not None:
        return _fail(name, "", problem)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        return _fail(name, case, f"you returned {describe(value)}; expected a number.")
    if integer and not isinstance(value, (int, np.integer)):
        if float(value).is_integer():
            return _fail(
                name, case, f"you returned {value!r}, a float; return an int (e.g. int(...))."
            )
        return _fail(name, case, f"you returned {value!r}; expected a whole number.")
    number = float(value)
    if integer:
        if int(value) == int(expected):
            return TestResult(name, True, f"{case or 'result'}: {int(value)} is right.")
        return _fail(name, case, f"expected {int(expected)}, got {int(value)}.")
    if np.isclose(number, expected, rtol=rtol, atol=atol):
        return TestResult(name, True, f"{case or 'result'}: {number:.6g} matches.")
    return _fail(
        name,
        case,
        f"expected {expected:.6g}, got {number:.6g} (error {abs(number - expected):.3g}).",
    )


def compare_exact(got: Any, expected: Any, *, name: str, case: str = "") -> TestResult:
    """Plain data (ints, tuples, strings) that must be equal, compared by the parent's `==`."""
    value, auto_case, problem = _unwrap(got)
    case = case or auto_case
    if problem is not None:
        return _fail(name, "", problem)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (list, tuple)):
        value = type(value)(v.item() if isinstance(v, np.generic) else v for v in value)
    if type(value) is type(expected) and value == expected:
        return TestResult(name, True, f"{case or 'result'}: {expected!r} is right.")
    return _fail(name, case, f"expected {expected!r}, got {describe(value)}.")
