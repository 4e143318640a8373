"""Confining a kernel worker: namespaces, a private root, an unprivileged identity.

Stdlib only and free of tutor imports: the bootstrap imports this module under the kernel's own
interpreter (a learner's CUDA venv too), and tests import it as `checkers.kernel.confine`.
Every step is a direct system call through ctypes (a private root in ~1 ms, where the same steps
as `mount` commands take ~70 ms); each returns or raises with a sentence saying what failed.

The view a worker gets (see `build_root`): a tmpfs root holding read-only binds of exactly what
its interpreter needs, its own work folder read-write at the same path, a fresh /proc, private
size-capped tmpfs /tmp and /dev/shm, a minimal /dev (plus the NVIDIA nodes when asked), and a
few files of /etc. Nothing else of the host is reachable: no home, no /run, no sockets.
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MNT_DETACH = 2
# statvfs f_flag bits -> the mount flags a read-only remount must keep (a user namespace may
# not clear them: the remount is refused otherwise).
ST_TO_MS = {
    1: MS_RDONLY,
    2: MS_NOSUID,
    4: MS_NODEV,
    8: MS_NOEXEC,
    1024: MS_NOATIME,
    2048: MS_NODIRATIME,
    4096: MS_RELATIME,
}

SYS_PIVOT_ROOT = 155

PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
CAPABILITY_VERSION_3 = 0x20080522
NOBODY = 65534

DEVICES = ("null", "zero", "full", "random", "urandom")
"""The device nodes every view has."""
ETC_FILES = ("ld.so.cache", "ld.so.conf", "localtime", "nsswitch.conf", "host.conf")
"""Host files of /etc an interpreter may read; never passwd, shadow or anything with secrets."""
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
"""System library and program folders: bound read-only, or re-created as the same symlink."""
NVIDIA_LIBRARY_DIRS = ("/usr/local/nvidia", "/usr/lib/wsl", "/usr/local/cuda")
"""Where container runtimes and WSL put the CUDA driver libraries outside /usr/lib."""

_LIBC: ctypes.CDLL | None = None


class ConfineError(OSError):
    """A confinement step failed; the message names the step and the reason."""


def libc() -> ctypes.CDLL:
    """The C library with the argument types of the calls used here."""
    global _LIBC
    if _LIBC is None:
        lib = ctypes.CDLL(None, use_errno=True)
        lib.mount.argtypes = [
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_ulong,
            ctypes.c_char_p,
        ]
        lib.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
        lib.unshare.argtypes = [ctypes.c_int]
        lib.syscall.restype = ctypes.c_long
        _LIBC = lib
    return _LIBC


def _fail(step: str) -> ConfineError:
    errno = ctypes.get_errno()
    return ConfineError(errno, f"{step}: {os.strerror(errno)}")


def prctl(option: int, value: int) -> bool:
    """prctl(option, value); False when the kernel refuses."""
    try:
        return libc().prctl(option, ctypes.c_ulong(value), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


# namespaces and identity ---------------------------------------------------------------------


def unshare(flags: int, step: str) -> None:
    """unshare(2), or ConfineError naming `step`."""
    if libc().unshare(flags) != 0:
        raise _fail(step)


def map_own_ids(uid: int, gid: int) -> None:
    """After unshare(CLONE_NEWUSER) by an ordinary user: be `uid`/`gid` inside too (never 0)."""
    try:
        for name, text in (
            ("setgroups", "deny"),
            ("uid_map", f"{uid} {uid} 1"),
            ("gid_map", f"{gid} {gid} 1"),
        ):
            fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
            try:
                os.write(fd, text.encode())
            finally:
                os.close(fd)
    except OSError as exc:
        raise ConfineError(exc.errno or 1, f"map the user namespace's ids: {exc.strerror}") from exc


def drop_identity(host_root: bool) -> tuple[int, int]:
    """Become unprivileged for good: nobody when the tutor is root, else drop every capability.

    Returns the (uid, gid) the process now has. Capabilities held in a user namespace are cleared
    too, so nothing can mount, leave a cgroup or undo a limit afterwards."""
    if host_root:
        try:
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
        except OSError as exc:
            raise ConfineError(exc.errno or 1, f"become nobody: {exc.strerror}") from exc
    elif capabilities() != 0:
        # Only a process holding capabilities (in its user namespace) has any to drop; an
        # ordinary user outside namespaces holds none, and may not touch the bounding set.
        lib = libc()
        for cap in range(64):
            if lib.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != 22:
                raise _fail(f"drop capability {cap}")
        lib.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
        data = (ctypes.c_uint32 * 6)()
        if lib.capset(header, data) != 0:
            raise _fail("clear capabilities")
    if os.getuid() == 0 or os.geteuid() == 0:
        raise ConfineError(1, "the worker would still run as uid 0")
    return os.getuid(), os.getgid()


def capabilities() -> int:
    """The effective capability mask of this process (0 when it holds none)."""
    try:
        with open("/proc/self/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"CapEff:"):
                    return int(line.split()[1], 16)
    except OSError:
        pass
    return -1


# the private root ----------------------------------------------------------------------------


def _mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None, step: str
) -> None:
    enc = [None if item is None else item.encode() for item in (source, target, fstype, data)]
    if libc().mount(enc[0], enc[1], enc[2], flags, enc[3]) != 0:
        raise _fail(step)


def _makedirs(path: str) -> None:
    os.makedirs(path, mode=0o755, exist_ok=True)


def _touch(path: str) -> None:
    _makedirs(os.path.dirname(path))
    if not os.path.lexists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o644))


def _covered(path: str, done: list[str]) -> bool:
    return any(path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in done)


def interpreter_paths(exclude: tuple[str, ...] = ()) -> list[str]:
    """What this interpreter needs to run and import: its prefixes and every folder on sys.path
    (a `.pth` line may add another environment's site-packages), except those under `exclude`
    (the tutor's own source tree: its reference code must stay out of sight)."""
    prefixes = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix}
    found = {os.path.realpath(p) for p in prefixes if p}
    found.add(os.path.dirname(os.path.realpath(sys.executable)))
    # A venv's bin/python is a symlink to the base interpreter; both paths must resolve inside.
    found.add(os.path.dirname(os.path.abspath(sys.executable)))
    hidden = [os.path.realpath(path).rstrip("/") for path in exclude]
    for entry in sys.path:
        real = os.path.realpath(entry) if entry and os.path.isabs(entry) else ""
        if not real or not os.path.isdir(real):
            continue
        inside = any(
            real == prefix or real.startswith(prefix.rstrip("/") + "/") for prefix in found
        )
        if (
            not inside
            and any(real == h or real.startswith(h + "/") for h in hidden)
            and not _in_venv(real)
        ):
            continue
        found.add(real)
    return sorted(found)


def _in_venv(path: str) -> bool:
    """Whether `path` lies in a virtual environment (a folder above it has pyvenv.cfg)."""
    while path not in ("/", ""):
        if os.path.isfile(os.path.join(path, "pyvenv.cfg")):
            return True
        path = os.path.dirname(path)
    return False


def nvidia_paths(
    dev: str = "/dev", proc: str = "/proc", roots: tuple[str, ...] = NVIDIA_LIBRARY_DIRS
) -> list[str]:
    """The NVIDIA device nodes and driver folders a CUDA kernel needs, as found on this host.

    Device nodes: /dev/nvidiaN, nvidiactl, nvidia-uvm(-tools), nvidia-modeset and the nodes in
    nvidia-caps. Driver folders: libraries container runtimes and WSL keep outside /usr. The
    driver's own /proc/driver/nvidia appears in the fresh /proc by itself; `proc` is only read to
    tell whether a driver is loaded at all."""
    found: list[str] = []
    try:
        names = sorted(os.listdir(dev))
    except OSError:
        return found
    for name in names:
        path = os.path.join(dev, name)
        if name.startswith("nvidia") and name != "nvidia-caps" and _is_device(path):
            found.append(path)
    caps = os.path.join(dev, "nvidia-caps")
    if os.path.isdir(caps):
        found += [
            os.path.join(caps, n)
            for n in sorted(os.listdir(caps))
            if _is_device(os.path.join(caps, n))
        ]
    if not found:
        return found
    found += [root for root in roots if os.path.isdir(root)]
    if os.path.isdir(os.path.join(proc, "driver", "nvidia")):
        found.append("/sys")  # NVML and the CUDA runtime read PCI topology from sysfs
    return found


def _is_device(path: str) -> bool:
    try:
        return stat.S_ISCHR(os.lstat(path).st_mode)
    except OSError:
        return False


def build_root(
    *,
    read_only: list[str],
    private: list[str],
    devices: list[str],
    tmpfs_mb: int,
    uid: int,
    gid: int,
    home: str,
    masked: tuple[str, ...] = (),
) -> None:
    """Replace this mount namespace's root with the private view; needs CAP_SYS_ADMIN in it.

    `read_only` folders are bound read-only at their own paths; each of `private` becomes a fresh
    tmpfs of `tmpfs_mb` owned by `uid`, so all the worker writes is capped and lives in RAM
    charged to its memory cgroup, and vanishes with the namespace. Each of `masked` that a
    read-only folder brought into the view is covered by an empty read-only tmpfs.

    Must run in the worker's own pid namespace (for the fresh /proc). The sequence follows what
    bubblewrap does: a tmpfs base at /tmp, pivot into it so the host stays reachable at /oldroot,
    bind what is needed into /newroot, detach the host, pivot into /newroot."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None, "make mounts private")
    _mount(
        "tutor-base",
        "/tmp",
        "tmpfs",
        MS_NOSUID | MS_NODEV,
        "mode=0755,size=1m",
        "mount the base tmpfs",
    )
    os.mkdir("/tmp/newroot", 0o755)
    os.mkdir("/tmp/oldroot", 0o755)
    _mount(
        "tutor-root",
        "/tmp/newroot",
        "tmpfs",
        MS_NOSUID,
        "mode=0755,size=4m",
        "mount the root tmpfs",
    )
    if libc().syscall(SYS_PIVOT_ROOT, b"/tmp", b"/tmp/oldroot") != 0:
        raise _fail("pivot into the base")
    os.chdir("/")
    new, old = "/newroot", "/oldroot"
    size = f"size={max(1, tmpfs_mb)}m"
    _makedirs(new + "/tmp")
    # First, so that binds of folders below /tmp (the work folder) land on top of it.
    _mount(
        "tutor-tmp",
        new + "/tmp",
        "tmpfs",
        MS_NOSUID | MS_NODEV,
        f"mode=1777,{size}",
        "mount a private /tmp",
    )
    done: list[str] = []
    for path in sorted(set(SYSTEM_DIRS) | set(read_only), key=len):
        if _covered(path, done):
            continue
        source = old + path
        try:
            info = os.lstat(source)
        except OSError:
            continue  # e.g. no /lib32 on this host
        if stat.S_ISLNK(info.st_mode):
            _makedirs(os.path.dirname(new + path))
            os.symlink(os.readlink(source), new + path)
            continue
        _bind(source, new + path, read_only=True, is_dir=stat.S_ISDIR(info.st_mode))
        done.append(path)
    for path in masked:
        # The tutor's own packages when a regular install puts them in a bound site-packages:
        # they hold the reference solutions.
        if _covered(path, done) and os.path.isdir(new + path):
            _mount(
                "tutor-hidden",
                new + path,
                "tmpfs",
                MS_NOSUID | MS_NODEV | MS_RDONLY,
                "mode=0555,size=4k",
                f"hide {path}",
            )
    for path in private:
        # The worker's own writable folders: size-capped tmpfs owned by it, gone with the namespace.
        _makedirs(new + path)
        _mount(
            "tutor-work",
            new + path,
            "tmpfs",
            MS_NOSUID | MS_NODEV,
            f"mode=0700,uid={uid},gid={gid},{size}",
            f"mount a private {os.path.basename(path)}",
        )
    _build_dev(new, old, devices, size)
    _makedirs(new + "/proc")
    _mount(
        "proc", new + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None, "mount a fresh /proc"
    )
    _build_etc(new, old, uid, gid, home)
    if libc().umount2(old.encode(), MNT_DETACH) != 0:
        raise _fail("detach the host's root")
    os.chdir(new)
    if libc().syscall(SYS_PIVOT_ROOT, b".", b".") != 0:
        raise _fail("pivot into the private root")
    if libc().umount2(b".", MNT_DETACH) != 0:
        raise _fail("detach the base")
    os.chdir("/")
    # The root itself is read-only: only the work folder, /tmp and /dev/shm take writes.
    _mount(
        None,
        "/",
        None,
        MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID,
        None,
        "make the root read-only",
    )


def _bind(source: str, target: str, *, read_only: bool, is_dir: bool, device: bool = False) -> None:
    if is_dir:
        _makedirs(target)
    else:
        _touch(target)
    _mount(source, target, None, MS_BIND, None, f"bind {source.removeprefix('/oldroot')}")
    if not read_only:
        return
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID
    try:
        current = os.statvfs(target).f_flag
    except OSError:
        current = 0
    for bit, flag in ST_TO_MS.items():
        if current & bit:
            flags |= flag
    if not device:
        flags |= MS_NODEV
    _mount(None, target, None, flags, None, f"make {source.removeprefix('/oldroot')} read-only")


def _build_dev(new: str, old: str, devices: list[str], size: str) -> None:
    dev = new + "/dev"
    _makedirs(dev)
    _mount(
        "tutor-dev",
        dev,
        "tmpfs",
        MS_NOSUID | MS_NOEXEC,
        "mode=0755,size=64k",
        "mount a minimal /dev",
    )
    for name in DEVICES:
        _bind(f"{old}/dev/{name}", f"{dev}/{name}", read_only=False, is_dir=False)
    for path in devices:
        if path.startswith("/dev/"):
            _bind(old + path, new + path, read_only=False, is_dir=False, device=True)
        elif os.path.isdir(old + path):
            _bind(old + path, new + path, read_only=True, is_dir=True)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, f"{dev}/{name}")
    os.mkdir(f"{dev}/shm")
    _mount(
        "tutor-shm",
        f"{dev}/shm",
        "tmpfs",
        MS_NOSUID | MS_NODEV,
        f"mode=1777,{size}",
        "mount a private /dev/shm",
    )


def _build_etc(new: str, old: str, uid: int, gid: int, home: str) -> None:
    etc = new + "/etc"
    _makedirs(etc)
    for name in ETC_FILES:
        source = f"{old}/etc/{name}"
        if os.path.isfile(source):
            _bind(
                os.path.realpath(source) if os.path.islink(source) else source,
                f"{etc}/{name}",
                read_only=True,
                is_dir=False,
            )
    # One account, so pwd lookups (getpass.getuser, torch caches) work without the host's list.
    _write(f"{etc}/passwd", f"learner:x:{uid}:{gid}:learner:{home}:/bin/false\n")
    _write(f"{etc}/group", f"learner:x:{gid}:\n")
    _write(f"{etc}/hosts", "127.0.0.1 localhost\n::1 localhost\n")


def _write(path: str, text: str) -> None:
    # Bytes through os calls only: between the two pivots the host's stdlib is out of reach,
    # so nothing here may import a module (open(..., encoding=...) would import a codec).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)
