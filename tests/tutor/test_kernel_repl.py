"""The REPL pane in a tiny app: run, history, interrupt, restart, all through keys."""

from __future__ import annotations

import re

from textual.app import App, ComposeResult
from textual.widgets import RichLog

from checkers.kernel import Kernel, KernelConfig
from tests.fakes import host, settle
from tutor.settings import Settings
from tutor.widgets.repl import Repl, ReplInput

CONFIG = KernelConfig(timeout=5.0, grace=0.5, memory_mb=1024, standby=False)


class ReplApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Repl(lambda: Kernel(CONFIG), id="repl")


def _log_text(app: App[None]) -> str:
    log = app.query_one(RichLog)
    return "\n".join(line.text for line in log.lines)


async def test_run_history_interrupt_restart() -> None:
    app = ReplApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Kernel ready" in _log_text(app)
        box = app.query_one(ReplInput)
        box.focus()
        box.load_text("x = 20\nx + 22")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Out[1]: 42" in _log_text(app)
        assert box.text == ""
        await pilot.press("up")
        assert box.text == "x = 20\nx + 22"
        box.load_text("import time; time.sleep(30)")
        await pilot.press("ctrl+r")
        await pilot.pause(0.3)
        await pilot.press("f2")
        await settle(pilot)
        assert "KeyboardInterrupt" in _log_text(app) and "interrupted" in _log_text(app)
        await pilot.press("f8")
        await settle(pilot)
        box.load_text("x")
        await pilot.press("f5")
        await settle(pilot)
        assert "NameError" in _log_text(app)


async def test_escape_sequences_from_cells_are_not_rendered() -> None:
    app = ReplApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.query_one(Repl).send("print('\\x1b]0;owned\\x07safe')")
        await settle(pilot)
        assert "safe" in _log_text(app) and "\x1b" not in _log_text(app)


async def test_the_repl_screen_opens_with_the_cursor_in_the_input_box(
    screen_settings: Settings,
) -> None:
    from tutor.screens.repl_screen import ReplScreen

    app, _ = host(screen_settings, ReplScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"x = 1")
        assert app.screen.query_one(ReplInput).text == "x = 1"
        await settle(pilot)


async def test_cells_sent_while_one_runs_wait_and_run_in_order() -> None:
    app = ReplApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        repl = app.query_one(Repl)
        box = app.query_one(ReplInput)
        box.focus()
        box.load_text("import time; time.sleep(1.5); print('first')")
        await pilot.press("ctrl+r")
        box.load_text("print('second')")
        await pilot.press("ctrl+r")
        repl.send("print('third')\nprint('more')")
        await pilot.pause()
        log = app.query_one(RichLog)
        assert "Queued (1 waiting): print('second')" in _log_text(app)
        assert "Queued (2 waiting): print('third') …" in _log_text(app)
        assert log.border_subtitle == "running In [1] · 2 queued"
        assert repl.running and box.text == ""
        await settle(pilot)
        text = _log_text(app)
        assert text.index("first") < text.index("In [2]:") < text.index("\nsecond")
        assert text.index("\nsecond") < text.index("In [3]:") < text.index("\nthird")
        assert "more" in text and not repl.running and log.border_subtitle == ""
        assert repl.history[-2:] == ["print('second')", "print('third')\nprint('more')"]


async def test_an_interrupt_says_which_queued_cells_it_dropped() -> None:
    app = ReplApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        repl = app.query_one(Repl)
        repl.send("import time; time.sleep(30)")
        repl.send("print('never')")
        repl.send("print('nor this')")
        await pilot.pause(0.3)
        await pilot.press("f2")
        await settle(pilot)
        text = _log_text(app)
        assert "2 queued cells not run: interrupted." in text
        assert "KeyboardInterrupt" in text and "In [2]" not in text and "\nnever" not in text
        repl.send("print('after')")
        await settle(pilot)
        assert "In [2]:" in _log_text(app) and "\nafter" in _log_text(app)


async def test_examples_sent_before_the_kernel_is_up_all_run(screen_settings: Settings) -> None:
    from tutor.screens.repl_screen import ReplScreen

    app, _ = host(screen_settings, ReplScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplScreen)
        # The reader's "e" twice, quicker than the kernel starts: both run, in order.
        screen.run_example("a = 6")
        screen.run_example("print('answer', a * 7)")
        await pilot.pause()
        await settle(pilot)
        text = "\n".join(line.text for line in screen.query_one(RichLog).lines)
        # Two waiting when the kernel was still starting, one when it was up already (a warm
        # standby): either way the second example was queued, not dropped, and said so.
        assert re.search(r"Queued \([12] waiting\): print\('answer', a \* 7\)", text), text
        assert text.index("In [1]:") < text.index("In [2]:") < text.index("answer 42")
