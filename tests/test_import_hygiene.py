"""Nothing heavy is imported before the learner can read: home and the reader stay light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("numpy", "sympy", "torch", "pydantic", "scipy", "mpmath")

PROBE = """
import asyncio, json, sys
from pathlib import Path
from tutor.app import TutorApp
from tutor.settings import Settings

async def main():
    app = TutorApp(Settings(data_dir=Path(sys.argv[1])))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        home = sorted(sys.modules)
        await pilot.press("enter")
        await pilot.pause()
        reader = sorted(sys.modules)
        screens = [type(app.screen_stack[0]).__name__, type(app.screen).__name__]
    print(json.dumps({"home": home, "reader": reader, "screens": screens}))

asyncio.run(main())
"""


def heavy_in(modules: list[str]) -> list[str]:
    """Heavy top-level packages present, and any checkers module (they may import sympy)."""
    return [m for m in modules if m.split(".")[0] in HEAVY or m.startswith("checkers.")]


def test_home_and_reader_import_no_heavy_module(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "TUTOR_CONFIG": str(tmp_path / "none.toml"),
            "HOME": str(tmp_path),
        },
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["screens"] == ["HomeScreen", "ReaderScreen"]
    assert heavy_in(seen["home"]) == []
    assert heavy_in(seen["reader"]) == []
    assert "textual.app" in seen["home"]
