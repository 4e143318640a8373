"""A seccomp filter for the worker: no kernel keyrings, no new namespaces, no io_uring, no bpf.

Stdlib only (ctypes), like `confine` and `landlock`: the bootstrap imports it by file name.
Why each refusal: the kernel keyrings of uid `nobody` (`_uid.65534`, `_uid_ses.65534`) are shared
by every process of that uid on the machine and outlive the kernel, so without this one grading
can leave a key for the next to read; a new user namespace hands back every capability (and with
it netfilter, mounts and the other large kernel surfaces the namespace layers exist to keep away);
io_uring, bpf, userfaultfd and perf_event_open are the usual local-exploit surfaces a learner's
linear algebra never needs. Refused calls fail with EPERM (clone3 with ENOSYS, so the C library
falls back to clone, whose flags the filter can read).
"""

from __future__ import annotations

import ctypes
import errno
import os

PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
X32_SYSCALL_BIT = 0x40000000
NAMESPACE_FLAGS = 0x7E020000
"""CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET (clone's low byte is
the exit signal, so CLONE_NEWTIME cannot be asked for through clone)."""

# BPF opcodes (linux/filter.h)
LD_W_ABS = 0x20
JEQ_K = 0x15
JGE_K = 0x35
JSET_K = 0x45
RET_K = 0x06

DENIED = (
    "keyctl", "add_key", "request_key",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "bpf", "userfaultfd", "perf_event_open", "ptrace", "process_vm_readv", "process_vm_writev",
    "syslog",
)  # fmt: skip
"""Refused outright, whatever the arguments."""

ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (
        0xC000003E,
        {
            "keyctl": 250, "add_key": 248, "request_key": 249, "unshare": 272, "setns": 308,
            "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "open_tree": 428,
            "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
            "mount_setattr": 442, "io_uring_setup": 425, "io_uring_enter": 426,
            "io_uring_register": 427, "bpf": 321, "userfaultfd": 323, "perf_event_open": 298,
            "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "syslog": 103,
            "clone": 56, "clone3": 435,
        },
    ),
    "aarch64": (
        0xC00000B7,
        {
            "keyctl": 219, "add_key": 217, "request_key": 218, "unshare": 97, "setns": 268,
            "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51, "open_tree": 428,
            "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
            "mount_setattr": 442, "io_uring_setup": 425, "io_uring_enter": 426,
            "io_uring_register": 427, "bpf": 280, "userfaultfd": 282, "perf_event_open": 241,
            "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "syslog": 116,
            "clone": 220, "clone3": 435,
        },
    ),
}  # fmt: skip
"""(AUDIT_ARCH value, syscall numbers) for each machine the filter knows."""


class _Instruction(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


def program(machine: str) -> list[tuple[int, int, int, int]]:
    """The filter for `machine` as (code, jt, jf, k) instructions; KeyError for an unknown one."""
    arch, numbers = ARCHES[machine]
    head: list[tuple[str, int, str | int, str | int]] = [
        ("ld", 4, 0, 0),  # seccomp_data.arch
        ("jeq", arch, 1, 0),
        ("ret", SECCOMP_RET_ERRNO | errno.EPERM, 0, 0),  # another ABI (int 0x80 on x86_64)
        ("ld", 0, 0, 0),  # seccomp_data.nr
    ]
    if machine == "x86_64":
        head.append(("jge", X32_SYSCALL_BIT, "deny", 0))  # the x32 table: never needed
    head += [("jeq", numbers[name], "deny", 0) for name in DENIED]
    head += [
        ("jeq", numbers["clone3"], "nosys", 0),
        ("jeq", numbers["clone"], 0, "allow"),
        ("ld", 16, 0, 0),  # clone's flags: low half of args[0]
        ("jset", NAMESPACE_FLAGS, "deny", "allow"),
    ]
    labels = {"allow": len(head), "deny": len(head) + 1, "nosys": len(head) + 2}
    codes = {"ld": LD_W_ABS, "jeq": JEQ_K, "jge": JGE_K, "jset": JSET_K, "ret": RET_K}
    out: list[tuple[int, int, int, int]] = []
    for index, (op, k, jt, jf) in enumerate(head):

        def hop(target: str | int, at: int = index) -> int:
            return labels[target] - at - 1 if isinstance(target, str) else target

        out.append((codes[op], hop(jt), hop(jf), k))
    out += [
        (RET_K, 0, 0, SECCOMP_RET_ALLOW),
        (RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM),
        (RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.ENOSYS),
    ]
    return out


def apply_filter() -> str:
    """Install the filter on every thread of this process (needs no_new_privs); what it refuses.

    Raises OSError when this machine's architecture has no table here or the kernel refuses."""
    machine = os.uname().machine  # not `platform`: its import costs more than the filter
    if machine not in ARCHES:
        raise OSError(errno.ENOSYS, f"no syscall table for {machine}")
    code = program(machine)
    instructions = (_Instruction * len(code))(*(_Instruction(*item) for item in code))
    prog = _Program(len(code), instructions)
    libc = ctypes.CDLL(None, use_errno=True)
    number = {"x86_64": 317, "aarch64": 277}[machine]  # seccomp(2)
    done = libc.syscall(
        number, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(prog)
    )
    if done != 0:
        failure = ctypes.get_errno()
        raise OSError(failure, f"seccomp: {os.strerror(failure)}")
    return "keyrings, new namespaces, mounts, io_uring, bpf, ptrace and userfaultfd refused"
