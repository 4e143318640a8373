"""What crosses the kernel boundary: inputs the parent sends, and typed values it gets back."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from checkers.grading.npy import MAX_ELEMENTS, NpyError, read_npy

_RESULT_NAME = re.compile(r"^\d+_\d+\.npy$")
MAX_TEXT = 10000
"""Longest string a reply may carry (the worker sends longer ones as opaque)."""
_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


@dataclass(frozen=True)
class AsTensor:
    """An input the kernel turns into a torch tensor (the parent needs no torch for this)."""

    array: np.ndarray
    dtype: str = ""
    """torch dtype name, e.g. `float32`; empty keeps the array's."""
    device: str = "cpu"
    requires_grad: bool = False


@dataclass(frozen=True)
class Tensor:
    """A torch tensor the learner returned, converted to numpy inside the kernel."""

    array: np.ndarray
    dtype: str
    device: str
    requires_grad: bool = False

    @property
    def shape(self) -> tuple[int, ...]:
        """The tensor's shape."""
        return tuple(self.array.shape)


@dataclass(frozen=True)
class Opaque:
    """A returned object that is not data the grader accepts (liar objects, subclasses, ...)."""

    type_name: str
    text: str = ""


def describe(value: Any) -> str:
    """A short phrase for a value in feedback: `float64 array of shape (100, 4)`."""
    if isinstance(value, np.ndarray):
        return f"{value.dtype} array of shape {tuple(value.shape)}"
    if isinstance(value, AsTensor):
        dtype = value.dtype or str(value.array.dtype)
        return f"torch {dtype} tensor of shape {tuple(value.array.shape)} on {value.device}"
    if isinstance(value, Tensor):
        return f"torch {value.dtype} tensor of shape {value.shape} on {value.device}"
    if isinstance(value, Opaque):
        return f"an object of type {value.type_name}"
    if isinstance(value, np.generic):
        return f"numpy {value.dtype} scalar {value!r}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(describe(item) for item in value[:4])
        more = ", ..." if len(value) > 4 else ""
        return f"{type(value).__name__} ({inner}{more})"
    if value is None:
        return "None"
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}"


InputWriter = Callable[[str, bytes], str]
"""Creates a new input file for the kernel from its name and bytes; returns the kernel's path."""
ResultOpener = Callable[[str], int]
"""Opens a result file the kernel wrote, by name, without following links; returns an fd."""


def encode_input(value: Any, write: InputWriter, stem: str) -> dict[str, Any]:
    """Describe one argument for the kernel; arrays become new .npy files made by `write`."""
    if value is None or type(value) in (bool, int, float, str):
        return {"kind": "json", "value": value}
    if isinstance(value, (tuple, list)):
        items = [encode_input(item, write, f"{stem}_{i}") for i, item in enumerate(value)]
        return {
            "kind": type(value).__name__ if type(value) in (tuple, list) else "list",
            "items": items,
        }
    if isinstance(value, AsTensor):
        path = _write(np.asarray(value.array), write, f"{stem}.npy")
        return {
            "kind": "tensor",
            "path": path,
            "dtype": value.dtype,
            "device": value.device,
            "requires_grad": value.requires_grad,
        }
    if isinstance(value, np.ndarray):
        return {"kind": "ndarray", "path": _write(value, write, f"{stem}.npy")}
    if isinstance(value, np.generic):
        return {"kind": "scalar", "path": _write(np.asarray(value), write, f"{stem}.npy")}
    raise TypeError(f"cannot send a {type(value).__name__} to the kernel")


def _write(array: np.ndarray, write: InputWriter, name: str) -> str:
    if array.dtype.hasobject:
        raise TypeError("object arrays cannot be sent to the kernel")
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
    return write(name, buffer.getvalue())


@dataclass
class ReplyBudget:
    """What one reply may still claim: each result file once, and a total number of elements."""

    opener: ResultOpener
    result_dir: str
    elements_left: int = MAX_ELEMENTS
    seen: set[str] = field(default_factory=set)


def decode_result(spec: Any, budget: ReplyBudget, depth: int = 0) -> Any:
    """Turn the kernel's (untrusted) description of a returned value into trusted data."""
    if not isinstance(spec, dict) or depth > 8:
        return Opaque("malformed reply")
    kind = spec.get("kind")
    if kind == "json":
        value = spec.get("value")
        if type(value) is str and len(value) > MAX_TEXT:
            return Opaque("malformed reply", "a string longer than the kernel ever sends")
        return (
            value
            if value is None or type(value) in (bool, int, float, str)
            else Opaque("malformed reply")
        )
    if kind == "float":
        return _FLOATS.get(str(spec.get("value")), Opaque("malformed reply"))
    if kind in ("tuple", "list"):
        items = spec.get("items")
        if not isinstance(items, list) or len(items) > 64:
            return Opaque("malformed reply")
        decoded = [decode_result(item, budget, depth + 1) for item in items]
        return tuple(decoded) if kind == "tuple" else decoded
    if kind in ("ndarray", "scalar", "tensor"):
        try:
            array = _load_result(spec, budget)
        except NpyError as exc:
            return Opaque("unreadable array", str(exc))
        if kind == "ndarray":
            return array
        if kind == "scalar":
            return array[()] if array.ndim == 0 else Opaque("malformed reply")
        return Tensor(
            array,
            str(spec.get("dtype", "")),
            str(spec.get("device", "")),
            bool(spec.get("requires_grad")),
        )
    if kind == "opaque":
        return Opaque(str(spec.get("type", "?"))[:200], str(spec.get("repr", ""))[:200])
    return Opaque("malformed reply")


def _load_result(spec: dict[str, Any], budget: ReplyBudget) -> np.ndarray:
    path = str(spec.get("path", ""))[:4096]
    name = os.path.basename(path)
    if os.path.dirname(path) != budget.result_dir or not _RESULT_NAME.match(name):
        raise NpyError("the result file is not where the kernel writes results")
    if name in budget.seen:
        raise NpyError("the reply names the same result file twice")
    budget.seen.add(name)
    shape = spec.get("shape")
    dtype = spec.get("dtype")
    if (
        not isinstance(shape, list)
        or len(shape) > 32
        or not all(type(n) is int and 0 <= n <= MAX_ELEMENTS for n in shape)
    ):
        raise NpyError("the kernel did not describe the array")
    if not isinstance(dtype, str):
        raise NpyError("the kernel did not describe the array")
    count = math.prod(shape)
    if count > budget.elements_left:
        raise NpyError(f"the results hold more than {MAX_ELEMENTS} elements in all")
    try:
        fd = budget.opener(name)
    except OSError as exc:
        raise NpyError(f"cannot open the result file: {exc.strerror}") from exc
    array = read_npy(fd, shape=tuple(shape), dtype=dtype, max_elements=budget.elements_left)
    budget.elements_left -= count
    return array
