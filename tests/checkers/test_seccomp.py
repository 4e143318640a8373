"""The worker's syscall filter (checkers/kernel/seccomp.py) on its own: shape and behaviour."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from checkers.kernel import seccomp

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("machine", sorted(seccomp.ARCHES))
def test_every_jump_lands_inside_the_program_and_it_ends_in_returns(machine: str) -> None:
    program = seccomp.program(machine)
    assert len(program) < 256
    for index, (code, jt, jf, _) in enumerate(program):
        if code in (seccomp.JEQ_K, seccomp.JGE_K, seccomp.JSET_K):
            assert 0 <= jt <= 255 and 0 <= jf <= 255
            assert index + 1 + max(jt, jf) < len(program)
    assert [code for code, *_ in program[-3:]] == [seccomp.RET_K] * 3
    assert set(seccomp.DENIED) <= set(seccomp.ARCHES[machine][1])


def test_unknown_machine_has_no_program() -> None:
    with pytest.raises(KeyError):
        seccomp.program("riscv64")


CHILD = """
import ctypes, errno, os, threading, subprocess, sys
sys.path.insert(0, {kernel_dir!r})
import seccomp
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(38, 1, 0, 0, 0) == 0  # no_new_privs, as the worker sets it
print(seccomp.apply_filter())
numbers = seccomp.ARCHES[os.uname().machine][1]
def refused(name, *args):
    ctypes.set_errno(0)
    done = libc.syscall(numbers[name], *args)
    return done == -1 and ctypes.get_errno()
assert refused("keyctl", 0, -4, 0) == errno.EPERM
assert refused("unshare", 0x10000000) == errno.EPERM
assert refused("clone3", 0, 0) == errno.ENOSYS
assert libc.unshare(0x40000000) == -1  # through libc as well
# What a kernel still needs: threads, fork, a subprocess.
box = []
thread = threading.Thread(target=box.append, args=(1,))
thread.start(); thread.join()
pid = os.fork()
if pid == 0:
    os._exit(7)
assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 7
out = subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True)
assert box == [1] and out.stdout.strip() == "42", out
print("ok")
"""


@pytest.mark.skipif(os.uname().machine not in seccomp.ARCHES, reason="no table for this machine")
def test_filter_refuses_keyrings_and_namespaces_and_keeps_threads_fork_and_exec() -> None:
    code = CHILD.format(kernel_dir=str(REPO / "checkers" / "kernel"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "ok"
    assert "keyrings" in done.stdout
