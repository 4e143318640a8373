"""The fault table (research note, section 6): hostile or broken cells never hurt the tutor.

Every case that could reach processes outside the sandbox is guarded: it runs only when the kernel
is inside a pid namespace (and, for fork bombs, under an enforced process limit), else it is
skipped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkers.kernel import Kernel, KernelConfig

CONFIG = KernelConfig(timeout=3.0, grace=0.5, memory_mb=1024, flood_limit=1024 * 1024, processes=64)


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    with Kernel(CONFIG) as k:
        yield k


def _in_pid_namespace(kernel: Kernel) -> bool:
    return kernel.info.pid_namespace


CRASHES = [
    ("segfault", "import ctypes; ctypes.string_at(0)", "SIGSEGV"),
    ("os._exit", "import os; os._exit(0)", "exited with code 0"),
    ("abort", "import os; os.abort()", "SIGABRT"),
    ("kill self", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "SIGKILL"),
    # Every descriptor it holds: which numbers the pipes get depends on what the tutor had open.
    (
        "close the reply pipe",
        "import os\nfor fd in [int(n) for n in os.listdir('/proc/self/fd')]:\n"
        "    if fd > 2:\n        try: os.close(fd)\n        except OSError: pass",
        "",
    ),
]


@pytest.mark.parametrize(("label", "code", "cause"), CRASHES, ids=[c[0] for c in CRASHES])
def test_crash_is_reported_and_kernel_restarts(
    kernel: Kernel, label: str, code: str, cause: str
) -> None:
    kernel.execute("before = 1")
    result = kernel.execute(code)
    assert result.status == "crashed" and result.restarted, result
    assert cause in result.error
    assert kernel.execute("before").exception == "NameError"
    assert kernel.execute("1 + 1").value == "2"


def test_segfault_leaves_no_core_file(kernel: Kernel) -> None:
    scratch = Path(kernel.scratch_dir)
    kernel.execute("import ctypes; ctypes.string_at(0)")
    assert not list(scratch.glob("core*"))
    assert kernel.info.limits["core"] == 0


@pytest.mark.parametrize(
    "code",
    [
        "bytearray(64 * 1024**3)",
        "import numpy as np; np.ones((10**6, 10**6))",
        "import numpy as np\nchunks = []\nwhile True: chunks.append(np.empty(10**8, np.uint8))",
    ],
    ids=["bytearray", "numpy", "growing list"],
)
def test_memory_bomb_is_a_memory_error(kernel: Kernel, code: str) -> None:
    result = kernel.execute(code)
    assert result.status == "error" and "MemoryError" in result.exception, result
    assert kernel.execute("chunks = None; 2").value == "2"


def test_huge_output_is_capped_then_kernel_restarted(kernel: Kernel) -> None:
    started = time.monotonic()
    result = kernel.execute("print('x' * 10**8)")
    assert result.status == "output_limit" and result.restarted
    assert len(result.stdout) <= CONFIG.output_limit + 200
    assert time.monotonic() - started < 10


def test_endless_printing_is_stopped(kernel: Kernel) -> None:
    result = kernel.execute("while True: print('spam' * 100)")
    assert result.status == "output_limit"


def test_moderate_output_is_truncated_with_a_note(kernel: Kernel) -> None:
    result = kernel.execute("print('y' * 200_000)")
    assert result.ok and "output truncated" in result.stdout


def test_file_size_limit(kernel: Kernel) -> None:
    code = "open('big.bin', 'wb').write(bytearray(100 * 1024 * 1024))"
    # No route in an empty network namespace (OSError), or Landlock denies the connect first.
    assert kernel.execute(code).exception in ("OSError", "PermissionError")


def test_open_files_limit(kernel: Kernel) -> None:
    code = "files = [open('f%d' % i, 'w') for i in range(1000)]"
    # No route in an empty network namespace (OSError), or Landlock denies the connect first.
    assert kernel.execute(code).exception in ("OSError", "PermissionError")
    kernel.execute("import gc; files = None; gc.collect()")


def test_cannot_raise_hard_limits(kernel: Kernel) -> None:
    code = "import resource; resource.setrlimit(resource.RLIMIT_AS, (-1, -1))"
    assert kernel.execute(code).exception == "ValueError"


def test_stray_processes_are_killed_after_the_cell(kernel: Kernel) -> None:
    result = kernel.execute(
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'], "
        "start_new_session=True)\n"
        "p.pid"
    )
    assert result.ok
    from checkers.kernel.procfs import descendants

    time.sleep(0.1)
    assert [pid for pid in descendants(kernel.info.pid) if _running(pid)] == []


def test_signals_cannot_reach_the_tutor(kernel: Kernel) -> None:
    if not _in_pid_namespace(kernel):
        pytest.skip(
            "no pid namespace here: learner code could signal the tutor (reported as degraded)"
        )
    result = kernel.execute(f"import os, signal; os.kill({os.getpid()}, signal.SIGTERM)")
    assert result.exception == "ProcessLookupError"
    result = kernel.execute("import os, signal; os.kill(os.getppid(), signal.SIGKILL); 'alive'")
    # Landlock's signal scope refuses it outright; without it the pid-1 reaper shrugs it off.
    assert result.status in ("ok", "crashed") or result.exception == "PermissionError", result
    assert kernel.execute("3").value == "3"


def test_network_is_unreachable(kernel: Kernel) -> None:
    if not kernel.info.network_isolated:
        pytest.skip("no network namespace here (reported as degraded)")
    code = "import socket; socket.create_connection(('1.1.1.1', 80), timeout=1)"
    # No route in an empty network namespace (OSError), or Landlock denies the connect first.
    assert kernel.execute(code).exception in ("OSError", "PermissionError")


def _contained(kernel: Kernel) -> str:
    """Why bombs may not run here, or "" when the kernel is under an enforced process limit
    inside its own pids cgroup or pid namespace (so nothing outside can be starved or hit)."""
    if not isinstance(kernel.info.limits.get("processes"), int):
        return f"process limit not enforced ({kernel.info.limits.get('processes')})"
    if not (kernel.cgroup or kernel.info.pid_namespace):
        return "bombs run only inside a pids cgroup or a pid namespace"
    return ""


def _marked(scratch: str) -> list[int]:
    """Live processes working in the kernel's scratch dir (every kernel process starts there)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _running(int(entry)):
            try:
                if os.readlink(f"/proc/{entry}/cwd") == scratch:
                    found.append(int(entry))
            except OSError:
                continue
    return found


BOMBS = [
    ("fork bomb", "import os\nwhile True:\n    os.fork()", "BlockingIOError"),
    (
        "thread bomb",
        "import threading, time\nfor _ in range(100000):\n"
        "    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()",
        "RuntimeError",
    ),
]


@pytest.mark.parametrize(("label", "code", "exception"), BOMBS, ids=[b[0] for b in BOMBS])
def test_bomb_is_contained(label: str, code: str, exception: str) -> None:
    config = KernelConfig(timeout=3.0, grace=0.5, memory_mb=1024, processes=32, standby=False)
    with Kernel(config) as k:
        reason = _contained(k)
        if reason:
            pytest.skip(reason)
        group, scratch = k.cgroup, k.home_dir
        started = time.monotonic()
        result = k.execute(code, timeout=2)
        # The tutor (this process) got its answer at once: the bomb hit the limit, not the clock.
        assert time.monotonic() - started < 4
        assert result.status in ("error", "timeout", "crashed"), result
        if result.status == "error":
            assert result.exception == exception and "Traceback" in result.error
        assert k.execute("'fine'").value == "'fine'"
        from checkers.kernel.procfs import descendants

        # Bomb children still looping when the cell ended fail their next fork and exit.
        deadline = time.monotonic() + 3
        while [
            pid for pid in descendants(k.info.pid) if _running(pid)
        ] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in descendants(k.info.pid) if _running(pid)] == []
    assert _marked(scratch) == []
    if group:
        assert not Path(group).exists()


def test_tutor_death_kills_the_kernel(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys, time
        from checkers.kernel import Kernel, KernelConfig
        k = Kernel(KernelConfig(memory_mb=1024, standby=False)).start()
        print(k.info.pid, flush=True)
        k.request({"op": "exec", "code": "while True: pass"}, timeout=60)
        """
    )
    tutor = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert tutor.stdout is not None
    worker = int(tutor.stdout.readline())
    time.sleep(0.2)
    tutor.send_signal(signal.SIGKILL)
    tutor.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _running(worker):
        time.sleep(0.05)
    assert not _running(worker)
    # A killed tutor cannot remove its kernel's cgroup: the next tutor's clean-up does.
    from checkers.kernel import cgroup as pids_cgroup

    for group in pids_cgroup.ours(tutor.pid):
        pids_cgroup.clean_stale(group.parent)
    assert pids_cgroup.ours(tutor.pid) == []


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text(errors="replace")
    except OSError:
        return False
    return "zombie" not in status
