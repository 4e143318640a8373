"""Terminal tutor for Linear Algebra for ML: the CLI and the Textual app."""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "la4ml-tutor"
