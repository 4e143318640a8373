"""The command line keeps Unix conventions: `-` is standard output or input, a closed pipe ends
quietly, lines carry no trailing blanks, control characters a learner typed are shown escaped."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tutor.plain import escape_controls, strip_line_ends

SGR = re.compile(r"\x1b\[[0-9;]*m")


def tutor_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "TUTOR_DATA_DIR": str(data_dir)}
    env["TUTOR_CONFIG"] = str(data_dir / "none.toml")
    for name in ("COLUMNS", "LINES", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE"):
        env.pop(name, None)
    return {**env, **extra}


def tutor(
    *args: str, data_dir: Path, stdin: str | None = None, cwd: Path | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=tutor_env(data_dir, **env),
        cwd=cwd,
        timeout=120,
    )


def test_export_dash_writes_the_log_to_stdout_and_import_dash_reads_it(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    checked = tutor("check", "1.ex11", "--answer", "3, 1", data_dir=first)
    assert checked.returncode == 0, checked.stderr
    exported = tutor("export", "-", data_dir=first, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert not (tmp_path / "-").exists()
    header, *rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert header["format"] == "la4ml-tutor-log"
    assert [row["item_id"] for row in rows] == ["1.ex11"]
    assert "Wrote 1 log entries to standard output" in exported.stderr
    imported = tutor("import", "-", data_dir=second, stdin=exported.stdout)
    assert imported.returncode == 0, imported.stderr
    assert "Imported 1 new log entries of 1 in standard input" in imported.stdout
    again = tutor("import", "-", data_dir=second, stdin=exported.stdout)
    assert "Imported 0 new log entries of 1" in again.stdout


def test_import_dash_names_the_bad_line_of_stdin_and_imports_nothing(tmp_path: Path) -> None:
    done = tutor("import", "-", data_dir=tmp_path, stdin='{"uuid": 1}\nnot json\n')
    assert done.returncode == 2
    assert "<stdin>:1:" in done.stderr and "nothing was imported" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [["show", "1.1"], ["show", "1.lab2"], ["export", "-"], ["--help"]])
def test_a_closed_pipe_ends_quietly(tmp_path: Path, args: list[str]) -> None:
    """`tutor show 1.1 | head`: the reader goes away before the output is written."""
    if args[0] == "export":
        tutor("check", "1.ex11", "--answer", "3, 1", data_dir=tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "tutor", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=tutor_env(tmp_path),
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    error = process.stderr.read().decode()
    process.wait(timeout=120)
    assert error == ""
    assert process.returncode in (0, 141)


@pytest.mark.parametrize("item", ["1.1", "1.6", "1.ex1", "1.ex13", "1.lab2"])
@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
def test_show_lines_have_no_trailing_blanks(tmp_path: Path, item: str, colour: bool) -> None:
    env: dict[str, Any] = {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"} if colour else {}
    done = tutor("show", item, data_dir=tmp_path, COLUMNS="100", **env)
    assert done.returncode == 0, done.stderr
    assert ("\x1b[" in done.stdout) is colour
    lines = SGR.sub("", done.stdout).split("\n")
    assert len(lines) > 3
    padded = [line for line in lines if line != line.rstrip()]
    assert padded == []


def test_a_file_name_with_control_characters_is_shown_escaped(tmp_path: Path) -> None:
    hostile = str(tmp_path / "a\x1b]0;owned\x07b.py")
    done = tutor("check", "1.ex13", "--file", hostile, data_dir=tmp_path)
    assert done.returncode == 2
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "a\\x1b]0;owned\\x07b.py" in done.stderr


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("\x1b[2Jclear", "\\x1b[2Jclear"),
        ("bell\x07 cr\r del\x7f nel\x85", "bell\\x07 cr\\x0d del\\x7f nel\\x85"),
        ("λ = 3 · √2", "λ = 3 · √2"),
    ],
)
def test_escape_controls_writes_each_control_character_visibly(raw: str, shown: str) -> None:
    assert escape_controls(raw) == shown


def test_strip_line_ends_keeps_colour_codes_and_drops_the_padding() -> None:
    text = "title   \n\x1b[1mbold\x1b[0m  \x1b[0m   \nkeep  inner\n"
    assert strip_line_ends(text) == "title\n\x1b[1mbold\x1b[0m\x1b[0m\nkeep  inner\n"
