"""Grading pieces: the strict .npy loader, comparison feedback, source checks, and `tutor check
--file`."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from checkers.grading import (
    Mistake,
    NpyError,
    SourceInfo,
    Tensor,
    check_avoids,
    check_uses,
    compare_arrays,
    compare_exact,
    compare_scalar,
    load_npy,
)

REPO = Path(__file__).resolve().parents[2]


def _npy(header: str, payload: bytes = b"", version: int = 1) -> bytes:
    raw = header.encode("latin-1")
    size = struct.pack("<H", len(raw)) if version == 1 else struct.pack("<I", len(raw))
    return b"\x93NUMPY" + bytes([version, 0]) + size + raw + payload


FORGED = {
    "32 GiB shape": _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (65536, 65536), }"),
    "short file": _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (10,), }", b"\0" * 8),
    "object dtype": _npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", b"\0" * 8),
    "big-endian": _npy("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", b"\0" * 8),
    "structured": _npy(
        "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", b"\0" * 8
    ),
    "huge header length": b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**31) + b"{",
    "20 kB header": _npy(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }" + " " * 20000, b"\0" * 8
    ),
    "extra key": _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", b"\0" * 8),
    "code in header": _npy("__import__('os').system('true')", b""),
    "not npy": b"PK\x03\x04 zip file",
    "trailing bytes": _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", b"\0" * 16),
}


@pytest.mark.parametrize("name", list(FORGED))
def test_strict_loader_rejects_forged_files(tmp_path: Path, name: str) -> None:
    path = tmp_path / "out.npy"
    path.write_bytes(FORGED[name])
    with pytest.raises(NpyError):
        load_npy(path)


def test_strict_loader_rejects_symlink_and_fifo(tmp_path: Path) -> None:
    good = tmp_path / "good.npy"
    np.save(good, np.arange(3.0))
    link = tmp_path / "link.npy"
    link.symlink_to(good)
    with pytest.raises(NpyError, match="cannot open"):
        load_npy(link)
    fifo = tmp_path / "fifo.npy"
    os.mkfifo(fifo)
    with pytest.raises(NpyError, match="regular file"):
        load_npy(fifo)


def test_strict_loader_checks_declared_shape_and_reads_fortran(tmp_path: Path) -> None:
    path = tmp_path / "a.npy"
    array = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    np.save(path, array)
    loaded = load_npy(path, shape=(2, 3), dtype="<f8")
    assert type(loaded) is np.ndarray and loaded.flags.c_contiguous
    np.testing.assert_array_equal(loaded, array)
    with pytest.raises(NpyError, match="shape"):
        load_npy(path, shape=(3, 2))


X = np.arange(12.0).reshape(4, 3) ** 1.5
EXPECTED = X - X.mean(axis=0)

FEEDBACK = [
    ("right", EXPECTED, True, "matches"),
    ("transposed", EXPECTED.T, False, "transpose"),
    ("missing keepdims", EXPECTED[:, 0], False, "keepdims"),
    ("sign flip", -EXPECTED, False, "sign"),
    ("scaled", EXPECTED * 3, False, "same factor"),
    ("wrong dtype", EXPECTED.astype(int), False, "dtype int64"),
    ("nan", np.full_like(EXPECTED, np.nan), False, "NaN"),
    ("torch instead of numpy", Tensor(EXPECTED, "float64", "cpu"), False, "torch tensor"),
    ("a list", EXPECTED.tolist(), False, "expected a NumPy array"),
]


@pytest.mark.parametrize(
    ("label", "got", "passed", "phrase"), FEEDBACK, ids=[f[0] for f in FEEDBACK]
)
def test_compare_arrays_names_the_mistake(
    label: str, got: object, passed: bool, phrase: str
) -> None:
    result = compare_arrays(got, EXPECTED, name=label, case="X (4, 3)")
    assert result.passed is passed
    assert phrase in result.message, result.message


def test_predicted_mistake_is_explained() -> None:
    wrong = X - X.mean(axis=1, keepdims=True)
    result = compare_arrays(
        wrong, EXPECTED, name="axis", mistakes=[Mistake(wrong, "You used axis=1.")]
    )
    assert not result.passed and "You used axis=1." in result.message


def test_unit_vector_sign_free_and_not_normalised() -> None:
    v = np.array([0.6, 0.8])
    assert compare_arrays(-v, v, name="pc", sign_free=True).passed
    result = compare_arrays(v * 5, v, name="pc")
    assert "not normalised" in result.message


def test_scalars_and_exact_values() -> None:
    assert compare_scalar(np.int64(3), 3, name="rank", integer=True).passed
    assert "float" in compare_scalar(3.0, 3, name="rank", integer=True).message
    assert not compare_scalar(True, 1, name="bool is not a number").passed
    assert compare_exact((np.int64(1), 2), (1, 2), name="pair").passed
    assert not compare_exact((2, 1), (1, 2), name="pair").passed


SOURCE = '''
import numpy as np, torch

def bmm(A, B):
    """Batched product."""
    return torch.einsum("bnm,bmk->bnk", A, B)

def matmul_loops(A, B):
    C = A @ B
    for i in range(3):
        pass
    return C
'''


def test_source_checks_work_on_the_ast() -> None:
    info = SourceInfo(SOURCE)
    assert check_uses(info, "einsum", within="bmm").passed
    assert not check_uses(info, "einsum", within="matmul_loops").passed
    assert not check_avoids(info, within="matmul_loops", operators=["@"]).passed
    assert check_avoids(info, within="bmm", names=["bmm", "matmul"], operators=["@"]).passed
    assert info.statements("bmm") == 1 and info.loops("matmul_loops") == 1
    assert "line 1, column 7" in SourceInfo("def f(:\n").syntax_error


def _check(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TUTOR_DATA_DIR": str(data_dir),
        "TUTOR_CONFIG": str(data_dir / "none.toml"),
    }
    return subprocess.run(
        [sys.executable, "-m", "tutor", "check", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("return X - X.mean(axis=0)", 0),
        ("return X - X.mean(axis=1, keepdims=True)", 1),
        ("return X - Y", 1),
        # 2, not 1: a file that does not parse "could not grade" (DESIGN §2), as an unreadable
        # answer.
        ("return X -", 2),
    ],
    ids=["correct", "wrong axis", "name error when run", "syntax error"],
)
def test_tutor_check_file_exit_status_and_json(tmp_path: Path, body: str, code: int) -> None:
    path = tmp_path / "sol.py"
    path.write_text(f"import numpy as np\n\ndef center_columns(X):\n    {body}\n")
    done = _check("1.ex13", "--file", str(path), "--json", data_dir=tmp_path)
    assert done.returncode == code, done.stderr
    data = json.loads(done.stdout)
    assert data["id"] == "1.ex13" and data["correct"] is (code == 0)
    assert {"tests", "feedback"} <= set(data)
    # Graded attempts are recorded (rated and scheduled); one that could not be graded is not.
    assert ({"rating", "due"} <= set(data)) is (code != 2)
    if body == "return X - Y":
        assert data["rating"] == 1 and "NameError" in json.dumps(data["tests"])
    if body == "return X -":
        assert data["feedback"] == (
            f"Cannot grade 1.ex13 (nothing was recorded): {path} does not "
            "parse at line 4, column 15: invalid syntax"
        )
        assert data["tests"] == [] and done.stderr == ""


def test_a_file_that_does_not_parse_is_not_graded_or_recorded(tmp_path: Path) -> None:
    path = tmp_path / "sol.py"
    path.write_text("import numpy as np\n\ndef center_columns(X:\n    return X\n")
    done = _check("1.ex13", "--file", str(path), data_dir=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        f"tutor check: cannot grade 1.ex13 (nothing was recorded): {path} "
        "does not parse at line 3, column 19: '(' was never closed\n"
    )
    env = {
        **os.environ,
        "TUTOR_DATA_DIR": str(tmp_path),
        "TUTOR_CONFIG": str(tmp_path / "none.toml"),
    }
    stats = subprocess.run(
        [sys.executable, "-m", "tutor", "stats", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert json.loads(stats.stdout)["attempts"] == 0, stats.stdout


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", "is nested too deeply to grade"),
        ("# " + "x" * (600 * 1024) + "\n", "KiB, too large to grade"),
    ],
    ids=["too deep", "too large"],
)
def test_a_file_too_deep_or_large_to_parse_is_said_alike_in_text_and_json(
    tmp_path: Path, text: str, why: str
) -> None:
    path = tmp_path / "sol.py"
    path.write_text(text)
    done = _check("1.ex13", "--file", str(path), data_dir=tmp_path)
    assert (
        done.returncode == 2
        and done.stderr.startswith(
            f"tutor check: cannot grade 1.ex13 (nothing was recorded): {path}"
        )
        and why in done.stderr
    )
    as_json = _check("1.ex13", "--file", str(path), "--json", data_dir=tmp_path)
    data = json.loads(as_json.stdout)
    assert as_json.returncode == 2 and data["correct"] is False and "rating" not in data
    assert data["feedback"] == "C" + done.stderr.removeprefix("tutor check: c").rstrip("\n")


def test_tutor_check_missing_file_is_status_2(tmp_path: Path) -> None:
    done = _check("1.ex13", "--file", str(tmp_path / "nope.py"), "--no-record", data_dir=tmp_path)
    assert done.returncode == 2 and "no file" in done.stderr


@pytest.mark.slow
def test_tutor_check_reports_an_open_challenge_without_failing_the_lab(tmp_path: Path) -> None:
    fixture = (
        Path(__file__).parents[1]
        / "fixtures"
        / "solutions"
        / "1.lab3"
        / "challenge"
        / "wrong_no_deflation.py"
    )
    done = _check("1.lab3", "--file", str(fixture), "--json", "--no-record", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    challenge = [test for test in data["tests"] if test["optional"]]
    assert data["correct"] is True and len(challenge) == 3
    assert [test["passed"] for test in challenge] == [True, False, False]
    assert "Optional challenge: 1 of 3 checks pass." in data["feedback"]
    text = _check("1.lab3", "--file", str(fixture), "--no-record", data_dir=tmp_path).stdout
    assert (
        "open  pca_2d_power · 300 points in 8-D, mean −2  (challenge, optional)" in text
        and "deflate" in text
    )
