"""Kernel worker bootstrap: stdlib only, imported by a one-line `python -I -c` stub (see
`process.launch_command`) so that its bytecode comes from `__pycache__`, then `main()` reads the
config JSON from argv[1].

Runs under any interpreter (the learner's CUDA venv too), so it must not import the tutor, numpy or
torch at module level. Order matters: limits and parent-death signal are set before any learner
code, then the preloads, then the request loop over two dedicated pipes (length-framed JSON).
"""

from __future__ import annotations

import ast
import builtins
import ctypes
import io
import json
import linecache
import os
import resource
import signal
import struct
import sys
import time
import types

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
MAX_FRAME = 64 * 1024 * 1024
MAX_DEPTH = 4
MAX_ITEMS = 64
CELL_FILENAME = "<cell>"


class _State:
    """What the SIGINT handler needs: only a running cell may be interrupted."""

    in_cell = False


def _prctl(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reaper(worker: int, keep: tuple[int, ...]) -> None:
    """As pid 1 of a pid namespace: reap orphans and exit with the worker's status."""
    for fd in keep:
        os.close(fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(0)
        except InterruptedError:
            continue
        if pid == worker:
            code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            os._exit(code)


def _count_user_tasks(uid: int) -> int:
    """Processes and threads of this real uid: RLIMIT_NPROC counts them host-wide."""
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


def _set_limits(cfg: dict) -> dict:
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
    if cfg["processes"] > 0:
        uid = os.getuid()
        cgroup = cfg.get("pids_cgroup")
        # Root (in any user namespace mapped to host root) is exempt from NPROC: the parent made
        # a pids cgroup and moves this process into it (see `_join_cgroup`). The seal does not
        # depend on the move, so it is done now, before any preload runs.
        if cgroup:
            sealed = _seal_cgroups() if cfg["pid_namespace"] else "no mount namespace"
            if sealed:
                applied["cgroup_seal"] = f"not set: {sealed}; root code could leave its pids cgroup"
        elif cfg["host_root"]:
            reason = cfg.get("pids_cgroup_error") or "no pids cgroup was made"
            applied["processes"] = f"not enforced: the kernel runs as root and {reason}"
        else:
            total = _count_user_tasks(uid) + cfg["processes"]
            limit("processes", resource.RLIMIT_NPROC, total, total)
    return applied


MS_FLAGS = {"ro": 1, "nosuid": 2, "nodev": 4, "noexec": 8, "noatime": 1024, "nodiratime": 2048,
            "relatime": 1 << 21, "strictatime": 1 << 24}
MS_REMOUNT = 32
MS_BIND = 4096
PR_CAPBSET_DROP = 24
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
CAPABILITY_VERSION_3 = 0x20080522


def _seal_cgroups() -> str:
    """Make this mount namespace's cgroup mounts read-only, then drop every capability, so learner
    code (root of its user namespace, mapped to host root) cannot move itself out of its pids
    cgroup nor undo the remount. Returns "" on success, else why not."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
    with open("/proc/self/mountinfo", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    for line in lines:
        before, _, after = line.partition(" - ")
        fields, extra = before.split(), after.split()
        if len(fields) < 6 or not extra or extra[0] not in ("cgroup", "cgroup2"):
            continue
        # Keep the mount's locked flags (nosuid, nodev, noexec, atime) or the remount is refused.
        flags = MS_REMOUNT | MS_BIND | MS_FLAGS["ro"]
        for option in fields[5].split(","):
            flags |= MS_FLAGS.get(option, 0) if option != "rw" else 0
        target = fields[4].replace("\\040", " ").encode()
        if libc.mount(None, target, None, flags, None) != 0:
            return f"cannot remount {fields[4]} read-only: {os.strerror(ctypes.get_errno())}"
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != 22:
            return f"cannot drop capability {cap}: {os.strerror(ctypes.get_errno())}"
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.capset(header, data) != 0:
        return f"cannot clear capabilities: {os.strerror(ctypes.get_errno())}"
    return ""


def _ask_to_join(cfg: dict) -> None:
    """Ask the parent to move this process into its pids cgroup. The move is slow (cgroup v1 waits
    for an RCU grace period, 10-20 ms), so it runs while the preloads import; `_join_cgroup`
    waits for the answer before hello, and so before any learner code."""
    if cfg.get("pids_cgroup") and cfg["processes"] > 0:
        _send(cfg["reply_fd"], {"op": "join", "pid": int(os.readlink("/proc/self"))})


def _join_cgroup(cfg: dict, limits: dict) -> None:
    """Wait for the parent's answer to `_ask_to_join`, then check the move really happened."""
    cgroup = cfg.get("pids_cgroup")
    if not cgroup or cfg["processes"] <= 0:
        return
    answer = _recv(cfg["request_fd"])
    if answer.get("op") != "joined":
        raise SystemExit(f"kernel start-up: expected the cgroup answer, got {answer.get('op')!r}")
    if _in_cgroup(cgroup["path"]):
        limits["processes"] = cgroup["limit"]
    else:
        why = f" ({answer['error']})" if answer.get("error") else ""
        limits["processes"] = f"not enforced: the kernel did not join {cgroup['path']}{why}"


def _in_cgroup(path: str) -> bool:
    """Whether this process is in the cgroup at `path` (as /proc/self/cgroup spells it)."""
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return False
    return any(line.split(":", 2)[-1] == path for line in lines)


def _process_limit(cfg: dict, limits: dict) -> str:
    """How the process limit is enforced, for the sandbox report; empty when it is not."""
    if not isinstance(limits.get("processes"), int):
        return ""
    cgroup = cfg.get("pids_cgroup")
    if cgroup:
        return cgroup["text"]
    return f"RLIMIT_NPROC, {cfg['processes']} over the user's count"


def _read_exact(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _recv(fd: int) -> dict:
    (size,) = struct.unpack(">I", _read_exact(fd, 4))
    if size > MAX_FRAME:
        raise EOFError
    return json.loads(_read_exact(fd, size).decode("utf-8"))


def _send(fd: int, message: dict) -> None:
    data = json.dumps(message, default=str).encode("utf-8")
    frame = struct.pack(">I", len(data)) + data
    view = memoryview(frame)
    while view:
        written = os.write(fd, view)
        view = view[written:]


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
            value, exc = _run_guarded(lambda: _exec_cell(request["code"], self.namespace, self.cells))
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
        return tensor.to(spec.get("device") or "cpu").requires_grad_(bool(spec.get("requires_grad")))

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
            if kind_type is float and value != value or kind_type is float and value in (float("inf"), float("-inf")):
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
            return self._save(np.asarray(value), out_dir, prefix, counter, {"kind": "scalar", "type": type_name})
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
    in_pid_namespace = os.getpid() == 1
    if in_pid_namespace:
        worker = os.fork()
        if worker:
            _reaper(worker, keep)
    parent = os.getppid()
    pdeath = _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    subreaper = _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _ask_to_join(cfg)
    limits = _set_limits({**cfg, "pid_namespace": in_pid_namespace})
    signal.signal(signal.SIGINT, _on_sigint)
    sys.stdin = io.StringIO()
    versions = _preload(cfg["preload"], cfg["optional_preload"])
    _join_cgroup(cfg, limits)
    hello = {
        "op": "hello",
        "pid": int(os.readlink("/proc/self")),
        "ns_pid": os.getpid(),
        "pid_namespace": in_pid_namespace,
        "pdeathsig": pdeath,
        "subreaper": subreaper,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "versions": versions,
        "limits": limits,
        "process_limit": _process_limit(cfg, limits),
        "network": _network_reachable(),
    }
    _send(cfg["reply_fd"], hello)
    _Worker(cfg).serve()


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
