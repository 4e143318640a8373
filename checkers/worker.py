"""The checker worker process: sympy preloaded, one JSON request per line in, one verdict list out.

Run as `python -m checkers.worker`. The parent (checkers.pool) enforces the wall-clock limit by
killing this process; an address-space limit here keeps a runaway check from eating the machine.
"""

from __future__ import annotations

import json
import sys

MEMORY_LIMIT_BYTES = 2 * 1024**3


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass  # not available on this OS: the parent's timeout still applies


def main() -> int:
    """Serve requests until stdin closes."""
    _limit_memory()
    from checkers.answer_tests import check_requests
    from checkers.verdict import Verdict

    check_requests([{"test": "value", "text": "sqrt(54)", "expected": "3*sqrt(6)"}])  # warm caches
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        try:
            requests = json.loads(line)
            verdicts = check_requests(requests)
        except MemoryError:
            verdicts = [
                Verdict(False, "Checking this answer needed too much memory.", unreadable=True)
            ]
        except Exception as exc:  # report, never die: the app shows the message as feedback
            verdicts = [
                Verdict(False, f"The checker failed on this answer: {exc}", unreadable=True)
            ]
        out.write(json.dumps([verdict.to_dict() for verdict in verdicts]) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
