"""Course data: one folder per chapter of YAML plus that chapter's trusted reference code."""

from __future__ import annotations

from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent
"""The folder that holds the shipped chapters."""
