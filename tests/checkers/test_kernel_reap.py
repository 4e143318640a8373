"""Kernels leave no zombie `[unshare] <defunct>` (nor live strays) behind in the tutor's process."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from checkers.kernel import Kernel, KernelConfig, discard_standbys, prewarm

CONFIG = KernelConfig(timeout=0.5, grace=0.3, memory_mb=1024, standby=False)
SPARE = KernelConfig(timeout=0.5, grace=0.3, memory_mb=1024, standby=True)


def children() -> dict[int, str]:
    """pid → state letter of every direct child of this process (a /proc scan, no psutil)."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        if int(fields[1]) == os.getpid():
            found[int(entry.name)] = fields[0].decode()
    return found


def new_children(before: dict[int, str], settle_s: float = 2.0) -> dict[int, str]:
    """Children not there `before`, after giving killed ones `settle_s` to be reaped."""
    deadline = time.monotonic() + settle_s
    while True:
        extra = {pid: state for pid, state in children().items() if pid not in before}
        if not extra or time.monotonic() > deadline:
            return extra
        time.sleep(0.05)


def test_closed_killed_and_discarded_kernels_leave_no_zombie() -> None:
    before = children()
    with Kernel(CONFIG) as kernel:
        assert kernel.execute("1 + 1").value == "2"
        stubborn = "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass"
        killed = kernel.execute(stubborn)
        assert killed.status == "timeout" and killed.restarted
        crashed = kernel.execute("import os; os._exit(3)")
        assert crashed.status == "crashed" and crashed.restarted
    with Kernel(SPARE) as kernel:  # takes no spare, leaves one warm for the next kernel
        assert kernel.execute("2").value == "2"
    discard_standbys()
    prewarm(SPARE)
    discard_standbys()  # a spare discarded while it may still be starting
    assert new_children(before) == {}


def test_closing_during_a_running_cell_leaves_nothing_running() -> None:
    before = children()
    kernel = Kernel(KernelConfig(timeout=30.0, memory_mb=1024, standby=False)).start()
    results = []
    runner = threading.Thread(
        target=lambda: results.append(kernel.execute("import time; time.sleep(20)"))
    )
    runner.start()
    time.sleep(0.5)
    kernel.close()
    runner.join(10)
    assert not runner.is_alive() and results[0].status == "crashed"
    # The failed request must not start a new worker for the closed kernel.
    assert new_children(before) == {}


def test_a_worker_that_dies_while_idle_is_reaped_by_the_next_start() -> None:
    before = children()
    idle = Kernel(CONFIG).start()
    idle.execute("import os, threading; threading.Timer(0.1, os._exit, (0,)).start()")
    deadline = time.monotonic() + 5
    while "Z" not in new_children(before, 0).values() and time.monotonic() < deadline:
        time.sleep(0.05)
    with Kernel(CONFIG) as other:
        assert "Z" not in new_children(before, 0).values()
        assert other.execute("3").value == "3"
    assert idle.execute("4").status == "crashed"  # the idle kernel notices, restarts and answers
    assert idle.execute("4").value == "4"
    idle.close()
    assert new_children(before) == {}
