"""Kernel worker bootstrap: stdlib only, imported by a one-line `python -I -c` stub (see
`launch.BOOTSTRAP_STUB`) so that its bytecode comes from `__pycache__`, then `main()` reads the
config JSON from argv[1].

Runs under any interpreter (the learner's CUDA venv too), so it must not import the tutor, numpy or
torch at module level; its helpers `framing`, `confine` and `landlock` sit beside it, stdlib only.
Order matters: namespaces, the private root, the unprivileged identity, Landlock and limits are all
in place before any learner code, then the preloads, then the request loop over two pipes.

Process layout with namespaces: the launched process (outside) unshares a pid namespace (and a
user namespace when the tutor is not root) and waits; its child is pid 1 there, unshares mount,
network and IPC namespaces and reaps; pid 1's child is the worker, which builds the view.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import linecache
import os
import resource
import signal
import sys
import time
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the same files, as the type checker finds them from the repository root
    from checkers.kernel import confine, framing, landlock, seccomp
else:  # at run time they sit beside this file, imported as top-level modules (see launch)
    import confine
    import framing
    import landlock
    import seccomp

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
MAX_DEPTH = 4
MAX_ITEMS = 64
CELL_FILENAME = "<cell>"
TIMINGS: dict = {}
"""How long the confinement steps took (ms), reported in the hello for `bench` and the notes."""
START_FAILED = 70
"""Exit status of a launcher whose sandbox could not be built (the reason is on stderr)."""


class _State:
    """What the SIGINT handler needs: only a running cell may be interrupted."""

    in_cell = False


def _fatal(step: str, error: BaseException | str) -> None:
    """Stop start-up: the parent reads the last stderr line as the reason."""
    sys.stderr.write(f"sandbox: {step}: {error}\n")
    sys.stderr.flush()
    os._exit(START_FAILED)


def _watch_parent(expected: int) -> bool:
    """SIGKILL this process when its parent dies; False if the parent is already gone."""
    ok = confine.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if expected and os.getppid() != expected:
        os._exit(1)
    return ok


def _exit_like(status: int) -> None:
    code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    os._exit(code)


def _reaper(worker: int, keep: tuple[int, ...], host_root: bool) -> None:
    """As pid 1 of the pid namespace: reap orphans and exit with the worker's status."""
    for fd in keep:
        os.close(fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        confine.drop_identity(host_root)
    except OSError:
        pass  # it runs no learner code; the worker's own drop is the one that is checked
    confine.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # a change of identity cleared it
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(0)
        except InterruptedError:
            continue
        if pid == worker:
            _exit_like(status)


def _launcher(child: int, keep: tuple[int, ...]) -> None:
    """Outside the namespaces: wait for pid 1 and exit as it did (the tutor's `popen`)."""
    for fd in keep:
        os.close(fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            pid, status = os.waitpid(child, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(1)
        if pid == child:
            _exit_like(status)


def _enter_namespaces(cfg: dict) -> dict:
    """Fork into fresh namespaces; returns (in the worker) what the confinement achieved."""
    keep = (cfg["request_fd"], cfg["reply_fd"])
    host_root = os.geteuid() == 0
    uid, gid = os.getuid(), os.getgid()
    try:
        flags = confine.CLONE_NEWPID | (0 if host_root else confine.CLONE_NEWUSER)
        confine.unshare(
            flags, "unshare the pid namespace" if host_root else "unshare user and pid namespaces"
        )
        if not host_root:
            confine.map_own_ids(uid, gid)
    except OSError as exc:
        _fatal("namespaces", exc)
    child = os.fork()
    if child:
        _launcher(child, keep)
    _watch_parent(0)
    try:
        confine.unshare(
            confine.CLONE_NEWNS | confine.CLONE_NEWNET | confine.CLONE_NEWIPC,
            "unshare mount, network and IPC namespaces",
        )
    except OSError as exc:
        _fatal("namespaces", exc)
    worker = os.fork()
    if worker:
        _reaper(worker, keep, host_root)
    _watch_parent(0)
    return {"host_root": host_root, "uid": uid, "gid": gid}


def _confine_worker(cfg: dict, identity: dict, layers: dict) -> None:
    """In the worker, before any learner code: the view, the identity, Landlock."""
    spec = cfg["confine"]
    host_root = identity["host_root"]
    uid, gid = (confine.NOBODY, confine.NOBODY) if host_root else (identity["uid"], identity["gid"])
    own = confine.interpreter_paths(tuple(spec.get("hidden", ())))
    read_only = sorted(set(own) | set(spec["read_only"]) | {spec["shared"]})
    started = time.perf_counter()
    try:
        confine.build_root(
            read_only=read_only,
            private=spec["private"],
            devices=spec["devices"],
            tmpfs_mb=spec["tmpfs_mb"],
            uid=uid,
            gid=gid,
            home=spec["home"],
            masked=tuple(spec.get("masked", ())),
        )
    except OSError as exc:
        _fatal("private root", exc)
    TIMINGS["root_ms"] = round((time.perf_counter() - started) * 1000, 3)
    layers["filesystem"] = (
        True,
        "private root: read-only interpreter and system folders; its own folder, "
        f"/tmp and /dev/shm are private tmpfs ({spec['tmpfs_mb']} MiB each)",
    )
    _drop(host_root, layers)
    system = [path for path in confine.SYSTEM_DIRS if os.path.exists(path)]
    _landlock(
        read_only + system + ["/etc", "/proc", "/dev"],
        spec,
        ["/tmp", "/dev/shm"],
        layers,
        listable=("/",),
    )  # the private root's own folders: listing them shows nothing new


def _drop(host_root: bool, layers: dict) -> None:
    try:
        uid, _ = confine.drop_identity(host_root)
    except OSError as exc:
        _fatal("identity", exc)
    who = "nobody" if host_root else "your own uid in a user namespace"
    layers["identity"] = (confine.capabilities() == 0, f"uid {uid} ({who}), no capabilities")


def _landlock(
    read_only: list, spec: dict, extra_writable: list, layers: dict, listable: tuple = ()
) -> None:
    if not spec.get("landlock", True):
        layers["landlock"] = (False, "turned off")
        return
    devices = [f"/dev/{name}" for name in confine.DEVICES] + [
        p for p in spec["devices"] if p.startswith("/dev/")
    ]
    started = time.perf_counter()
    try:
        layers["landlock"] = (
            True,
            landlock.apply_landlock(read_only, spec["private"] + extra_writable, devices, listable),
        )
    except OSError as exc:
        layers["landlock"] = (False, str(exc))
    TIMINGS["landlock_ms"] = round((time.perf_counter() - started) * 1000, 3)


def _syscall_filter(layers: dict) -> None:
    """Refuse keyrings, new namespaces, io_uring and the like before any learner code runs."""
    started = time.perf_counter()
    try:
        layers["syscalls"] = (True, seccomp.apply_filter())
    except OSError as exc:
        layers["syscalls"] = (False, str(exc))
    TIMINGS["seccomp_ms"] = round((time.perf_counter() - started) * 1000, 3)


def _plain_identity(cfg: dict, layers: dict) -> None:
    """Without namespaces: still never run as root, and Landlock over the host's folders."""
    spec = cfg["confine"]
    host_root = os.geteuid() == 0
    layers["filesystem"] = (
        False,
        "the host's filesystem (no private root: namespaces are not in use)",
    )
    own = confine.interpreter_paths(tuple(spec.get("hidden", ())))
    _drop(host_root, layers)
    for path in own:
        if not os.access(path, os.R_OK | os.X_OK):
            _fatal(
                "identity",
                f"uid {os.getuid()} cannot read {path}: without a private root the "
                "interpreter cannot run unprivileged",
            )
    etc = [f"/etc/{name}" for name in confine.ETC_FILES]
    read_only = sorted(set(own) | set(spec["read_only"]) | set(confine.SYSTEM_DIRS))
    _landlock(read_only + [spec["shared"]] + etc + ["/proc"], spec, [], layers)


def _count_user_tasks(uid: int) -> int:
    """Processes and threads of this real uid that /proc shows: RLIMIT_NPROC counts them."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as handle:
                text = handle.read()
        except OSError:
            continue
        uid_line = text.split(b"\nUid:", 1)[-1].split()
        threads = text.split(b"\nThreads:", 1)[-1].split()
        if uid_line and int(uid_line[0]) == uid and threads:
            count += int(threads[0])
    return count


def _set_limits(cfg: dict, tasks_before: int) -> dict:
    """rlimits for this process and all it starts; `tasks_before` is the uid's task count that
    RLIMIT_NPROC must allow on top of (-1: count now)."""
    applied: dict = {}

    def limit(name: str, which: int, soft: int, hard: int) -> None:
        try:
            resource.setrlimit(which, (soft, hard))
            applied[name] = soft
        except (ValueError, OSError) as exc:
            applied[name] = f"not set: {exc}"

    if cfg["memory_mb"] > 0:
        size = cfg["memory_mb"] * 1024 * 1024
        limit("address_space", resource.RLIMIT_AS, size, size)
    cpu = cfg["cpu_seconds"]
    limit("cpu_seconds", resource.RLIMIT_CPU, cpu, cpu + 5)
    fsize = cfg["file_size_mb"] * 1024 * 1024
    limit("file_size", resource.RLIMIT_FSIZE, fsize, fsize)
    limit("open_files", resource.RLIMIT_NOFILE, cfg["open_files"], cfg["open_files"])
    limit("core", resource.RLIMIT_CORE, 0, 0)
    if cfg["processes"] > 0 and "pids" not in cfg.get("cgroups", {}):
        # Binds: the worker is never uid 0 and holds no capability (see confine.drop_identity).
        # With a pids cgroup that is the limit: nobody's count is shared host-wide by every
        # root tutor's kernels, so an RLIMIT_NPROC on top would fail at random.
        base = tasks_before if tasks_before >= 0 else _count_user_tasks(os.getuid())
        limit("processes", resource.RLIMIT_NPROC, base + cfg["processes"], base + cfg["processes"])
    return applied


def _ask_to_join(cfg: dict, host_pid: int) -> None:
    """Ask the parent to move this process into the kernel's cgroups (pids, memory). The move is
    slow (cgroup v1 waits for an RCU grace period, 10-20 ms), so it overlaps the set-up;
    `_join_cgroup` waits for the answer before hello, and so before any learner code."""
    if cfg.get("cgroups"):
        framing.write_frame(cfg["reply_fd"], {"op": "join", "pid": host_pid})


def _join_cgroup(cfg: dict) -> dict:
    """Wait for the parent's answer to `_ask_to_join`; which of the cgroups this process is in."""
    groups = cfg.get("cgroups")
    if not groups:
        return {}
    answer = framing.read_frame(cfg["request_fd"])
    if answer.get("op") != "joined":
        raise SystemExit(f"kernel start-up: expected the cgroup answer, got {answer.get('op')!r}")
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as handle:
            mine = {line.split(":", 2)[-1] for line in handle.read().splitlines()}
    except OSError:
        mine = set()
    # Inside a fresh cgroup-less view /proc/self/cgroup still names the host's cgroup paths.
    joined: dict[str, object] = {kind: path in mine for kind, path in groups.items()}
    joined["error"] = str(answer.get("error") or "")
    return joined


def _recv(fd: int) -> dict:
    return framing.read_frame(fd)


def _send(fd: int, message: dict) -> None:
    framing.write_frame(fd, message)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _learner_traceback(exc: BaseException) -> str:
    """The traceback without the bootstrap's own frames."""
    import traceback  # only on an error: it is not among numpy's imports

    own = _learner_traceback.__code__.co_filename
    entries = traceback.extract_tb(exc.__traceback__)
    keep = [e for e in entries if e.filename not in (own, "<string>")]
    lines = traceback.format_list(keep) if keep else []
    head = "Traceback (most recent call last):\n" if lines else ""
    tail = "".join(traceback.format_exception_only(type(exc), exc))
    return head + "".join(lines) + tail


def _run_guarded(action):
    """Run learner code; SIGINT raises KeyboardInterrupt only while it runs."""
    try:
        _State.in_cell = True
        try:
            return action(), None
        finally:
            _State.in_cell = False
    except BaseException as exc:  # noqa: BLE001 - the learner's SystemExit, KeyboardInterrupt too
        return None, exc


def _on_sigint(signum, frame):
    if _State.in_cell:
        raise KeyboardInterrupt


def _register_source(filename: str, source: str) -> None:
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def _exec_cell(code: str, namespace: dict, counter: int):
    """Exec statements; echo the last expression's repr like Python's own REPL does.

    This is the sandboxed kernel process, whose job is to run the learner's code. The last
    expression is compiled in "single" (interactive) mode, in which Python hands its value to
    sys.displayhook; a hook set just for that statement catches it."""
    filename = f"<cell {counter}>"
    _register_source(filename, code)
    tree = ast.parse(code, filename, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Interactive([tree.body.pop()])
    exec(compile(tree, filename, "exec"), namespace)
    if last is None:
        return None
    shown: list = []
    previous = sys.displayhook
    sys.displayhook = shown.append
    try:
        exec(compile(last, filename, "single"), namespace)
    finally:
        sys.displayhook = previous
    if not shown or shown[0] is None:
        return None
    namespace["_"] = shown[0]
    return repr(shown[0])


class _Worker:
    """The request loop: exec cells, load a learner module, call its functions."""

    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self.req = cfg["request_fd"]
        self.rep = cfg["reply_fd"]
        self.pid = os.getpid()
        self.namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
        self.module: types.ModuleType | None = None
        self.cells = 0

    def serve(self) -> None:
        while True:
            try:
                request = _recv(self.req)
            except (EOFError, OSError, ValueError):
                os._exit(0)
            if os.getpid() != self.pid:
                os._exit(0)  # a forked learner child must never answer
            reply = self.handle(request)
            if os.getpid() != self.pid:
                os._exit(0)
            _flush()
            reply["id"] = request.get("id")
            reply["children"] = self._reap()
            signal.signal(signal.SIGINT, _on_sigint)
            try:
                _send(self.rep, reply)
            except OSError:
                os._exit(0)

    def _reap(self) -> bool:
        """Reap finished children; True if any are still alive (the parent then sweeps)."""
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return False
            except InterruptedError:
                continue
            if pid == 0:
                return True

    def handle(self, request: dict) -> dict:
        op = request.get("op")
        started = time.perf_counter()
        if op == "exec":
            self.cells += 1
            value, exc = _run_guarded(
                lambda: _exec_cell(request["code"], self.namespace, self.cells)
            )
            reply = {"value": value}
        elif op == "load":
            value, exc = _run_guarded(lambda: self._load(request["source"], request["filename"]))
            reply = {"defined": value}
        elif op == "call":
            value, exc = _run_guarded(lambda: self._call(request))
            reply = {"result": value}
        elif op == "ping":
            value, exc, reply = None, None, {}
        else:
            value, exc, reply = None, ValueError(f"unknown op {op!r}"), {}
        reply["duration"] = time.perf_counter() - started
        if exc is None:
            reply["status"] = "ok"
            if op == "call":
                try:
                    reply["result"] = self._encode_all(value, request["out_dir"], request["id"])
                except BaseException as encode_exc:  # noqa: BLE001 - a liar object's hooks can raise anything
                    reply.update(status="error", error=_learner_traceback(encode_exc), result=None)
        else:
            reply["status"] = "error"
            reply["error"] = _learner_traceback(exc)
            reply["exception"] = type(exc).__name__
            reply["result"] = None
        return reply

    def _load(self, source: str, filename: str) -> list:
        _register_source(filename, source)
        module = types.ModuleType("solution")
        module.__file__ = filename
        sys.modules["solution"] = module
        code = compile(source, filename, "exec")
        exec(code, module.__dict__)
        self.module = module
        return sorted(name for name, item in vars(module).items() if callable(item))

    def _call(self, request: dict):
        if self.module is None:
            raise RuntimeError("no solution loaded")
        function = getattr(self.module, request["function"], None)
        if function is None:
            raise NameError(f"your file does not define {request['function']}()")
        args = [self._decode(a) for a in request["args"]]
        kwargs = {k: self._decode(v) for k, v in request["kwargs"].items()}
        return function(*args, **kwargs)

    def _decode(self, spec: dict):
        kind = spec["kind"]
        if kind == "json":
            return spec["value"]
        if kind in ("tuple", "list"):
            items = [self._decode(item) for item in spec["items"]]
            return tuple(items) if kind == "tuple" else items
        import numpy as np

        array = np.load(spec["path"], allow_pickle=False)
        if kind == "ndarray":
            return array
        if kind == "scalar":
            return array[()]
        import torch

        tensor = torch.from_numpy(array)
        if spec.get("dtype"):
            tensor = tensor.to(getattr(torch, spec["dtype"]))
        return tensor.to(spec.get("device") or "cpu").requires_grad_(
            bool(spec.get("requires_grad"))
        )

    def _encode_all(self, value, out_dir: str, call_id) -> dict:
        counter = [0]
        return self._encode(value, out_dir, f"{call_id}", counter, 0)

    def _encode(self, value, out_dir: str, prefix: str, counter: list, depth: int) -> dict:
        """Describe a returned value; arrays go to .npy files, never pickles."""
        np = sys.modules.get("numpy")
        torch = sys.modules.get("torch")
        kind_type = type(value)
        type_name = f"{kind_type.__module__}.{kind_type.__qualname__}"
        if value is None or kind_type in (bool, int, float, str):
            if kind_type is str and len(value) > 10000:
                return {"kind": "opaque", "type": type_name, "repr": value[:200]}
            if (
                kind_type is float
                and value != value
                or kind_type is float
                and value in (float("inf"), float("-inf"))
            ):
                return {"kind": "float", "value": repr(value)}
            if kind_type is int and abs(value) > 2**63:
                return {"kind": "opaque", "type": type_name, "repr": repr(value)[:200]}
            return {"kind": "json", "value": value}
        if kind_type in (tuple, list) and depth < MAX_DEPTH and len(value) <= MAX_ITEMS:
            items = [self._encode(item, out_dir, prefix, counter, depth + 1) for item in value]
            return {"kind": kind_type.__name__, "items": items}
        if np is not None and kind_type is np.ndarray:
            return self._save(value, out_dir, prefix, counter, {"kind": "ndarray"})
        if np is not None and isinstance(value, np.generic) and kind_type.__module__ == "numpy":
            return self._save(
                np.asarray(value), out_dir, prefix, counter, {"kind": "scalar", "type": type_name}
            )
        if torch is not None and kind_type is torch.Tensor:
            meta = {
                "kind": "tensor",
                "dtype": str(value.dtype).replace("torch.", ""),
                "device": str(value.device),
                "requires_grad": bool(value.requires_grad),
            }
            array = value.detach().to("cpu")
            if array.dtype == torch.bfloat16:
                array = array.float()
            return self._save(array.numpy(), out_dir, prefix, counter, meta)
        text = object.__repr__(value)
        return {"kind": "opaque", "type": type_name, "repr": text[:200]}

    def _save(self, array, out_dir: str, prefix: str, counter: list, meta: dict) -> dict:
        import numpy as np

        counter[0] += 1
        path = os.path.join(out_dir, f"{prefix}_{counter[0]}.npy")
        if array.dtype.hasobject or array.dtype.fields is not None:
            return {"kind": "opaque", "type": f"array of dtype {array.dtype}", "repr": ""}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            # ascontiguousarray promotes 0-d arrays (returned numpy scalars) to shape (1,).
            contiguous = np.asarray(array) if array.ndim == 0 else np.ascontiguousarray(array)
            np.lib.format.write_array(handle, contiguous, allow_pickle=False)
        meta.update(path=path, shape=list(array.shape), dtype=array.dtype.str)
        return meta


def _preload(names: list, optional: list) -> dict:
    versions: dict = {}
    for name in [*names, *optional]:
        try:
            module = __import__(name)
        except Exception as exc:  # noqa: BLE001 - an optional module may fail in any way
            versions[name] = None
            if name in names:
                versions[f"{name}_error"] = f"{type(exc).__name__}: {exc}"
            continue
        versions[name] = getattr(module, "__version__", "?")
    return versions


def main() -> None:
    cfg = json.loads(sys.argv[1])
    keep = (cfg["request_fd"], cfg["reply_fd"])
    _watch_parent(cfg.get("parent", 0))
    layers: dict = {}
    namespaces = bool(cfg.get("namespaces"))
    tasks_before = -1
    if namespaces:
        identity = _enter_namespaces(cfg)
        # The host's /proc is still mounted: it names this process by its host pid.
        host_pid = int(os.readlink("/proc/self"))
        _ask_to_join(cfg, host_pid)
        if identity["host_root"] and "pids" not in cfg.get("cgroups", {}):
            tasks_before = _count_user_tasks(confine.NOBODY)  # nobody's tasks host-wide
        _confine_worker(cfg, identity, layers)
        # Only from here on may this process ever be killed by its reaper's death.
        _watch_parent(0)
    else:
        host_pid = os.getpid()
        _ask_to_join(cfg, host_pid)
        if os.geteuid() == 0 and "pids" not in cfg.get("cgroups", {}):
            tasks_before = _count_user_tasks(confine.NOBODY)
        _plain_identity(cfg, layers)
        _watch_parent(cfg.get("parent", 0))
    in_pid_namespace = os.getpid() == 2
    pdeath = confine.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    confine.prctl(PR_SET_NO_NEW_PRIVS, 1)
    _syscall_filter(layers)
    subreaper = confine.prctl(PR_SET_CHILD_SUBREAPER, 1)
    os.chdir(cfg["confine"]["home"])
    limits = _set_limits(cfg, tasks_before)
    signal.signal(signal.SIGINT, _on_sigint)
    sys.stdin = io.StringIO()
    versions = _preload(cfg["preload"], cfg["optional_preload"])
    joined = _join_cgroup(cfg)
    hello = {
        "op": "hello",
        "pid": host_pid,
        "ns_pid": os.getpid(),
        "pid_namespace": in_pid_namespace,
        "pdeathsig": pdeath,
        "subreaper": subreaper,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "versions": versions,
        "limits": limits,
        "cgroups": joined,
        "network": _network_reachable(),
        "terminal": _terminal(),
        "uid": os.getuid(),
        "capabilities": confine.capabilities(),
        "layers": {name: list(value) for name, value in layers.items()},
        "timings": TIMINGS,
    }
    del keep
    _send(cfg["reply_fd"], hello)
    _Worker(cfg).serve()


def _terminal() -> str:
    """ "" when no terminal can be reached; else which one (for the sandbox report)."""
    for fd in (0, 1, 2):
        if os.isatty(fd):
            return f"fd {fd} is a terminal"
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        pass
    else:
        os.close(fd)
        return "/dev/tty opens (a controlling terminal)"
    try:
        terminals = [name for name in os.listdir("/dev/pts") if name.isdigit()]
    except OSError:
        terminals = []  # not in the view, or Landlock refuses to list it
    return "/dev/pts is visible" if terminals else ""


def _network_reachable() -> bool:
    """Whether this process's network namespace has any interface but loopback.

    /proc/self/net/dev lists the interfaces of the reader's own namespace (and costs no `socket`
    import, ~6 ms at start-up)."""
    try:
        with open("/proc/self/net/dev", encoding="ascii") as handle:
            lines = handle.read().splitlines()[2:]
    except OSError:
        return True
    names = [line.split(":", 1)[0].strip() for line in lines if ":" in line]
    return any(name != "lo" for name in names)


if __name__ == "__main__":
    main()
