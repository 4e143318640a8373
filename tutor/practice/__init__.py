"""Composes course data, checkers and progress into exercise attempts (shared by CLI and app)."""

from __future__ import annotations
