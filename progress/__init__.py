"""Learner progress: the SQLite store, FSRS scheduling, export and import."""

from __future__ import annotations
