"""Reading the process tree from /proc and killing a kernel's strays, never a stranger."""

from __future__ import annotations

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
