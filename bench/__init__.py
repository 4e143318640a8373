"""Benchmark suite: every figure measured beside its baseline in the same run (`python -m
bench`)."""

from __future__ import annotations
