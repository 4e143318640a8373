"""Our kernel beside an ipykernel driven by jupyter_client, and the end-to-end grade of a code
exercise."""

from __future__ import annotations

import select
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

FIRST_CELL = "import numpy\n1 + 1"
"""Both kernels must reach the same point: numpy imported and a first result back."""
ROUNDTRIP_CELL = "1 + 1"


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


SETUP: list[dict[str, float]] = []
"""What each of our cold spawns spent building its sandbox (private root, Landlock), in ms."""


def ours(roundtrips: int) -> tuple[float, list[float]]:
    """One cold spawn to first reply (no standby) in ms, then `roundtrips` warm cells."""
    from checkers.kernel import Kernel, KernelConfig

    started = time.perf_counter()
    kernel = Kernel(KernelConfig(standby=False)).start()
    try:
        result = kernel.execute(FIRST_CELL)
        spawn_ms = (time.perf_counter() - started) * 1000
        if result.status != "ok":
            raise RuntimeError(f"our kernel failed its first cell: {result}")
        SETUP.append(kernel.info.setup_ms)
        trips = []
        for _ in range(roundtrips):
            started = time.perf_counter()
            kernel.execute(ROUNDTRIP_CELL)
            trips.append((time.perf_counter() - started) * 1000)
    finally:
        kernel.close()
    return spawn_ms, trips


def jupyter(roundtrips: int) -> tuple[float, list[float]]:
    """The same for an ipykernel started and driven by jupyter_client (blocking client)."""
    from jupyter_client.manager import start_new_kernel

    started = time.perf_counter()
    # stderr off: ipykernel warns about plain TCP on every start.
    manager, client = start_new_kernel(
        kernel_name="python3", startup_timeout=60, stderr=subprocess.DEVNULL
    )
    try:
        reply = client.execute(FIRST_CELL, reply=True, timeout=60)
        spawn_ms = (time.perf_counter() - started) * 1000
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"ipykernel failed its first cell: {reply['content']}")
        trips = []
        for _ in range(roundtrips):
            started = time.perf_counter()
            client.execute(ROUNDTRIP_CELL, reply=True, timeout=30)
            trips.append((time.perf_counter() - started) * 1000)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return spawn_ms, trips


def code_grade(runs: int) -> dict[str, float]:
    """`grade_file` on the worked solution of 1.ex13 with a warm standby (the app's path),
    median."""
    from checkers.kernel import prewarm
    from tutor.course.exercise_schema import CodeExercise
    from tutor.course.loader import load_course
    from tutor.practice.code import grade_file, kernel_config
    from tutor.settings import Settings

    chapter, item = load_course().find("1.ex13")
    assert isinstance(item, CodeExercise)
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as name:
        settings = Settings(data_dir=Path(name) / "data")
        path = Path(name) / "ex13.py"
        path.write_text(item.solution, encoding="utf-8")
        config = kernel_config(settings, torch="torch" in item.requires)
        times = []
        for _ in range(runs):
            prewarm(config)
            _wait_for_standby(config)
            started = time.perf_counter()
            result = grade_file(chapter, item, path, settings)
            times.append((time.perf_counter() - started) * 1000)
            if not result.correct:
                raise RuntimeError(f"the worked solution of 1.ex13 failed: {result.feedback}")
    return {"code_grade_ms": _median(times), "code_grade_tests": len(result.tests)}


def _wait_for_standby(config: object) -> None:
    """Wait until the spare worker has said hello (without reading it), as it has long before a
    learner presses check."""
    from checkers.kernel import kernel as kernel_module

    future = kernel_module._STANDBYS.get(config)  # type: ignore[call-overload]
    if future is not None:
        select.select([future.result().reply_fd], [], [], 60)


def measure(quick: bool = False) -> dict[str, float]:
    """Ours and Jupyter's, alternating cold spawns, then the grade."""
    spawns, trips = (3, 50) if quick else (11, 200)
    mine: list[tuple[float, list[float]]] = []
    theirs: list[tuple[float, list[float]]] = []
    for index in range(spawns):
        mine.append(ours(trips if index == 0 else 0))
        theirs.append(jupyter(trips if index == 0 else 0))
    figures: dict[str, float] = {
        "kernel_spawn_ms": _median([spawn for spawn, _ in mine]),
        "kernel_roundtrip_ms": _median(mine[0][1]),
        "jupyter_spawn_ms": _median([spawn for spawn, _ in theirs]),
        "jupyter_roundtrip_ms": _median(theirs[0][1]),
    }
    # Included in kernel_spawn_ms: what the sandbox layers cost inside each spawn.
    for name in ("root_ms", "landlock_ms"):
        values = [setup[name] for setup in SETUP if name in setup]
        if values:
            figures[f"kernel_sandbox_{name}"] = _median(values)
    figures.update(code_grade(3 if quick else 7))
    return figures
