"""A strict `.npy` reader for files written by untrusted code: no pickle, no npz, no surprises."""

from __future__ import annotations

import ast
import math
import os
import stat

import numpy as np

MAGIC = b"\x93NUMPY"
MAX_HEADER = 2048
MAX_ELEMENTS = 64 * 1024 * 1024
MAX_DIMS = 32
ALLOWED_DTYPES = frozenset(
    {
        "<f8",
        "<f4",
        "<f2",
        "<c16",
        "<c8",
        "<i8",
        "<i4",
        "<i2",
        "|i1",
        "<u8",
        "<u4",
        "<u2",
        "|u1",
        "|b1",
    }
)


class NpyError(ValueError):
    """A file that is not a plain numeric array of the declared shape and dtype."""


def _read_exact(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise NpyError("the file is shorter than its header says")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _parse_header(text: str) -> tuple[str, bool, tuple[int, ...]]:
    try:
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        raise NpyError("the header is not a dictionary literal") from exc
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise NpyError("the header must hold exactly descr, fortran_order and shape")
    descr, fortran, shape = header["descr"], header["fortran_order"], header["shape"]
    if not isinstance(descr, str) or descr not in ALLOWED_DTYPES:
        raise NpyError(f"dtype {descr!r} is not a plain little-endian number or bool type")
    if not isinstance(fortran, bool):
        raise NpyError("fortran_order must be True or False")
    if not isinstance(shape, tuple) or not all(type(n) is int and n >= 0 for n in shape):
        raise NpyError("shape must be a tuple of non-negative integers")
    # Checked one by one: (0, 10**23) holds no element, yet numpy cannot represent it.
    if len(shape) > MAX_DIMS or any(n > MAX_ELEMENTS for n in shape):
        raise NpyError(
            f"shape {shape[:4]}{'...' if len(shape) > 4 else ''} is not a shape the grader accepts"
        )
    return descr, fortran, shape


def load_npy(
    path: str | os.PathLike[str],
    *,
    shape: tuple[int, ...] | None = None,
    dtype: str | None = None,
    max_elements: int = MAX_ELEMENTS,
) -> np.ndarray:
    """Read a regular `.npy` file whose header matches `shape`/`dtype` (when given) exactly.

    Checks, before allocating anything: not a symlink or device, magic and version 1.0/2.0,
    header length capped, dtype in the allowlist, shape sane and within `max_elements`,
    file length equal to header plus data. Returns a C-contiguous base-class ndarray the
    caller owns.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise NpyError(f"cannot open the result file: {exc.strerror}") from exc
    return read_npy(fd, shape=shape, dtype=dtype, max_elements=max_elements)


def read_npy(
    fd: int,
    *,
    shape: tuple[int, ...] | None = None,
    dtype: str | None = None,
    max_elements: int = MAX_ELEMENTS,
) -> np.ndarray:
    """`load_npy` on an fd the caller opened (without following links); the fd is closed."""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NpyError("the result is not a regular file")
        prefix = _read_exact(fd, 8)
        if prefix[:6] != MAGIC:
            raise NpyError("not a .npy file")
        major = prefix[6]
        if major == 1:
            length = int.from_bytes(_read_exact(fd, 2), "little")
            offset = 10
        elif major in (2, 3):
            length = int.from_bytes(_read_exact(fd, 4), "little")
            offset = 12
        else:
            raise NpyError(f"unsupported .npy version {major}")
        if length > MAX_HEADER:
            raise NpyError(f"the header claims {length} bytes (at most {MAX_HEADER})")
        header = _read_exact(fd, length).decode("latin-1")
        descr, fortran, declared = _parse_header(header)
        if shape is not None and tuple(shape) != declared:
            raise NpyError(f"the file holds shape {declared}, the kernel reported {tuple(shape)}")
        if dtype is not None and dtype != descr:
            raise NpyError(f"the file holds dtype {descr}, the kernel reported {dtype}")
        count = math.prod(declared)
        if count > max_elements:
            raise NpyError(f"the array has {count} elements (at most {max_elements})")
        itemsize = np.dtype(descr).itemsize
        if info.st_size != offset + length + count * itemsize:
            raise NpyError("the file length does not match its header")
        data = _read_exact(fd, count * itemsize)
    finally:
        os.close(fd)
    array = np.frombuffer(data, dtype=np.dtype(descr), count=count)
    array = array.reshape(declared, order="F" if fortran else "C")
    return np.array(array, order="C", copy=True)
