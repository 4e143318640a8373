"""Keys on the hand exercise screen: while a box could take text every printable key is text; what
was typed is kept per exercise and variant; in a review, enter continues, s skips, u undoes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.fakes import FakeSession, ScreenHost, checked, hand_app, text_of, until
from tutor.screens.hand_exercise import HandExerciseScreen
from tutor.screens.review import ReviewScreen
from tutor.settings import Settings, load_settings
from tutor.widgets.answer_input import AnswerInput

ANSWERS_1_EX1 = ("3", "acos(1/sqrt(5))", "a = [1, 2], b = [3, 0]")
"""Exercise 1's parts: the dot product, the angle, the drawing (typed in its coordinates box)."""


async def answer_1_ex1(pilot: Pilot[Any]) -> None:
    """Type every part, as a learner would: enter moves on, tab reaches the drawing's box."""
    dot, angle, drawing = ANSWERS_1_EX1
    await pilot.press(*dot, "enter", *angle, "enter", "tab", *drawing, "enter")


def box_values(app: ScreenHost) -> list[str]:
    return [box.value for box in app.screen.query(Input)]


def shown_keys(app: ScreenHost) -> set[str]:
    return {key for key, active in app.screen.active_bindings.items() if active.binding.show}


async def test_command_letters_and_digits_are_text_in_a_box(screen_settings: Settings) -> None:
    session = FakeSession(screen_settings)
    app = hand_app(session, "1.ex1")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"hgnqrsu1234?")
        assert box_values(app)[0] == "hgnqrsu1234?"
        assert isinstance(app.screen, HandExerciseScreen) and app.dismissed == []
        assert text_of(app, "#hand-hints") == ""
        # The footer offers the ctrl keys while typing and none of the plain letters.
        assert {"ctrl+s", "ctrl+t", "ctrl+g", "escape"} <= shown_keys(app)
        assert not {"h", "g", "n", "q", "r"} & shown_keys(app)


async def test_tab_goes_round_the_boxes_and_never_leaves_them(screen_settings: Settings) -> None:
    session = FakeSession(screen_settings)
    app = hand_app(session, "1.ex2")
    async with app.run_test(size=(80, 24)) as pilot:
        boxes = list(app.screen.query(Input))
        await pilot.press(*["tab"] * len(boxes))
        assert app.screen.focused is boxes[0]
        await pilot.press("shift+tab")
        assert app.screen.focused is boxes[-1]
        await pilot.press(*"sqrt(54)")
        assert boxes[-1].value == "sqrt(54)" and app.dismissed == []


async def test_after_a_correct_check_stray_typing_changes_nothing(
    screen_settings: Settings,
) -> None:
    session = FakeSession(screen_settings)
    app = hand_app(session, "1.ex1")
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_1_ex1(pilot)
        await checked(pilot)
        status = text_of(app, "#hand-status")
        assert status.startswith("All 3 parts correct"), status
        rated = next(line for line in status.splitlines() if line.startswith("Rated"))
        assert all(box.disabled for box in app.screen.query(AnswerInput))
        assert "boxes closed" in text_of(app, "#hand-mode")
        await pilot.press(*"63.4 deg")
        assert rated in text_of(app, "#hand-status")
        assert isinstance(app.screen, HandExerciseScreen)
        await pilot.press("r", "4")
        assert "Rated Easy" in text_of(app, "#hand-status")
        assert "✓ dot   ✓ angle   ✓ drawing" in text_of(app, "#hand-verdicts")


async def test_unchecked_answers_come_back_per_exercise_and_variant(
    screen_settings: Settings,
) -> None:
    session = FakeSession(screen_settings)
    app = hand_app(session, "1.ex1")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3", "enter", *"acos(")
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.dismissed == [None]
    assert json.loads(session.drafts["1.ex1#hand-v0"]) == ["3", "acos(", ""]
    again = hand_app(session, "1.ex1")
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert box_values(again)[:2] == ["3", "acos("]
        # The cursor goes to the first part still empty: the drawing's grid.
        assert again.screen.focused is again.screen.query_one("#grid-drawing")
    other = hand_app(session, "1.ex1", variant=1)
    async with other.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert box_values(other) == ["", "", ""]


async def test_a_solved_exercise_forgets_its_draft(screen_settings: Settings) -> None:
    session = FakeSession(screen_settings)
    app = hand_app(session, "1.ex1")
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_1_ex1(pilot)
        await checked(pilot)
        await pilot.press("escape")
        await pilot.pause()
    assert session.drafts["1.ex1#hand-v0"] == ""


async def test_review_item_screen_enter_continues_s_skips_u_undoes(
    tutor_env: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T09:00:00+01:00")
    settings = load_settings(
        config_file=tutor_env / "none.toml",
        environ={},
        data_dir=str(tutor_env),
        new_per_day=3,
        cursor_blink=False,
    )
    session = FakeSession(settings)
    app = ScreenHost(session, ReviewScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HandExerciseScreen), "the first item")
        first = app.screen
        assert isinstance(first, HandExerciseScreen) and "0 due · 3 new" in text_of(
            app, "#hand-title"
        )
        # Out of the box, s skips the item.
        await pilot.press("escape")
        assert "s" in shown_keys(app)
        await pilot.press("s")
        await until(pilot, lambda: app.screen is not first, "the next item")
        second = app.screen
        assert isinstance(second, HandExerciseScreen) and second is not first
        # Give up: the boxes close; u takes the rating back and opens them again.
        await pilot.press("ctrl+g")
        await checked(pilot)
        await until(pilot, lambda: second.recorded is not None, "the give-up recorded")
        assert second.recorded is not None and "u" in shown_keys(app)
        await pilot.press("u")
        assert second.recorded is None and not second.closed
        assert isinstance(second.focused, Input)
        # Give up again, then enter continues the review.
        await pilot.press("ctrl+g")
        await checked(pilot)
        await until(pilot, lambda: "continue the review" in text_of(app, "#hand-status"))
        assert "enter: continue the review" in text_of(app, "#hand-status")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is not second, "the next item")
        assert app.screen is not second and isinstance(app.screen, HandExerciseScreen)
        await pilot.press("escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review screen")
        assert isinstance(app.screen, ReviewScreen)
        assert "1 done" in text_of(app, "#review-status")
        assert app.screen.tally.skipped == [first.exercise.id]
        assert "0 due · 3 new" in text_of(app, "#review-title")


async def test_feedback_and_hints_are_brought_into_view_at_80x24(screen_settings: Settings) -> None:
    """1.ex2, five parts wrong: the first wrong part's feedback, then ctrl+t's hint, on screen."""
    session = FakeSession(screen_settings)
    app = hand_app(session, "1.ex2")
    async with app.run_test(size=(80, 24)) as pilot:
        boxes = list(app.screen.query(Input))
        for _ in boxes:
            await pilot.press(*"7", "enter")
        await checked(pilot)
        await until(pilot, lambda: "✗" in text_of(app, "#hand-verdicts"), "the verdicts")
        page = app.screen.query_one("#hand-body")

        def on_screen(selector: str) -> bool:
            region = app.screen.query_one(selector).region
            return region.height > 0 and page.region.y <= region.y < page.region.bottom

        assert "✗" in text_of(app, "#hand-verdicts")
        first_wrong = app.screen.query(".answer-feedback").first()
        assert first_wrong.region.height > 0 and page.region.y <= first_wrong.region.y
        await pilot.press("ctrl+t")
        await until(
            pilot, lambda: "Hint 1" in text_of(app, "#hand-hints") and on_screen("#hand-hints")
        )
        assert "Hint 1" in text_of(app, "#hand-hints") and on_screen("#hand-hints")


async def test_in_the_app_q_and_question_mark_are_text_in_a_box_f1_and_ctrl_q_act(
    make_app: Callable[..., Any],
) -> None:
    app = make_app(start_section="1.ex7")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HandExerciseScreen), "1.ex7")
        assert isinstance(app.screen, HandExerciseScreen)
        await pilot.press("q", "question_mark")
        assert box_values(app)[0] == "q?" and isinstance(app.screen, HandExerciseScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
    assert json.loads(app.session.load_draft("1.ex7#hand-v0") or "[]") == ["q?"]


class QueuedSession(FakeSession):
    """A fake session whose review holds the given items, each new, hand items at variant 0."""

    def __init__(self, settings: Settings, item_ids: list[str]) -> None:
        super().__init__(settings)
        self.item_ids = item_ids

    def review_queue(self) -> list[Any]:
        from progress.queue import QueueItem

        return [QueueItem(item_id, True, 0.0) for item_id in self.item_ids]

    def next_variant(self, item_id: str) -> int:
        return 0


def footer_label(app: ScreenHost, key: str) -> str:
    """What the footer says the key does now."""
    return app.screen.active_bindings[key].binding.description


async def test_review_escape_after_an_answer_pauses_and_each_promised_key_does_its_part(
    tutor_env: Path,
) -> None:
    """Hand item then code item: escape pauses (the next item waits), enter goes on, u takes back
    the rating, s skips; what the status line and the footer say is what the keys do."""
    from tutor.screens.code_exercise import CodeExerciseScreen

    settings = load_settings(
        config_file=tutor_env / "none.toml", environ={}, data_dir=str(tutor_env), cursor_blink=False
    )
    session = QueuedSession(settings, ["1.ex7", "1.ex13", "1.ex2"])
    app = ScreenHost(session, ReviewScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HandExerciseScreen), "1.ex7")
        hand = app.screen
        assert isinstance(hand, HandExerciseScreen) and hand.exercise.id == "1.ex7"
        await pilot.press("1", "enter")
        await checked(pilot)
        await until(pilot, lambda: hand.closed, "1.ex7 closed")
        assert hand.solved and hand.closed
        assert "escape: pause" in text_of(app, "#hand-status")
        assert footer_label(app, "escape") == "Pause"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the paused review")
        review = app.screen
        assert isinstance(review, ReviewScreen), "escape pauses: the next item is not shown yet"
        status = text_of(app, "#review-status")
        assert "1 done · 2 to go" in status and "Paused after 1.ex7" in status
        assert "Enter: go on with 1.ex13" in status
        assert [item for item, _ in review.tally.done] == ["1.ex7"]
        # u, as the pause line says, takes 1.ex7's rating back; enter asks it again.
        await pilot.press("u")
        await until(pilot, lambda: "Undid 1.ex7" in text_of(app, "#review-status"))
        assert "Undid 1.ex7" in text_of(app, "#review-status") and review.tally.done == []
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is not review, "1.ex7 again")
        again = app.screen
        assert isinstance(again, HandExerciseScreen) and again.exercise.id == "1.ex7"
        await pilot.press("1", "enter")
        await checked(pilot)
        await until(pilot, lambda: again.closed, "1.ex7 closed")
        # Enter, as promised, goes straight on to the next item.
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CodeExerciseScreen), "1.ex13")
        code = app.screen
        assert isinstance(code, CodeExerciseScreen) and code.item.id == "1.ex13"
        assert [item for item, _ in review.tally.done] == ["1.ex7"]
        code.editor.load_text(code.item.solution)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: code.recorded is not None, "1.ex13 graded")
        assert code.recorded is not None
        # Escape leaves the editor (footer: Back); out of it the footer says Pause, and it pauses.
        assert footer_label(app, "escape") == "Back"
        await pilot.press("escape")
        assert footer_label(app, "escape") == "Pause"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is review, "the paused review")
        assert app.screen is review
        status = text_of(app, "#review-status")
        assert "2 done · 1 to go" in status and "Paused after 1.ex13" in status
        # s skips the item the pause line names; the session then ends with its summary.
        await pilot.press("s")
        await until(pilot, lambda: review.finished, "the summary")
        assert app.screen is review and review.finished
        assert review.tally.skipped == ["1.ex2"]
        assert "Right: 2   Wrong: 0   Skipped: 1" in text_of(app, "#review-summary")
