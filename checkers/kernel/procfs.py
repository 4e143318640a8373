"""Reading the process tree from /proc and killing a kernel's strays, never a stranger."""

from __future__ import annotations

import ctypes
import os
import signal


def _parent_map() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        parents[int(entry)] = int(fields[1])
    return parents


def parent_of(pid: int) -> int:
    """`pid`'s parent pid, or -1 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return -1
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


def ancestors(pid: int) -> list[int]:
    """`pid`'s parent, grandparent and so on, read one /proc entry at a time (no full scan)."""
    chain: list[int] = []
    while pid > 1 and len(chain) < 64:
        pid = parent_of(pid)
        if pid <= 0:
            break
        chain.append(pid)
    return chain


def descendants(root: int) -> list[int]:
    """Every process below `root` in the process tree, found by scanning /proc."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parent_map().items():
        children.setdefault(parent, []).append(pid)
    found: list[int] = []
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def sweep(root: int, keep: tuple[int, ...]) -> int:
    """SIGKILL each descendant of `root` but `keep`, through a pidfd checked after opening."""
    killed = 0
    for _ in range(4):  # a fork racing the sweep leaves a new child: go round again
        tree = set(descendants(root))
        targets = tree.difference(keep)
        if not targets:
            break
        for pid in targets:
            try:
                fd = os.pidfd_open(pid)
            except OSError:
                continue
            try:
                if parent_of(pid) in tree | {root}:
                    signal.pidfd_send_signal(fd, signal.SIGKILL)
                    killed += 1
            except OSError:
                pass
            finally:
                os.close(fd)
    return killed


def alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie has exited)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return False
    return stat[stat.rindex(b")") + 2 :][:1] != b"Z"


# reading a worker's files from outside ------------------------------------------------------

SYS_OPENAT2 = 437
RESOLVE_NO_MAGICLINKS = 0x02
RESOLVE_NO_SYMLINKS = 0x04
RESOLVE_BENEATH = 0x08


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


def open_beneath(dir_fd: int, path: str, flags: int) -> int:
    """openat2(2): open `path` strictly beneath `dir_fd`, refusing every symlink and magic link on
    the way (a planted link in a worker's folder can never lead the tutor elsewhere)."""
    how = _OpenHow(flags, 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
    fd = ctypes.CDLL(None, use_errno=True).syscall(
        SYS_OPENAT2,
        ctypes.c_int(dir_fd),
        path.encode(),
        ctypes.byref(how),
        ctypes.c_size_t(ctypes.sizeof(how)),
    )
    if fd < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno), path)
    return int(fd)
