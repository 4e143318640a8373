"""Learner text never reaches eval, exec, sympify or parse_expr: they are booby-trapped during
checks."""

from __future__ import annotations

import builtins
import importlib
from pathlib import Path
from typing import Any

import pytest
import sympy
import sympy.parsing.sympy_parser

from checkers import check_part, equivalent

SYMPIFY_MODULE = importlib.import_module("sympy.core.sympify")

LEARNER_TEXTS = [
    ("value", "3√6", "sqrt(54)", {}),
    ("value", "acos(1/sqrt(5))", "atan(2)", {}),
    ("value", "(x+1)^2", "x^2+2x+1", {}),
    ("angle", "63.43°", "acos(1/sqrt(5))", {"rtol": 1e-3}),
    ("matrix", "[19 22; 43 50]", [[19, 22], [43, 50]], {}),
    ("eigenvalues", "λ1 = 3, λ2 = 1", "3, 1", {"matrix": [[2, 1], [1, 2]]}),
    ("svd_triplet", "5, [2,1]/√5, [1,2]/√5", [[2, 4], [1, 2]], {}),
    (
        "proof_chain",
        "(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ = WᵀW",
        None,
        {
            "start": "(WᵀW)ᵀ",
            "target": "WᵀW",
            "matrices": {"W": []},
            "shapes": {"W": [3, 2]},
            "rules": ["transpose_product", "double_transpose"],
        },
    ),
    ("value", "__import__('os').system('touch PWNED')", "1", {}),
    ("value", "x.__class__.__mro__", "1", {}),
    ("value", "Matrix([[1,2],[3,4]]).det()", "1", {}),
    ("value", "lambda: 1", "1", {}),
]


class EvalCalled(AssertionError):
    """Raised by the traps."""


@pytest.fixture
def traps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make eval/exec and string sympification raise for the duration of a test."""
    calls: list[str] = []
    real_sympify = SYMPIFY_MODULE.sympify

    def trap(name: str, real: Any = None) -> Any:
        def raiser(*args: Any, **kwargs: Any) -> Any:
            # Imports run compiled code objects through exec; only text can carry a learner's input.
            if real is not None and args and not isinstance(args[0], (str, bytes)):
                return real(*args, **kwargs)
            calls.append(name)
            raise EvalCalled(f"{name} was called with {args[:1]!r}")

        return raiser

    def guarded_sympify(a: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(a, str):
            calls.append("sympify")
            raise EvalCalled(f"sympify was called on text {a!r}")
        return real_sympify(a, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", trap("eval", builtins.eval))
    monkeypatch.setattr(builtins, "exec", trap("exec", builtins.exec))
    monkeypatch.setattr(SYMPIFY_MODULE, "sympify", guarded_sympify)
    monkeypatch.setattr(sympy, "sympify", guarded_sympify)
    monkeypatch.setattr(sympy, "parse_expr", trap("parse_expr"), raising=False)
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", trap("parse_expr"))
    monkeypatch.setattr(sympy.parsing.sympy_parser, "eval_expr", trap("eval_expr"))
    return calls


@pytest.mark.parametrize(
    ("test", "text", "expected", "options"),
    LEARNER_TEXTS,
    ids=[row[1][:25] for row in LEARNER_TEXTS],
)
def test_checking_never_evaluates_learner_text(
    traps: list[str],
    test: str,
    text: str,
    expected: Any,
    options: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    verdict = check_part(test, text, expected, options)
    assert traps == []
    assert not (tmp_path / "PWNED").exists()
    if "__" in text or "lambda" in text or "Matrix" in text:
        assert not verdict.ok and verdict.unreadable


def test_equivalent_never_evaluates_learner_text(traps: list[str]) -> None:
    assert equivalent("cos^-1(1/√5)", "atan(2)")
    assert traps == []
