"""Length-prefixed JSON frames: the one wire format between the tutor and its kernel workers.

Stdlib only: the bootstrap imports this module under the kernel's own interpreter (see
`launch.BOOTSTRAP_STUB`), and the tutor imports it as `checkers.kernel.framing`. A frame is a
4-byte big-endian length and that many bytes of UTF-8 JSON holding one object.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

HEADER = struct.Struct(">I")
MAX_FRAME = 4 * 1024 * 1024
"""Largest frame either side accepts: replies carry descriptions and capped text, never arrays."""


class FrameError(ValueError):
    """A frame that is too large, not UTF-8 JSON, too deeply nested, or not an object."""


def encode(message: dict[str, Any]) -> bytes:
    """One frame holding `message` (values JSON cannot hold are sent as their `str`)."""
    data = json.dumps(message, default=str).encode("utf-8")
    return HEADER.pack(len(data)) + data


def decode(data: bytes) -> dict[str, Any]:
    """The object in a frame's body; FrameError for anything else (never RecursionError)."""
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FrameError(f"not a JSON message ({type(exc).__name__})") from exc
    if not isinstance(message, dict):
        raise FrameError(f"sent {type(message).__name__}, not a message")
    return message


def pop_frame(buffer: bytearray, limit: int = MAX_FRAME) -> dict[str, Any] | None:
    """Remove and decode the first complete frame in `buffer`; None until one has arrived."""
    if len(buffer) < HEADER.size:
        return None
    (size,) = HEADER.unpack_from(buffer)
    if size > limit:
        raise FrameError(f"a frame of {size} bytes (at most {limit})")
    end = HEADER.size + size
    if len(buffer) < end:
        return None
    body = bytes(buffer[HEADER.size : end])
    del buffer[:end]
    return decode(body)


def read_exact(fd: int, size: int) -> bytes:
    """Exactly `size` bytes from a blocking fd; EOFError when it closes first."""
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, limit: int = MAX_FRAME) -> dict[str, Any]:
    """Block for the next frame on `fd`; EOFError at end of stream, FrameError when malformed."""
    (size,) = HEADER.unpack(read_exact(fd, HEADER.size))
    if size > limit:
        raise FrameError(f"a frame of {size} bytes (at most {limit})")
    return decode(read_exact(fd, size))


def write_frame(fd: int, message: dict[str, Any]) -> None:
    """Write one whole frame to a blocking fd."""
    view = memoryview(encode(message))
    while view:
        written = os.write(fd, view)
        view = view[written:]
