"""The sandboxed kernel's types for the REPL widget: screens and widgets never import
`checkers.kernel` themselves.

Imported only where a REPL is used (never before first paint); the session builds the kernels.
"""

from __future__ import annotations

from checkers.kernel import CellResult, Kernel, KernelError

__all__ = ["CellResult", "Kernel", "KernelError"]
