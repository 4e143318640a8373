"""What crosses the kernel boundary: inputs the parent sends, and typed values it gets back."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from checkers.grading.npy import NpyError, load_npy

_RESULT_NAME = re.compile(r"^\d+_\d+\.npy$")
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


def encode_input(value: Any, folder: Path, stem: str, own: Any) -> dict[str, Any]:
    """Describe one argument for the kernel; arrays become .npy files in `folder`."""
    if value is None or type(value) in (bool, int, float, str):
        return {"kind": "json", "value": value}
    if isinstance(value, (tuple, list)):
        items = [encode_input(item, folder, f"{stem}_{i}", own) for i, item in enumerate(value)]
        return {"kind": type(value).__name__ if type(value) in (tuple, list) else "list", "items": items}
    if isinstance(value, AsTensor):
        path = _write(np.asarray(value.array), folder / f"{stem}.npy", own)
        return {
            "kind": "tensor",
            "path": path,
            "dtype": value.dtype,
            "device": value.device,
            "requires_grad": value.requires_grad,
        }
    if isinstance(value, np.ndarray):
        return {"kind": "ndarray", "path": _write(value, folder / f"{stem}.npy", own)}
    if isinstance(value, np.generic):
        return {"kind": "scalar", "path": _write(np.asarray(value), folder / f"{stem}.npy", own)}
    raise TypeError(f"cannot send a {type(value).__name__} to the kernel")


def _write(array: np.ndarray, path: Path, own: Any) -> str:
    if array.dtype.hasobject:
        raise TypeError("object arrays cannot be sent to the kernel")
    np.save(path, array, allow_pickle=False)
    own(str(path))
    return str(path)


def decode_result(spec: Any, out_dir: Path, depth: int = 0) -> Any:
    """Turn the kernel's (untrusted) description of a returned value into trusted data."""
    if not isinstance(spec, dict) or depth > 8:
        return Opaque("malformed reply")
    kind = spec.get("kind")
    if kind == "json":
        value = spec.get("value")
        return value if value is None or type(value) in (bool, int, float, str) else Opaque("malformed reply")
    if kind == "float":
        return _FLOATS.get(str(spec.get("value")), Opaque("malformed reply"))
    if kind in ("tuple", "list"):
        items = spec.get("items")
        if not isinstance(items, list) or len(items) > 64:
            return Opaque("malformed reply")
        decoded = [decode_result(item, out_dir, depth + 1) for item in items]
        return tuple(decoded) if kind == "tuple" else decoded
    if kind in ("ndarray", "scalar", "tensor"):
        try:
            array = _load_result(spec, out_dir)
        except NpyError as exc:
            return Opaque("unreadable array", str(exc))
        if kind == "ndarray":
            return array
        if kind == "scalar":
            return array[()] if array.ndim == 0 else Opaque("malformed reply")
        return Tensor(
            array, str(spec.get("dtype", "")), str(spec.get("device", "")), bool(spec.get("requires_grad"))
        )
    if kind == "opaque":
        return Opaque(str(spec.get("type", "?"))[:200], str(spec.get("repr", ""))[:200])
    return Opaque("malformed reply")


def _load_result(spec: dict[str, Any], out_dir: Path) -> np.ndarray:
    path = str(spec.get("path", ""))
    if os.path.dirname(path) != str(out_dir) or not _RESULT_NAME.match(os.path.basename(path)):
        raise NpyError("the result file is not where the kernel writes results")
    shape = spec.get("shape")
    dtype = spec.get("dtype")
    if not isinstance(shape, list) or not all(type(n) is int for n in shape) or not isinstance(dtype, str):
        raise NpyError("the kernel did not describe the array")
    return load_npy(path, shape=tuple(shape), dtype=dtype)
