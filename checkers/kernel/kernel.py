"""The kernel: a warm sandboxed worker that runs cells with timeouts, caps and crash recovery."""

from __future__ import annotations

import atexit
import os
import select
import signal
import stat
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from types import TracebackType
from typing import Any

from checkers.kernel import framing
from checkers.kernel.config import (
    CellResult,
    CellStatus,
    KernelConfig,
    KernelError,
    KernelInfo,
    SandboxLevel,
)
from checkers.kernel.launch import Spawned
from checkers.kernel.output import StreamBuffer
from checkers.kernel.process import WorkerProcess, handshake, spawn, sweep

_STANDBYS: dict[KernelConfig, Future[Spawned]] = {}
_STANDBY_LOCK = threading.Lock()


def prewarm(config: KernelConfig) -> None:
    """Start a spare worker for `config` in the background (no-op if one is waiting)."""
    with _STANDBY_LOCK:
        if config not in _STANDBYS:
            _STANDBYS[config] = spawn(config)


def discard_standbys(wait_s: float = 10.0) -> None:
    """Kill every spare worker that no kernel has taken: for hosts that outlive their kernels."""
    with _STANDBY_LOCK:
        spares = list(_STANDBYS.values())
        _STANDBYS.clear()
    for future in spares:
        try:
            worker = future.result(timeout=wait_s)
        except FutureTimeout:
            # Still starting: kill it once it has started, or it would outlive every kernel.
            future.add_done_callback(_kill_started)
            continue
        except (KernelError, OSError):
            continue  # a spare that never started has nothing left to kill
        WorkerProcess.from_spawned(worker).kill()


def _kill_started(future: Future[Spawned]) -> None:
    if not future.cancelled() and future.exception() is None:
        WorkerProcess.from_spawned(future.result()).kill()


atexit.register(discard_standbys, 0.0)


def _take(config: KernelConfig) -> WorkerProcess:
    """A fresh, never-used worker: the warm spare if there is one, else a new one."""
    with _STANDBY_LOCK:
        future = _STANDBYS.pop(config, None)
    if future is None:
        future = spawn(config)
    return handshake(future.result())


def _signal_name(returncode: int | None, namespaced: bool) -> str:
    if returncode is None:
        return "it stopped answering"
    number = (
        -returncode
        if returncode < 0
        else returncode - 128
        if namespaced and returncode > 128
        else 0
    )
    if number:
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        hint = {"SIGSEGV": " (a segmentation fault)", "SIGKILL": " (killed, often for memory)"}.get(
            name, ""
        )
        return f"it was killed by {name}{hint}"
    return f"it exited with code {returncode} before replying"


class Kernel:
    """A sandboxed Python worker. Thread-safe: one request at a time, `interrupt` from anywhere."""

    def __init__(self, config: KernelConfig | None = None) -> None:
        self.config = config or KernelConfig()
        self._process: WorkerProcess | None = None
        self._lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._next_id = 0
        self._busy = False
        self._interrupt_requested = False
        self._timeout = self.config.timeout
        self._op = "exec"
        # interrupt() writes a byte here so a waiting request wakes up and can escalate at once.
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)

    # lifecycle -----------------------------------------------------------------------------

    def start(self) -> Kernel:
        """Start the worker (from the warm spare when there is one); raises KernelError."""
        with self._lock:
            if self._process is None:
                self._process = _take(self.config)
                if self.config.standby:
                    prewarm(self.config)
        return self

    def restart(self) -> None:
        """Replace the worker with a fresh one; every variable is lost."""
        with self._lock:
            self._replace()

    def close(self) -> None:
        """Kill the worker and everything it started."""
        with self._state_lock:
            process, self._process = self._process, None
        if process is not None:
            process.kill()

    def __del__(self) -> None:
        for fd in (getattr(self, "_wake_r", -1), getattr(self, "_wake_w", -1)):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass

    def __enter__(self) -> Kernel:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        """The worker is running and answering."""
        process = self._process
        return process is not None and process.popen.poll() is None

    @property
    def info(self) -> KernelInfo:
        """Interpreter, versions, limits and isolation as the worker reported them."""
        return self._require().info()

    @property
    def sandbox_level(self) -> SandboxLevel:
        """How isolated the worker is, with what is missing."""
        return self._require().sandbox_level()

    @property
    def cgroup(self) -> str:
        """The worker's pids cgroup folder; "" when the process limit is RLIMIT_NPROC or absent."""
        group = self._require().cgroup
        return str(group.path) if group is not None else ""

    @property
    def scratch_dir(self) -> str:
        """The folder the tutor shares with the worker, at the same path on both sides: the tutor
        may put input files here (the worker reads them, and cannot plant anything here)."""
        return str(self._require().scratch.root)

    @property
    def home_dir(self) -> str:
        """The worker's own folder (its cwd and HOME), writable by learner code."""
        return str(self._require().scratch.home)

    @property
    def input_dir(self) -> str:
        """Where `write_input` puts files, as the worker sees it."""
        return str(self._require().scratch.inputs)

    @property
    def result_dir(self) -> str:
        """Where the worker writes the `.npy` results of `call` requests."""
        return str(self._require().scratch.outputs)

    def write_input(self, name: str, data: bytes) -> str:
        """Create `name` in the input folder (never following a link, never replacing a file);
        returns its path for the worker."""
        fd = self._open_in(
            self._require().scratch.in_fd, name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644
        )
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return os.path.join(self.input_dir, name)

    def open_result(self, name: str) -> int:
        """A read-only fd on result file `name` in the worker's result folder; a symlink anywhere on
        the way, or a swapped folder, cannot redirect the read (OSError instead)."""
        process = self._require()
        if not process.scratch.private:
            return self._open_in(process.scratch.out_fd, name, os.O_RDONLY | os.O_NONBLOCK, 0)
        if not name or "/" in name or name in (".", ".."):
            raise ValueError(f"not a plain file name: {name!r}")
        from checkers.kernel.procfs import open_beneath

        # The folder is the worker's own tmpfs: reach it through the worker's root, and check
        # after opening that the pid is still our worker (a pidfd cannot be recycled).
        root = os.open(
            f"/proc/{process.worker_pid}/root", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC
        )
        try:
            if not process.signal_worker(0):
                raise ProcessLookupError(3, "the kernel has exited")
            inside = os.path.join(str(process.scratch.outputs).lstrip("/"), name)
            return open_beneath(
                root, inside, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
            )
        finally:
            os.close(root)

    @staticmethod
    def _open_in(dir_fd: int, name: str, flags: int, mode: int) -> int:
        if not name or "/" in name or name in (".", ".."):
            raise ValueError(f"not a plain file name: {name!r}")
        return os.open(name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd)

    def give_to_worker(self, path: str) -> None:
        """Make a file or folder the tutor created in `scratch_dir` readable by the worker.

        Never a chown, never through a symlink: the file is opened without following links and
        only its mode changes."""
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                os.fchmod(fd, 0o755)
            elif stat.S_ISREG(info.st_mode):
                os.fchmod(fd, 0o644)
        finally:
            os.close(fd)

    # requests ------------------------------------------------------------------------------

    def execute(self, code: str, timeout: float | None = None) -> CellResult:
        """Run a cell in the persistent namespace; the last expression's repr is `value`."""
        return self.request({"op": "exec", "code": code}, timeout)

    def interrupt(self) -> bool:
        """SIGINT a running cell (KeyboardInterrupt; a restart after the grace if it goes on)."""
        with self._state_lock:
            process = self._process
            if not self._busy or process is None:
                return False
            self._interrupt_requested = True
        try:
            os.write(self._wake_w, b"!")
        except OSError:
            pass
        return process.signal_worker(signal.SIGINT)

    def request(self, message: dict[str, Any], timeout: float | None = None) -> CellResult:
        """Send one request and wait for its reply, enforcing time and output limits."""
        with self._lock:
            if self._process is None:
                self._process = _take(self.config)
                if self.config.standby:
                    prewarm(self.config)
            self._next_id += 1
            message = {**message, "id": self._next_id}
            with self._state_lock:
                self._busy = True
                self._interrupt_requested = False
            try:
                return self._exchange(self._process, message, timeout or self.config.timeout)
            finally:
                with self._state_lock:
                    self._busy = False

    # internals -----------------------------------------------------------------------------

    def _require(self) -> WorkerProcess:
        if self._process is None:
            self.start()
        assert self._process is not None
        return self._process

    def _replace(self, failed: WorkerProcess | None = None) -> None:
        """Kill the worker and take a fresh one; after a `failed` one, only while it is ours."""
        with self._state_lock:
            old = self._process
            if failed is None or old is failed:
                self._process = None
        if failed is not None and old is not failed:
            # close() (another thread) took the failed worker away meanwhile and killed it;
            # starting a new worker now would leave one running for a closed kernel.
            failed.kill()
            return
        if old is not None:
            old.kill()
        self._process = _take(self.config)
        if self.config.standby:
            prewarm(self.config)

    def _exchange(
        self, process: WorkerProcess, message: dict[str, Any], timeout: float
    ) -> CellResult:
        self._timeout = timeout
        self._op = str(message.get("op", ""))
        outgoing = memoryview(framing.encode(message))
        out = StreamBuffer(self.config.output_limit)
        err = StreamBuffer(self.config.output_limit)
        assert process.popen.stdout is not None and process.popen.stderr is not None
        streams = {process.popen.stdout.fileno(): out, process.popen.stderr.fileno(): err}
        reply_buffer = bytearray()
        started = time.monotonic()
        deadline = started + timeout
        signalled_at: float | None = None
        while True:
            now = time.monotonic()
            if now >= deadline:
                if signalled_at is None:
                    process.signal_worker(signal.SIGINT)
                    signalled_at = now
                    deadline = now + self.config.grace
                    continue
                return self._fail(
                    process,
                    "timeout" if not self._interrupt_requested else "interrupted",
                    out,
                    err,
                    started,
                    self._stopped_text(timeout, True),
                )
            if self._interrupt_requested and signalled_at is None:
                signalled_at = now
                deadline = min(deadline, now + self.config.grace)
            wanted = [process.reply_fd, self._wake_r, *streams]
            writers = [process.request_fd] if outgoing else []
            ready, writable, _ = select.select(wanted, writers, [], max(0.0, deadline - now))
            if writable:
                try:
                    sent = os.write(process.request_fd, outgoing)
                    outgoing = outgoing[sent:]
                except BlockingIOError:
                    pass
                except OSError:
                    return self._fail(
                        process, "crashed", out, err, started, self._death_text(process)
                    )
            for fd in ready:
                if fd == self._wake_r:
                    os.read(self._wake_r, 4096)
                    continue
                if fd in streams:
                    chunk = os.read(fd, 65536)
                    streams[fd].add(chunk)
                    if out.total + err.total > self.config.flood_limit:
                        limit_mb = self.config.flood_limit // (1024 * 1024)
                        return self._fail(
                            process,
                            "output_limit",
                            out,
                            err,
                            started,
                            f"The cell printed more than {limit_mb} MiB, so the kernel was "
                            "stopped and restarted. Print less (e.g. a summary or a slice).",
                        )
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    return self._fail(
                        process, "crashed", out, err, started, self._death_text(process)
                    )
                reply_buffer += chunk
                reply = self._parse(reply_buffer, message["id"])
                if reply == "malformed":
                    return self._fail(
                        process,
                        "crashed",
                        out,
                        err,
                        started,
                        "The kernel sent a malformed reply and was restarted.",
                    )
                if isinstance(reply, dict):
                    self._drain(streams)
                    if reply.get("children"):
                        sweep(process.worker_pid, keep=())
                    return self._result(reply, out, err, started, signalled_at is not None)

    def _parse(self, buffer: bytearray, want: int) -> dict[str, Any] | str | None:
        """Pop complete frames; return the reply for `want`, skipping stale ones. Any frame that
        is too large, not JSON, nested past the parser's depth or not an object is "malformed"."""
        while True:
            try:
                reply = framing.pop_frame(buffer)
            except framing.FrameError:
                return "malformed"
            if reply is None:
                return None
            if reply.get("id") == want:
                return reply

    def _drain(self, streams: dict[int, StreamBuffer]) -> None:
        """Read what the worker printed before it replied (already in the pipes)."""
        for fd, buffer in streams.items():
            while True:
                ready, _, _ = select.select([fd], [], [], 0)
                if not ready:
                    break
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                buffer.add(chunk)
                if buffer.total > self.config.flood_limit:
                    break

    def _result(
        self,
        reply: dict[str, Any],
        out: StreamBuffer,
        err: StreamBuffer,
        started: float,
        signalled: bool,
    ) -> CellResult:
        status: CellStatus = "ok" if reply.get("status") == "ok" else "error"
        exception = str(reply.get("exception") or "")
        if (
            status == "error"
            and (signalled or self._interrupt_requested)
            and exception == "KeyboardInterrupt"
        ):
            status = "interrupted" if self._interrupt_requested else "timeout"
        error = str(reply.get("error") or "")
        if status == "timeout":
            error = self._stopped_text(self._timeout, False) + "\n" + error
        value = reply.get("value")
        return CellResult(
            status=status,
            stdout=out.text(),
            stderr=err.text(),
            error=_clean(error),
            value=_clean(value[: self.config.output_limit]) if isinstance(value, str) else None,
            duration=time.monotonic() - started,
            exception=exception,
            payload={k: v for k, v in reply.items() if k in ("defined", "result")},
        )

    def _stopped_text(self, seconds: float, killed: bool) -> str:
        if self._op != "exec":
            # Grading loads and calls: no REPL namespace the learner keeps, no word on variables.
            return f"It did not finish within {seconds:g} s (an endless loop, or far too slow)."
        if killed:
            return (
                f"The cell ran past {seconds:g} s and did not stop when interrupted, so the kernel "
                "was restarted (variables are lost)."
            )
        return f"The cell ran past {seconds:g} s and was interrupted (variables are kept)."

    def _death_text(self, process: WorkerProcess) -> str:
        try:
            process.popen.wait(timeout=2)
        except Exception:  # noqa: BLE001 - still running: it closed its pipe itself
            pass
        cause = _signal_name(process.popen.returncode, bool(process.hello.get("pid_namespace")))
        return f"The kernel died: {cause}. It was restarted (variables are lost)."

    def _fail(
        self,
        process: WorkerProcess,
        status: CellStatus,
        out: StreamBuffer,
        err: StreamBuffer,
        started: float,
        reason: str,
    ) -> CellResult:
        if status == "interrupted":
            reason = (
                "The cell did not stop when interrupted, so the kernel was restarted "
                "(variables are lost)."
            )
        try:
            self._replace(failed=process)
        except KernelError as exc:
            reason += f" The new kernel did not start: {exc}"
        return CellResult(
            status=status,
            stdout=out.text(),
            stderr=err.text(),
            error=reason,
            duration=time.monotonic() - started,
            restarted=True,
        )


def _clean(text: str) -> str:
    from checkers.kernel.output import sanitize

    return sanitize(text)
