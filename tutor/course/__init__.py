"""The course as data: schema, loading with file-and-line errors, and reference-code lookup."""

from __future__ import annotations
