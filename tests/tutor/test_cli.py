"""The command line as a user meets it: help, unknown IDs, and running outside a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.cli import main

COMMANDS = [
    "start",
    "review",
    "show",
    "check",
    "due",
    "stats",
    "export",
    "import",
    "validate",
    "doctor",
]


def run_tutor(
    *args: str, data_dir: Path, stdin: int | None = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TUTOR_DATA_DIR": str(data_dir),
        "TUTOR_CONFIG": str(data_dir / "none.toml"),
    }
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=stdin,
        timeout=60,
    )


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert f"    {command} " in out or f"    {command}\n" in out, command


def test_start_outside_a_terminal_points_to_plain_commands(tmp_path: Path) -> None:
    done = run_tutor("start", data_dir=tmp_path)
    assert done.returncode == 2
    assert "not a terminal" in done.stderr
    assert "tutor show" in done.stderr and "tutor check" in done.stderr


def test_show_unknown_id_is_a_clear_error(tmp_path: Path) -> None:
    done = run_tutor("show", "1.ex99", data_dir=tmp_path)
    assert done.returncode == 2
    assert "no section, exercise or lab is called '1.ex99'" in done.stderr


def test_bad_settings_file_stops_with_its_name(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('theme = "neon"\n', encoding="utf-8")
    env = {**os.environ, "TUTOR_DATA_DIR": str(tmp_path), "TUTOR_CONFIG": str(config)}
    done = subprocess.run(
        [sys.executable, "-m", "tutor", "due"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 2
    assert "theme 'neon'" in done.stderr


@pytest.mark.parametrize("argv", [["start"], ["review"]])
def test_the_quick_parse_of_start_and_review_equals_argparse(argv: list[str]) -> None:
    from tutor.cli import _parser, _quick_parse

    quick = _quick_parse(argv)
    assert quick is not None and vars(quick) == vars(_parser().parse_args(argv))


def test_tutor_start_does_not_import_argparse_before_the_app() -> None:
    # argparse and gettext cost ~3 ms of the first paint; `tutor start` never needs them.
    probe = (
        "import sys; from tutor.cli import _quick_parse; import tutor.commands.start, tutor.app; "
        "_quick_parse(['start']); print(sorted(m for m in ('argparse', 'gettext') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "argv", [[], ["start", "--section", "1.6"], ["--data-dir", "x", "start"], ["start", "-h"]]
)
def test_anything_else_goes_through_argparse(argv: list[str]) -> None:
    from tutor.cli import _quick_parse

    assert _quick_parse(argv) is None
