"""The kernel as a REPL user meets it: state, errors, timeouts, crashes, output limits,
sanitising."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from checkers.kernel import Kernel, KernelConfig, sanitize

FAST = KernelConfig(timeout=3.0, grace=0.5, memory_mb=1024, flood_limit=1024 * 1024, standby=True)


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    with Kernel(FAST) as k:
        yield k


def test_state_persists_and_last_expression_echoes(kernel: Kernel) -> None:
    assert kernel.execute("x = 5").ok
    result = kernel.execute("x + 1")
    assert result.status == "ok" and result.value == "6"


def test_syntax_error_is_reported_and_kernel_lives(kernel: Kernel) -> None:
    result = kernel.execute("def f(:")
    assert result.status == "error" and "SyntaxError" in result.error
    assert kernel.execute("1 + 1").value == "2"


def test_exception_traceback_shows_learner_frames_only(kernel: Kernel) -> None:
    result = kernel.execute("def g():\n    return 1 / 0\ng()")
    assert result.status == "error" and result.exception == "ZeroDivisionError"
    assert (
        "<cell" in result.error
        and "bootstrap" not in result.error
        and "<string>" not in result.error
    )


def test_kernel_internals_do_not_shadow_learner_modules(kernel: Kernel) -> None:
    # The worker imports its bootstrap from the kernel package folder; that folder must not stay
    # on the path, or a learner's `config.py` or `output.py` would lose to the tutor's.
    result = kernel.execute(
        "import sys, importlib.util\n"
        "[name for name in ('bootstrap', 'config', 'cgroup', 'process', 'output')"
        " if name in sys.modules or importlib.util.find_spec(name)]"
    )
    assert result.status == "ok" and result.value == "[]"
    assert kernel.execute("__name__").value == "'__main__'"


def test_stdout_and_stderr_are_separate(kernel: Kernel) -> None:
    result = kernel.execute("import sys\nprint('out')\nprint('err', file=sys.stderr)")
    assert result.stdout == "out\n" and result.stderr == "err\n"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("print('\\x1b]0;owned\\x07title')", "title\n"),
        ("print('\\x1b[2Jclear')", "clear\n"),
        ("print('\\x1b]52;c;aGVsbG8=\\x07clip')", "clip\n"),
        ("print('a\\x07b\\x00c')", "abc\n"),
    ],
)
def test_escape_sequences_are_stripped(kernel: Kernel, code: str, expected: str) -> None:
    assert kernel.execute(code).stdout == expected


def test_binary_output_is_decoded_with_replacement(kernel: Kernel) -> None:
    result = kernel.execute(
        "import sys; sys.stdout.buffer.write(bytes(range(200, 256))); sys.stdout.flush()"
    )
    assert result.ok and "\ufffd" in result.stdout


def test_sanitize_keeps_text_newlines_and_tabs() -> None:
    assert sanitize("a\tb\r\nc\rd") == "a\tb\nc\nd"


def test_sanitize_drops_bidi_controls_but_keeps_right_to_left_text() -> None:
    spoof = "FAIL \u202e.dessap stset 6 llA .tcerroC\u202c \u2067x\u2069 \u200f"
    assert sanitize(spoof) == "FAIL .dessap stset 6 llA .tcerroC x "
    assert sanitize("\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627") == (
        "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"
    )


def test_numpy_is_preloaded(kernel: Kernel) -> None:
    assert kernel.info.versions.get("numpy")
    assert kernel.execute("import sys; 'numpy' in sys.modules").value == "True"


def test_input_gets_eof(kernel: Kernel) -> None:
    result = kernel.execute("input()")
    assert result.status == "error" and result.exception == "EOFError"


def test_sys_exit_and_keyboard_interrupt_are_exceptions(kernel: Kernel) -> None:
    assert kernel.execute("import sys; sys.exit(3)").exception == "SystemExit"
    assert kernel.execute("raise KeyboardInterrupt").exception == "KeyboardInterrupt"
    assert kernel.execute("1").value == "1"


def test_timeout_interrupts_and_keeps_state(kernel: Kernel) -> None:
    kernel.execute("kept = 42")
    result = kernel.execute("while True: pass", timeout=0.5)
    assert result.status == "timeout" and not result.restarted
    assert "KeyboardInterrupt" in result.error
    assert kernel.execute("kept").value == "42"


def test_sleep_forever_is_interrupted(kernel: Kernel) -> None:
    result = kernel.execute("import time; time.sleep(10**6)", timeout=0.5)
    assert result.status == "timeout"


def test_ignored_sigint_escalates_to_restart(kernel: Kernel) -> None:
    kernel.execute("lost = 1")
    started = time.monotonic()
    result = kernel.execute(
        "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass", timeout=0.5
    )
    assert result.status == "timeout" and result.restarted
    assert time.monotonic() - started < 5
    assert kernel.execute("lost").exception == "NameError"


def test_interrupt_from_another_thread(kernel: Kernel) -> None:
    timer = threading.Timer(0.3, kernel.interrupt)
    timer.start()
    result = kernel.execute("import time; time.sleep(30)", timeout=20)
    timer.join()
    assert result.status == "interrupted" and not result.restarted


def test_interrupt_when_idle_does_nothing(kernel: Kernel) -> None:
    assert kernel.interrupt() is False


def test_restart_clears_state(kernel: Kernel) -> None:
    kernel.execute("y = 1")
    kernel.restart()
    assert kernel.execute("y").exception == "NameError"


def test_fresh_kernel_after_start_replies_quickly() -> None:
    config = KernelConfig(timeout=3.0, memory_mb=1024, standby=False)
    with Kernel(config) as k:
        assert k.execute("2 * 21").value == "42"
        assert k.alive
    assert not k.alive


def test_bad_interpreter_is_a_clear_error(tmp_path: os.PathLike[str]) -> None:
    from checkers.kernel import KernelError

    with pytest.raises(KernelError, match="cannot start|did not start"):
        Kernel(KernelConfig(python=str(tmp_path) + "/no-python", standby=False)).start()


def test_worker_bytecode_is_cached_for_the_next_spawn(kernel: Kernel) -> None:
    import importlib.util

    from checkers.kernel.launch import BOOTSTRAP_PATH, HELPERS

    for name in ("bootstrap", *HELPERS):
        source = BOOTSTRAP_PATH.with_name(f"{name}.py")
        cached = importlib.util.cache_from_source(str(source))
        assert os.path.exists(cached) and os.path.getmtime(cached) >= os.path.getmtime(source)


def test_a_worker_claiming_a_strangers_pid_is_refused(tmp_path: os.PathLike[str]) -> None:
    # The hello names the pid the tutor will signal from then on: a forged pid outside the
    # launcher's own tree must be refused, a real descendant accepted.
    import subprocess
    import sys
    from pathlib import Path

    from checkers.kernel import KernelError
    from checkers.kernel.launch import Scratch
    from checkers.kernel.process import WorkerProcess, _open_pidfd

    script = (
        "import subprocess; child = subprocess.Popen(['sleep', '30'])\n"
        "print(child.pid, flush=True); child.wait()"
    )
    launcher = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    stranger = subprocess.Popen(["sleep", "30"])
    assert launcher.stdout is not None
    descendant = int(launcher.stdout.readline())
    try:
        for pid, accepted in ((stranger.pid, False), (descendant, True)):
            scratch = Scratch(Path(tmp_path), Path(tmp_path), Path(tmp_path), Path(tmp_path))
            process = WorkerProcess(
                launcher, -1, -1, "plain", os.getuid(), scratch, FAST, hello={"pid": pid}
            )
            if accepted:
                _open_pidfd(process)
                assert process.pidfd >= 0
                os.close(process.pidfd)
            else:
                with pytest.raises(KernelError, match="not its own"):
                    _open_pidfd(process)
    finally:
        os.kill(descendant, signal.SIGKILL)
        for proc in (launcher, stranger):
            proc.kill()
            proc.wait()
        launcher.stdout.close()
