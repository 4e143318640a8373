"""Answer checking and code grading: the answer language, equivalence, the kernel."""

from __future__ import annotations
