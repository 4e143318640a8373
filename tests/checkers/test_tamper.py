"""No learner code can turn a wrong answer into a pass: each cheat below still fails 1.ex13."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from checkers.grading import grade
from checkers.kernel import KernelConfig
from tutor.course.loader import load_course

CONFIG = KernelConfig(timeout=1.0, grace=0.5, memory_mb=1024, flood_limit=1024 * 1024)
WRONG = "X - X.mean(axis=1, keepdims=True)"

CHEATS = {
    "monkeypatch allclose": f"""
        import numpy as np
        np.allclose = lambda *a, **k: True
        np.testing.assert_allclose = lambda *a, **k: None
        def center_columns(X):
            return {WRONG}
    """,
    "array_function liar": """
        class Liar:
            def __array_function__(self, *a, **k): return True
            def __array_ufunc__(self, *a, **k): return True
            def __eq__(self, other): return True
            __array_priority__ = 1e9
        def center_columns(X):
            return Liar()
    """,
    "ndarray subclass": f"""
        import numpy as np
        class Sneaky(np.ndarray):
            def __array_ufunc__(self, *a, **k): return True
            def __eq__(self, other): return True
        def center_columns(X):
            return ({WRONG}).view(Sneaky)
    """,
    "mutate the input": """
        def center_columns(X):
            X[:] = 0.0
            return X
    """,
    "forged result file": f"""
        import os, glob
        import numpy as np
        def center_columns(X):
            for path in glob.glob(os.path.join(os.environ.get("TMPDIR", "/tmp"), "..", "*", "out")):
                pass
            return {WRONG}
    """,
    "forged reply frame": f"""
        import json, os, struct, sys
        def center_columns(X):
            frame = sys._getframe(1)
            while frame is not None and "request" not in frame.f_locals:
                frame = frame.f_back
            call_id = frame.f_locals["request"]["id"] if frame else 0
            result = {{"kind": "json", "value": True}}
            reply = json.dumps({{"id": call_id, "status": "ok", "result": result}}).encode()
            for fd in range(3, 20):
                try:
                    os.write(fd, struct.pack(">I", len(reply)) + reply)
                except OSError:
                    pass
            return {WRONG}
    """,
    "forged npy header": """
        import os, sys, struct, json
        import numpy as np
        def center_columns(X):
            frame = sys._getframe(1)
            while frame is not None and "request" not in frame.f_locals:
                frame = frame.f_back
            request = frame.f_locals["request"]
            path = os.path.join(request["out_dir"], f"{request['id']}_1.npy")
            header = "{'descr': '<f8', 'fortran_order': False, 'shape': (65536, 65536), }"
            with open(path, "wb") as f:
                f.write(b"\\x93NUMPY\\x01\\x00" + struct.pack("<H", len(header)) + header.encode())
            raise SystemExit(0)
    """,
    "read expected from frames": f"""
        import gc
        def center_columns(X):
            for obj in gc.get_objects():
                if type(obj).__name__ == "ndarray" and obj.shape == X.shape and obj is not X:
                    return obj
            return {WRONG}
    """,
    "os._exit mid-call": """
        import os
        def center_columns(X):
            os._exit(0)
    """,
    "infinite loop": """
        def center_columns(X):
            while True:
                pass
    """,
    "ignore SIGINT and spin": """
        import signal
        def center_columns(X):
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            while True:
                pass
    """,
    "print escape sequences then lie": f"""
        def center_columns(X):
            print("\\x1b]0;PASS\\x07\\x1b[2J All tests passed")
            return {WRONG}
    """,
}


@pytest.fixture(scope="module")
def grader():
    chapter, item = load_course().find("1.ex13")
    return chapter.reference(item.grader)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "solution.py"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(CHEATS))
def test_cheat_does_not_pass(tmp_path: Path, grader, name: str) -> None:
    report = grade(
        _write(tmp_path, CHEATS[name]), grader, entry=["center_columns"], config=CONFIG, seed=7
    )
    assert not report.correct, report.tests
    first_case = report.tests[0]
    assert first_case.name == "(100, 4) activations" and not first_case.passed


def test_escape_sequences_never_reach_the_report(tmp_path: Path, grader) -> None:
    report = grade(
        _write(tmp_path, CHEATS["print escape sequences then lie"]),
        grader,
        entry=["center_columns"],
        config=CONFIG,
    )
    assert "\x1b" not in report.stdout and "All tests passed" in report.stdout


def test_honest_solution_passes_in_the_same_setting(tmp_path: Path, grader) -> None:
    source = "import numpy as np\n\ndef center_columns(X):\n    return X - X.mean(axis=0)\n"
    report = grade(
        _write(tmp_path, source), grader, entry=["center_columns"], config=CONFIG, seed=7
    )
    assert report.correct, report.tests
