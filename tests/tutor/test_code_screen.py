"""The code exercise screen: editor with highlighting, drafts, hints, $EDITOR round trip, run in the
REPL, check with a test table, and leaving with the recorded attempt."""

from __future__ import annotations

import io
import stat
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Static, TextArea

from tests.fakes import host, until
from tutor.course.loader import Chapter
from tutor.recording import open_store
from tutor.screens import code_exercise
from tutor.screens.code_exercise import CodeExerciseScreen
from tutor.settings import Settings, load_settings
from tutor.widgets.code_editor import TestTable, editor_command

SOLUTIONS = Path(__file__).parents[1] / "fixtures" / "solutions"


def exercise(chapter: Chapter, item_id: str) -> Any:
    return next(e for e in chapter.exercises if e.id == item_id)


def footer_shown(screen: Any) -> list[str]:
    """The keys the footer shows now (bindings whose check_action hides them are left out)."""
    return [
        key
        for key, active in screen.active_bindings.items()
        if active.binding.show and active.node is screen and active.enabled
    ]


async def test_starter_is_shown_highlighted_and_the_draft_wins(
    chapter: Chapter, settings: Settings
) -> None:
    item = exercise(chapter, "1.ex16")
    app, store = host(
        settings,
        lambda session: CodeExerciseScreen(session, chapter, item),
        drafts={"1.ex16": "# my draft\n"},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        editor = app.screen.query_one("#code-editor", TextArea)
        assert editor.text == "# my draft\n"
        assert type(editor.document).__name__ == "SyntaxAwareDocument"
        await pilot.press("ctrl+n")
        assert editor.text == item.starter


async def test_review_starts_from_the_starter_and_offers_the_draft(
    chapter: Chapter, settings: Settings
) -> None:
    item = exercise(chapter, "1.ex16")
    app, store = host(
        settings,
        lambda session: CodeExerciseScreen(session, chapter, item, review=True),
        drafts={"1.ex16": "# my draft\n"},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        editor = app.screen.query_one("#code-editor", TextArea)
        assert editor.text == item.starter
        assert "ctrl+n swaps in your last draft" in str(
            app.screen.query_one("#code-notes-text").render()
        )
        await pilot.press("ctrl+n")
        assert editor.text == "# my draft\n"


async def test_typing_autosaves_after_a_pause_and_leaving_saves(
    chapter: Chapter, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(code_exercise, "AUTOSAVE_DELAY", 0.05)
    app, store = host(
        settings, lambda session: CodeExerciseScreen(session, chapter, exercise(chapter, "1.ex14"))
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("x", "y")
        await until(pilot, lambda: store.drafts.get("1.ex14", "").startswith("xy"), "the autosave")
        assert store.drafts["1.ex14"].startswith("xy")
        await pilot.press("escape", "escape")  # the first leaves the editor (tab indents there)
        await pilot.pause()
        assert app.dismissed == [None]


async def test_hints_come_one_at_a_time(chapter: Chapter, settings: Settings) -> None:
    item = exercise(chapter, "1.ex14")
    app, _ = host(settings, lambda session: CodeExerciseScreen(session, chapter, item))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+t")
        notes = str(app.screen.query_one("#code-notes-text").render())
        assert "Hint 1" in notes and "Hint 2" not in notes
        await pilot.press("ctrl+t")
        assert "Hint 2" in str(app.screen.query_one("#code-notes-text").render())


async def test_external_editor_round_trip_reloads_the_file(
    chapter: Chapter, settings: Settings, tmp_path: Path
) -> None:
    script = tmp_path / "fake-editor"
    script.write_text('#!/bin/sh\nprintf "# edited outside\\n" >> "$1"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    settings = Settings(data_dir=settings.data_dir, editor=str(script))
    app, store = host(
        settings, lambda session: CodeExerciseScreen(session, chapter, exercise(chapter, "1.ex14"))
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.screen.query_one("#code-editor", TextArea).text.endswith("# edited outside\n")
        assert store.drafts["1.ex14"].endswith("# edited outside\n")


def test_editor_command_prefers_the_setting_then_visual_then_editor() -> None:
    assert editor_command("code -w", {"VISUAL": "vim"}) == ["code", "-w"]
    assert editor_command("", {"VISUAL": "vim", "EDITOR": "nano"}) == ["vim"]
    assert editor_command("", {"EDITOR": "nano -w"}) == ["nano", "-w"]
    assert editor_command("", {}) == ["vi"]


async def test_check_fills_the_test_table_records_and_dismisses_with_it(
    chapter: Chapter, settings: Settings
) -> None:
    item = exercise(chapter, "1.ex14")
    app, store = host(
        settings,
        lambda session: CodeExerciseScreen(session, chapter, item),
        drafts={"1.ex14": (SOLUTIONS / "1.ex14" / "wrong_diagonal.py").read_text(encoding="utf-8")},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#code-table", TestTable)
        assert table.row_count == 8
        status = str(app.screen.query_one("#code-status").render())
        assert "Not yet" in status and "Rated Again" in status
        editor = app.screen.query_one("#code-editor", TextArea)
        editor.load_text(item.solution)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(app.screen.query_one("#code-status").render())
        assert "Correct" in status and "Rated Hard · schedule changed: next review" in status
        # The showing ended with the solve: checking again is for the learner, not the schedule.
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "this check is not recorded" in str(app.screen.query_one("#code-status").render())
        progress = open_store(settings)
        assert progress.log_count() == 2 and len(progress.item_state("1.ex14").showings) == 1
        await pilot.press("ctrl+g")
        console = Console(width=80, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#code-notes-text", Static).content)
        shown = console.export_text()
        assert "Reference solution" in shown and "def cosine_similarity_matrix" in shown
        assert app.screen.maximized is app.screen.query_one("#code-notes"), (
            "the solution gets the whole screen"
        )
        await pilot.press("escape")
        assert app.screen.maximized is None and app.screen.focused is editor
        await pilot.press("escape", "escape")
        await pilot.pause()
    assert len(app.dismissed) == 1 and app.dismissed[0] is not None and app.dismissed[0].rating >= 2


async def test_after_a_check_typing_goes_on_in_the_editor(
    chapter: Chapter, settings: Settings
) -> None:
    """Even from the REPL (hidden by the test table), the editor has the focus when the verdict
    shows;
    escape from the tests comes back to the editor, escape there steps out and e comes back."""
    item = exercise(chapter, "1.ex14")
    app, store = host(
        settings,
        lambda session: CodeExerciseScreen(session, chapter, item),
        drafts={"1.ex14": (SOLUTIONS / "1.ex14" / "wrong_diagonal.py").read_text(encoding="utf-8")},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        editor = screen.query_one("#code-editor", TextArea)
        assert "f3" not in footer_shown(screen), "no tests to show before the first check"
        await pilot.press("ctrl+l")
        assert screen.focused is not editor
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Not yet" in str(screen.query_one("#code-status").render())
        await pilot.press("z")
        assert screen.focused is editor and editor.text.startswith("z")
        await pilot.press("f3")
        assert screen.focused is screen.query_one("#code-table", TestTable)
        assert screen.maximized is screen.query_one("#code-tests")
        assert "e" in footer_shown(screen)
        await pilot.press("escape")
        await pilot.pause()
        assert screen.maximized is None
        assert (
            screen.focused is editor
            and "e" not in footer_shown(screen)
            and "f3" in footer_shown(screen)
        )
        await pilot.press("f3", "shift+tab")
        await pilot.pause()
        assert screen.focused is editor, "shift+tab from the test table is the way back too"
        assert screen.maximized is None
        await pilot.press("escape")
        assert screen.focused is None and "e" in footer_shown(screen)
        await pilot.press("e", "y")
        assert screen.focused is editor and editor.text.startswith(
            "zy"
        )  # typing goes on where it stopped
    assert app.dismissed == []


async def test_the_repl_output_is_visible_at_80x24(chapter: Chapter, settings: Settings) -> None:
    from textual.widgets import RichLog

    app, _ = host(
        settings, lambda session: CodeExerciseScreen(session, chapter, exercise(chapter, "1.ex14"))
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause()
        log = app.screen.query_one(RichLog)
        assert log.region.height >= 4, "the output log must not be squeezed out by the input box"


async def test_run_sends_the_file_to_the_repl(chapter: Chapter, settings: Settings) -> None:
    from tutor.widgets.repl import Repl

    app, store = host(
        settings,
        lambda session: CodeExerciseScreen(session, chapter, exercise(chapter, "1.ex14")),
        drafts={"1.ex14": "print('hello from', 6 * 7)\n"},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        repl = app.screen.query_one(Repl)
        for _ in range(100):
            await pilot.pause(0.05)
            if not repl.running:
                break
        lines = "\n".join(str(line.text) for line in repl.log_widget.lines)
        assert "hello from 42" in lines


async def test_the_app_opens_code_exercises_and_labs_on_their_screens(tutor_env: Path) -> None:
    from tutor.app import TutorApp
    from tutor.screens.lab import LabScreen

    app = TutorApp(load_settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_item("1.ex19")
        await pilot.pause()
        assert isinstance(app.screen, CodeExerciseScreen)
        assert footer_shown(app.screen) == ["ctrl+s", "ctrl+r", "ctrl+t", "escape"]
        await pilot.press("escape", "escape")
        await pilot.pause()
        app.open_item("1.lab3")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)


@pytest.mark.parametrize(
    ("feedback", "shown"),
    [
        ("All 8 tests passed.\nmore", "All 8 tests passed."),
        (
            "Your file could not be run:\nThe cell printed more than 8 MiB.",
            "Your file could not be run: The cell printed more than 8 MiB.",
        ),
        ("Your file could not be run:", "Your file could not be run:"),
        ("", ""),
        (
            "1 of 6 tests failed. First: f · zeros: f(array) raised an exception:\nTraceback "
            "(most recent call last):\n"
            '  File "x.py", line 3, in f\n    return g / n\nZeroDivisionError: float division '
            "by zero",
            "1 of 6 tests failed. First: f · zeros: f(array) raised an exception: "
            "ZeroDivisionError: float division by zero",
        ),
        (
            "1 of 2 tests failed. First: f: did not finish in time.\nTraceback (most recent "
            'call last):\n  File "x"\n'
            "KeyboardInterrupt",
            "1 of 2 tests failed. First: f: did not finish in time.",
        ),
    ],
)
def test_the_status_headline_says_why_not_just_that(feedback: str, shown: str) -> None:
    assert code_exercise._headline(feedback) == shown


async def test_the_editor_indents_like_a_python_editor(
    chapter: Chapter, settings: Settings
) -> None:
    """Typed by hand: enter keeps the indent (one more after a colon), backspace removes a level."""
    app, store = host(
        settings,
        lambda session: CodeExerciseScreen(session, chapter, exercise(chapter, "1.ex18")),
        drafts={"1.ex18": ""},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.screen.query_one("#code-editor", TextArea)
        editor.load_text("")
        await pilot.press(
            *"def f(g):", "enter", *"if g:", "enter", *"return 1", "enter", "backspace", *"return 2"
        )
        assert editor.text == "def f(g):\n    if g:\n        return 1\n    return 2"


async def test_a_review_keeps_its_code_apart_from_the_learners_own_draft(
    chapter: Chapter, settings: Settings
) -> None:
    item = exercise(chapter, "1.ex13")
    app, store = host(
        settings,
        lambda session: CodeExerciseScreen(session, chapter, item, review=True),
        drafts={"1.ex13": "# my own draft\n"},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"# review try", "escape", "escape")
        await pilot.pause()
    assert store.drafts["1.ex13"] == "# my own draft\n"
    assert store.drafts["1.ex13#review"].startswith("# review try")
    again, _ = host(
        settings,
        lambda session: CodeExerciseScreen(session, chapter, item, review=True),
        drafts=store.drafts,
    )
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.screen.query_one("#code-editor", TextArea).text.startswith("# review try")


async def test_a_check_with_a_sandbox_layer_missing_says_which(
    chapter: Chapter, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from tutor.practice import code

    real = code.kernel_config

    def relaxed_without_landlock(*args: Any, **kwargs: Any) -> Any:
        # As on a machine without Landlock where the learner chose kernel.isolation = "relaxed".
        return dataclasses.replace(real(*args, **kwargs), landlock=False, isolation="relaxed")

    monkeypatch.setattr(code, "kernel_config", relaxed_without_landlock)
    item = exercise(chapter, "1.ex14")
    app, _ = host(
        settings,
        lambda session: CodeExerciseScreen(session, chapter, item),
        drafts={"1.ex14": item.solution},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(app.screen.query_one("#code-status").render())
        assert "Correct" in status and "Sandbox partial: missing Landlock" in status


async def test_the_test_table_wraps_its_results_at_80_columns(
    chapter: Chapter, settings: Settings
) -> None:
    item = exercise(chapter, "1.ex13")
    wrong = "import numpy as np\n\n\ndef center_columns(X):\n    return X - X.mean()\n"
    app, _ = host(
        settings,
        lambda session: CodeExerciseScreen(session, chapter, item),
        drafts={"1.ex13": wrong},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#code-table", TestTable)
        assert table.row_count >= 5
        # Nothing runs off to the right: every column fits, and long results take more lines.
        assert table.virtual_size.width <= table.size.width
        assert max(row.height for row in table.rows.values()) >= 2


async def test_a_review_item_takes_s_u_and_enter_once_the_editor_is_left(
    chapter: Chapter, settings: Settings
) -> None:
    from tutor.practice.outcome import SKIPPED

    item = exercise(chapter, "1.ex13")
    app, _ = host(settings, lambda session: CodeExerciseScreen(session, chapter, item, review=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s", "u")  # in the editor: text
        assert app.screen.editor.text.startswith("su")
        await pilot.press("escape")
        assert "s" in footer_shown(app.screen) and "enter" not in footer_shown(app.screen)
        await pilot.press("s")
        await pilot.pause()
    assert app.dismissed == [SKIPPED]

    app, _ = host(settings, lambda session: CodeExerciseScreen(session, chapter, item, review=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.editor.load_text(item.solution)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert screen.recorded is not None
        await pilot.press("escape")
        assert {"enter", "u"} <= set(footer_shown(screen))
        await pilot.press("u")
        assert screen.recorded is None and "taken back" in str(
            screen.query_one("#code-status").render()
        )
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("escape", "enter")
        await pilot.pause()
    assert (
        len(app.dismissed) == 1 and app.dismissed[0] is not None and app.dismissed[0] is not SKIPPED
    )


async def test_a_file_that_does_not_parse_is_not_graded_as_tutor_check_says(
    chapter: Chapter, settings: Settings
) -> None:
    """The same words as `tutor check`; nothing is recorded and the check does not count, while
    code that parses but fails when loaded is a wrong attempt, rated."""
    item = exercise(chapter, "1.ex13")
    broken = "import numpy as np\n\n\ndef center_columns(X):\n    return X -\n"
    app, _ = host(
        settings,
        lambda session: CodeExerciseScreen(session, chapter, item),
        drafts={"1.ex13": broken},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodeExerciseScreen)
        status = str(screen.query_one("#code-status").render())
        assert " ".join(status.split()) == (
            "Cannot grade 1.ex13 (nothing was recorded): 1_ex13.py does not parse at line 5, "
            "column 15: invalid syntax"
        )
        # All of it fits the two status lines an 80×24 screen has (line and column included).
        assert len(status) <= 2 * screen.query_one("#code-status").content_region.width
        assert screen.attempts == 0 and screen.recorded is None
        assert open_store(settings).log_count() == 0
        screen.query_one("#code-editor", TextArea).load_text(
            "import numpy as np\n\nnumpy.zeros(2)\n\ndef center_columns(X):\n    return X\n"
        )
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(screen.query_one("#code-status").render())
        assert "Not yet" in status and "NameError" in status and "Rated Again" in status
        assert open_store(settings).log_count() == 1 and screen.attempts == 1


async def test_a_burst_with_a_backspace_in_the_repl_input_lands_in_order() -> None:
    """Keys arriving at once (SSH): the backspace deletes the x typed before it, not the 2 after."""
    from textual import events
    from textual.app import App, ComposeResult

    from tutor.widgets.repl import ReplInput

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield ReplInput(id="repl-input")

    app = Host()
    async with app.run_test() as pilot:
        box = app.query_one(ReplInput)
        box.focus()
        await pilot.pause()
        for key, char in (("1", "1"), ("x", "x"), ("backspace", None), ("2", "2")):
            app.post_message(events.Key(key, char))
        await until(pilot, lambda: box.text == "12", "the keys typed")
        assert box.text == "12"


async def test_r_then_a_digit_changes_the_rating_once_the_editor_is_left(
    chapter: Chapter, settings: Settings
) -> None:
    """As on hand exercises: after a graded check, r then 1–4 changes the showing's rating; in the
    editor r is text, and a digit without r changes nothing."""
    from progress.rating import Rating

    item = exercise(chapter, "1.ex14")
    app, _ = host(settings, lambda session: CodeExerciseScreen(session, chapter, item))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodeExerciseScreen)
        assert "r" not in footer_shown(screen)  # nothing rated yet
        screen.editor.load_text(item.solution)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()

        def status() -> str:
            return str(screen.query_one("#code-status").render())

        def stored() -> Rating:
            return open_store(settings).item_state("1.ex14").showings[-1].rating

        assert "Rated Good" in status() and "change it: escape, r, then 1–4" in status()
        assert stored() is Rating.Good
        # In the editor every printable key is text: r and 2 go into the code.
        await pilot.press("r", "2")
        await pilot.pause()
        assert screen.editor.text != item.solution and "Rate it" not in status()
        assert stored() is Rating.Good
        screen.editor.load_text(item.solution)
        await pilot.press("escape")
        assert screen.focused is None and "r" in footer_shown(screen)
        # A digit alone does nothing; r then another key cancels the prompt.
        await pilot.press("2")
        await pilot.pause()
        assert stored() is Rating.Good and "Rated Good" in status()
        await pilot.press("r")
        assert "Rate it: 1 Again · 2 Hard · 3 Good · 4 Easy (now Good)" in status()
        # In the rating line's place: the status shows two lines at 80×24, the prompt among them.
        assert status().splitlines()[1].startswith("Rate it"), status()
        await pilot.press("x", "2")
        await pilot.pause()
        assert "Rate it" not in status() and stored() is Rating.Good
        await pilot.press("r", "2")
        await pilot.pause()
        assert stored() is Rating.Hard
        assert screen.recorded is not None and screen.recorded.rating is Rating.Hard
        assert "Rated Hard" in status() and "Rated Good" not in status()
        assert "change it: r, then 1–4" in status() and "Rate it" not in status()
        assert "Correct." in status()  # the verdict stays on screen
        await pilot.press("escape")
        await pilot.pause()
    assert app.dismissed and app.dismissed[0] is not None
    assert app.dismissed[0].rating is Rating.Hard
