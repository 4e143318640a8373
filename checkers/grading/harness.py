"""Run a learner's file in a fresh sandboxed kernel and call its functions on parent-chosen
inputs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import numpy as np

from checkers.grading.compare import TestResult
from checkers.grading.source import SourceError, SourceInfo
from checkers.grading.values import AsTensor, ReplyBudget, decode_result, describe, encode_input
from checkers.kernel import Kernel, KernelConfig, KernelError
from checkers.kernel.config import CellStatus

MAX_SOURCE_BYTES = 512 * 1024
OutcomeStatus = Literal["ok", "error", "timeout", "crashed", "output_limit", "missing"]
_OUTCOME: dict[CellStatus, OutcomeStatus] = {
    "ok": "ok",
    "error": "error",
    "interrupted": "error",
    "timeout": "timeout",
    "crashed": "crashed",
    "output_limit": "output_limit",
}
"""A call's outcome from its cell's status: an interrupted call is an error of the learner's
code."""


_LISTENER: ContextVar[Callable[[str], object] | None] = ContextVar("grading_listener", default=None)


@contextmanager
def reporting(listener: Callable[[str], object]) -> Iterator[None]:
    """Within this block (in this thread), every call a harness makes is told to `listener` first,
    as a short phrase (`time_matmul(1024, device='cpu')`), so a screen can show what is running."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


class GradingError(RuntimeError):
    """The file cannot be graded at all (unreadable, or the kernel will not start)."""


class Unparsable(GradingError):
    """The file is not Python the parser takes (a syntax error; too large, too deep or not UTF-8):
    nothing of it ran, so there is no verdict on it, right or wrong."""


@dataclass(frozen=True)
class Call:
    """One call the grader wants made: `function(*args, **kwargs)` with arrays, tensors or
    scalars."""

    function: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    timeout: float | None = None

    def brief(self) -> str:
        """`time_matmul(1024, device='cpu')`, `pca_2d(200×10 array)`: the call in a few words."""

        def short(value: Any) -> str:
            shape = (
                getattr(value, "shape", None)
                if not isinstance(value, AsTensor)
                else value.array.shape
            )
            if shape is not None:
                return "×".join(str(n) for n in shape) + (
                    " tensor" if isinstance(value, AsTensor) else " array"
                )
            return repr(value)[:20]

        parts = [short(arg) for arg in self.args] + [
            f"{key}={short(v)}" for key, v in self.kwargs.items()
        ]
        return f"{self.function}({', '.join(parts)})"

    def describe(self) -> str:
        """`center_columns(float64 array of shape (100, 4))`, for feedback."""
        parts = [describe(arg) for arg in self.args]
        parts += [f"{key}={describe(value)}" for key, value in self.kwargs.items()]
        return f"{self.function}({', '.join(parts)})"


@dataclass(frozen=True)
class CallOutcome:
    """What one call produced: a value (trusted copy) or the reason it has none."""

    call: Call
    status: OutcomeStatus
    value: Any = None
    error: str = ""
    stdout: str = ""
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        """The function returned normally."""
        return self.status == "ok"

    def problem(self) -> str:
        """Why there is no value, in words for the learner."""
        if self.status == "missing":
            return f"your file does not define {self.call.function}()"
        if self.status == "timeout":
            return f"{self.call.describe()}: {self.error}".strip()
        if self.status == "crashed":
            return f"{self.call.describe()} crashed the kernel. {self.error}".strip()
        if self.status == "output_limit":
            return f"{self.call.describe()} printed too much. {self.error}".strip()
        return f"{self.call.describe()} raised an exception:\n{self.error}".rstrip()


def read_source(path: Path) -> str:
    """The learner's file as text; GradingError when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GradingError(f"cannot read {path}: {exc.strerror}") from exc
    if len(data) > MAX_SOURCE_BYTES:
        limit = MAX_SOURCE_BYTES // 1024
        raise Unparsable(f"{path} is larger than {limit} KiB, too large to grade")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unparsable(f"{path} is not UTF-8 text") from exc


class Harness:
    """A fresh kernel holding one learner file; graders call its functions through it.

    Inputs and results cross in the kernel's own work folder (see `Kernel.write_input` and
    `Kernel.open_result`), which goes with the kernel: nothing is left behind by `close()`."""

    def __init__(self, source: str, filename: str, config: KernelConfig) -> None:
        self.source = source
        """The learner's file as text."""
        try:
            self.code = SourceInfo(source, filename)
            """The same file parsed in the parent, for source checks (`code.calls("einsum",
            within=...)`)."""
        except SourceError as exc:
            raise Unparsable(str(exc)) from exc
        self.filename = filename
        self.config = config
        self.load_error = ""
        self.defined: frozenset[str] = frozenset()
        self.stdout = ""
        self._kernel: Kernel | None = None
        self._calls = 0
        self._hung: set[str] = set()

    # lifecycle -----------------------------------------------------------------------------

    def open(self) -> Harness:
        """Parse in the parent, then load the file into a fresh kernel; sets `load_error` on
        failure."""
        if self.code.syntax_error:
            self.load_error = self.code.syntax_error
            return self
        self._kernel = Kernel(self.config)
        try:
            self._kernel.start()
        except KernelError as exc:
            self.close()
            raise GradingError(str(exc)) from exc
        self._load()
        return self

    def _load(self) -> None:
        assert self._kernel is not None
        result = self._kernel.request(
            {"op": "load", "source": self.source, "filename": self.filename}, self.config.timeout
        )
        self.stdout += result.stdout
        if not result.ok:
            reason = result.error or result.status
            self.load_error = f"Your file could not be run:\n{reason}".rstrip()
            return
        defined = result.payload.get("defined")
        names = defined if isinstance(defined, list) else []
        self.defined = frozenset(name for name in names if isinstance(name, str))

    def close(self) -> None:
        """Kill the kernel and remove every file exchanged with it (they live in its folder)."""
        if self._kernel is not None:
            self._kernel.close()
            self._kernel = None

    def __enter__(self) -> Harness:
        return self.open()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # what graders use ----------------------------------------------------------------------

    @property
    def sandbox_level(self) -> str:
        """The grading kernel's isolation, as text ('' before it starts)."""
        return "" if self._kernel is None else str(self._kernel.sandbox_level)

    @property
    def isolation(self) -> dict[str, Any]:
        """The grading kernel's isolation, each layer in force or not ({} before it starts)."""
        return {} if self._kernel is None else self._kernel.sandbox_level.as_dict()

    @property
    def kernel_versions(self) -> dict[str, str | None]:
        """numpy/torch versions inside the kernel (torch is None when it is not installed there)."""
        return {} if self._kernel is None else self._kernel.info.versions

    def call(
        self, function: str, *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> CallOutcome:
        """Call `function(*args, **kwargs)` in the kernel; inputs are copies, the grader keeps its
        own."""
        return self.run(Call(function, args, kwargs, timeout))

    def run_calls(self, calls: Iterable[Call]) -> list[CallOutcome]:
        """Each call in order, in the same kernel."""
        return [self.run(call) for call in calls]

    def run(self, call: Call) -> CallOutcome:
        """Make one call; a crash or timeout restarts the kernel and reloads the file for the
        next."""
        if self.load_error:
            return CallOutcome(call, "error", error=self.load_error)
        if call.function not in self.defined:
            return CallOutcome(call, "missing")
        if call.function in self._hung:
            return CallOutcome(
                call, "timeout", error="Skipped, as it did not finish on an earlier case either."
            )
        assert self._kernel is not None
        self._calls += 1
        listener = _LISTENER.get()
        if listener is not None:
            listener(call.brief())
        stem = f"c{self._calls}"
        write = self._kernel.write_input
        args = [encode_input(arg, write, f"{stem}_a{i}") for i, arg in enumerate(call.args)]
        kwargs = {
            key: encode_input(value, write, f"{stem}_k{i}")
            for i, (key, value) in enumerate(call.kwargs.items())
        }
        request = {
            "op": "call",
            "function": call.function,
            "args": args,
            "kwargs": kwargs,
            "out_dir": self._kernel.result_dir,
        }
        result_dir = self._kernel.result_dir
        result = self._kernel.request(request, call.timeout or self.config.timeout)
        self.stdout += result.stdout
        if result.restarted:
            self._load()
        if result.status == "timeout":
            self._hung.add(call.function)
        if result.status != "ok":
            status = _OUTCOME[result.status]
            return CallOutcome(
                call, status, error=result.error, stdout=result.stdout, duration=result.duration
            )
        budget = ReplyBudget(self._kernel.open_result, result_dir)
        value = decode_result(result.payload.get("result"), budget)
        return CallOutcome(call, "ok", value=value, stdout=result.stdout, duration=result.duration)


@dataclass(frozen=True)
class GradeReport:
    """The verdict on one file: every test, or why the file could not be run."""

    tests: list[TestResult]
    load_error: str = ""
    stdout: str = ""
    seed: int = 0
    duration: float = 0.0
    sandbox: str = ""
    isolation: dict[str, Any] = field(default_factory=dict)
    """Each isolation layer of the grading kernel, in force or not (`SandboxLevel.as_dict`)."""

    @property
    def correct(self) -> bool:
        """Every required test that ran passed (and at least one ran). Optional challenge checks
        are reported but never make a file wrong; skipped tests decide nothing either way."""
        required = [test for test in self.tests if not test.optional and not test.skipped]
        return not self.load_error and bool(required) and all(test.passed for test in required)


Grader = Callable[[Harness, np.random.Generator], Sequence[TestResult]]


def grade(
    source_path: Path,
    grader: Grader,
    *,
    entry: Sequence[str] = (),
    config: KernelConfig | None = None,
    seed: int | None = None,
) -> GradeReport:
    """Grade a learner's file: fresh kernel, parent-chosen seeded inputs, trusted comparisons;
    Unparsable when the file does not parse (no kernel is started for it)."""
    started = time.perf_counter()
    config = config or KernelConfig()
    seed = int(np.random.SeedSequence(seed).generate_state(1)[0]) if seed is None else seed
    harness = Harness(read_source(source_path), str(source_path), config)
    if harness.code.syntax_error:
        # Raised, not reported: a file that does not parse is not a wrong answer (nothing ran).
        raise Unparsable(harness.code.syntax_error)
    with harness:
        sandbox, isolation = harness.sandbox_level, harness.isolation
        if harness.load_error:
            return GradeReport(
                [],
                harness.load_error,
                harness.stdout,
                seed,
                time.perf_counter() - started,
                sandbox,
                isolation,
            )
        missing = [name for name in entry if name not in harness.defined]
        if missing:
            tests = [
                TestResult(
                    f"defines {name}", False, f"Your file does not define a function called {name}."
                )
                for name in missing
            ]
            return GradeReport(
                tests, "", harness.stdout, seed, time.perf_counter() - started, sandbox, isolation
            )
        tests = list(grader(harness, np.random.default_rng(seed)))
        return GradeReport(
            tests, "", harness.stdout, seed, time.perf_counter() - started, sandbox, isolation
        )


def run_calls(
    source_path: Path, calls: Sequence[Call], config: KernelConfig | None = None
) -> list[CallOutcome]:
    """Load `source_path` in a fresh kernel and make each call; a load failure fails every call."""
    with Harness(read_source(source_path), str(source_path), config or KernelConfig()) as harness:
        return harness.run_calls(calls)
