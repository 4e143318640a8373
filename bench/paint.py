"""Launch-to-first-paint and resident memory of `tutor start` vs the bare app, both in tmux.

The tutor is measured as installed: its modules are byte-compiled first, as `pip install` does.
An editable checkout run where PYTHONDONTWRITEBYTECODE is set (this project's development
machines set it) otherwise compiles every module edited since its last `.pyc` on each start, some
20 ms that no installed tutor pays. Each pair runs the bare app and the tutor back to back, in
alternating order, and the ratio is the median of the pairs' ratios: load that drifts during the
run moves both members of a pair alike.
"""

from __future__ import annotations

import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SOCKET = "tutor-bench"
POLL_S = 0.01


@dataclass(frozen=True)
class Launch:
    """What to start and the text that proves its first screen is painted."""

    command: str
    marker: str


def _tmux(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=False
    )


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pane_pid(session: str) -> int:
    out = _tmux("display-message", "-p", "-t", session, "#{pane_pid}").stdout.strip()
    return int(out)


def measure_once(
    launch: Launch, session: str, size: tuple[int, int] = (80, 24)
) -> tuple[float, float]:
    """Milliseconds from `new-session` to the marker on screen, and RSS (MiB) one second later."""
    started = time.perf_counter()
    _tmux(
        "new-session", "-d", "-s", session, "-x", str(size[0]), "-y", str(size[1]), launch.command
    )
    deadline = started + 30
    painted = float("nan")
    while time.perf_counter() < deadline:
        if launch.marker in _tmux("capture-pane", "-p", "-t", session).stdout:
            painted = (time.perf_counter() - started) * 1000
            break
        time.sleep(POLL_S)
    time.sleep(1.0)
    try:
        rss = _rss_mb(_pane_pid(session))
    except (ValueError, OSError):
        rss = float("nan")
    _tmux("kill-session", "-t", session)
    return painted, rss


def compile_tutor() -> None:
    """Byte-compile the tutor's packages and the course code, as `pip install` does."""
    from tutor.installation import package_roots

    for root in package_roots():
        compileall.compile_dir(root, quiet=1, workers=1)


def first_paint(runs: int = 15) -> dict[str, float]:
    """Medians over pairs of runs of the tutor and the bare app, in alternating order."""
    if shutil.which("tmux") is None:
        raise RuntimeError("tmux is needed for the first-paint benchmark")
    compile_tutor()
    python = sys.executable
    with tempfile.TemporaryDirectory() as data_dir:
        env = f"TUTOR_DATA_DIR={data_dir} TUTOR_CONFIG={data_dir}/none.toml TERM=xterm-256color"
        tutor = Launch(f"env {env} {python} -m tutor start", "Linear Algebra for ML")
        bare = Launch(
            f"env TERM=xterm-256color {python} {Path(__file__).with_name('bare_app.py')}",
            "BARE-APP-PAINTED",
        )
        _tmux("new-session", "-d", "-s", "keepalive", "sleep 3600")
        try:
            measure_once(tutor, "warmup")  # first run fills caches and the data dir
            tutor_runs, bare_runs = [], []
            for index in range(runs):
                if index % 2:
                    tutor_runs.append(measure_once(tutor, f"tutor{index}"))
                    bare_runs.append(measure_once(bare, f"bare{index}"))
                else:
                    bare_runs.append(measure_once(bare, f"bare{index}"))
                    tutor_runs.append(measure_once(tutor, f"tutor{index}"))
        finally:
            _tmux("kill-server")
    paint = statistics.median(ms for ms, _ in tutor_runs)
    bare_paint = statistics.median(ms for ms, _ in bare_runs)
    ratios = [ms / bare_ms for (ms, _), (bare_ms, _) in zip(tutor_runs, bare_runs, strict=True)]
    return {
        "first_paint_ms": round(paint, 1),
        "bare_first_paint_ms": round(bare_paint, 1),
        "first_paint_ratio": round(statistics.median(ratios), 3),
        "rss_mb": round(statistics.median(rss for _, rss in tutor_runs), 1),
        "bare_rss_mb": round(statistics.median(rss for _, rss in bare_runs), 1),
    }


if __name__ == "__main__":
    os.environ.setdefault("TERM", "xterm-256color")
    print(first_paint(int(sys.argv[1]) if len(sys.argv) > 1 else 15))
