"""Answer checking and code grading: the answer language, equivalence, the kernel.

The public names below load lazily, so `import checkers.kernel` (or `read_as` in the UI) does not
pay for sympy.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "equivalent": "checkers.equivalence",
    "Options": "checkers.equivalence",
    "Verdict": "checkers.verdict",
    "AnswerError": "checkers.syntax",
    "read_as": "checkers.syntax",
    "parse": "checkers.build",
    "check_part": "checkers.answer_tests",
    "ANSWER_TESTS": "checkers.answer_tests",
    "CheckerPool": "checkers.pool",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'checkers' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
