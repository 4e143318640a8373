"""The hand exercise screen in isolation: preview, checking off the UI thread, hints, rating,
solution."""

from __future__ import annotations

from textual.widgets import Input, Static, TextArea

from tests.fakes import checked, hand_app, text_of, until
from tutor.practice.outcome import Recorded
from tutor.screens.hand_exercise import HandExerciseScreen
from tutor.settings import Settings
from tutor.widgets.answer_input import AnswerInput


async def test_preview_feedback_rating_override_and_solution(screen_settings: Settings) -> None:
    app = hand_app(screen_settings, "1.ex11")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, HandExerciseScreen)
        assert "[[2,1],[1,2]]" in text_of(app, "#hand-statement")
        await pilot.press(*"3, 2")
        box = screen.query_one(AnswerInput)
        assert "read as: 3, 2" in str(box.query_one(".answer-preview", Static).render())
        await pilot.press("enter")
        await checked(pilot)
        assert "trace" in str(box.query_one(".answer-feedback", Static).render())
        assert "Rated Again" in text_of(app, "#hand-status")
        await pilot.press("escape", "r", "3")
        assert "Rated Good" in text_of(app, "#hand-status")
        assert "Rated Again" not in text_of(app, "#hand-status")
        assert text_of(app, "#hand-status").startswith("Not right yet.")  # the verdict stays
        screen.query_one(Input).value = "λ1 = 3, λ2 = 1"
        screen.query_one(Input).focus()
        await pilot.press("enter")
        await checked(pilot)
        assert "✓ right" in str(box.query_one(".answer-feedback", Static).render())
        assert screen.query_one("#hand-solution", Static).display
        assert "λ = 3 and λ = 1" in text_of(app, "#hand-solution")
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.dismissed[-1], Recorded)


async def test_hints_and_give_up(screen_settings: Settings) -> None:
    app = hand_app(screen_settings, "1.ex1", variant=2)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("escape", "h")
        assert "Hint 1" in text_of(app, "#hand-hints") and "Hint 2" not in text_of(
            app, "#hand-hints"
        )
        await pilot.press("h")
        assert "Hint 2" in text_of(app, "#hand-hints")
        await pilot.press("g")
        await checked(pilot)
        await until(pilot, lambda: app.screen.query_one("#hand-solution", Static).display)
        assert app.screen.query_one("#hand-solution", Static).display
        assert "Gave up" in text_of(app, "#hand-status")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.dismissed[-1], Recorded) and app.dismissed[-1].rating == 1


async def test_every_part_must_be_answered_before_checking(screen_settings: Settings) -> None:
    app = hand_app(screen_settings, "1.ex1")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("3", "enter")  # enter moves to the next box
        screen = app.screen
        assert isinstance(screen, HandExerciseScreen)
        assert screen.focused is screen.query_one("#input-angle", Input)
        await pilot.press("ctrl+s")
        assert not screen.checking
        assert text_of(app, "#hand-status") == ""


async def test_proof_parts_preview_the_chain(screen_settings: Settings) -> None:
    app = hand_app(screen_settings, "1.ex9")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press(*"(W^T W)^T = W^T (W^T)^T = W^T W")
        box = app.screen.query_one(AnswerInput)
        assert "read as: (Wᵀ·W)ᵀ = Wᵀ·(Wᵀ)ᵀ = Wᵀ·W" in str(
            box.query_one(".answer-preview", Static).render()
        )
        await pilot.press("ctrl+s")
        await checked(pilot)
        # The mark and the verdict's sentence are apart, not run together ("✓ right Every step…").
        feedback = str(box.query_one(".answer-feedback", Static).render())
        assert feedback == "✓ right · Every step checks out.", feedback


async def test_a_proof_is_typed_one_step_per_line_and_a_wrong_step_is_named(
    screen_settings: Settings,
) -> None:
    app = hand_app(screen_settings, "1.ex9")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        box = screen.query_one(AnswerInput)
        assert isinstance(screen.focused, TextArea)
        assert "one step per line" in str(box.box.placeholder)
        for line in ("(W^T W)^T", "= W (W^T)^T", "= W^T W"):
            await pilot.press(*line, "enter")
        assert box.value.count("\n") == 3  # enter started a new step, it did not submit
        await pilot.press("ctrl+s")
        await checked(pilot)
        feedback = str(box.query_one(".answer-feedback", Static).render())
        assert "✗ Step 1" in feedback and "W·(Wᵀ)ᵀ" in feedback
        assert "escape, r, then 1–4" in text_of(app, "#hand-status")
        box.box.load_text("(W^T W)^T\n= W^T (W^T)^T\n= W^T W")
        await pilot.press("ctrl+s")
        await checked(pilot)
        assert "✓ right" in str(box.query_one(".answer-feedback", Static).render())
        assert screen.focused is screen.query_one("#hand-body") and "r, then 1–4" in text_of(
            app, "#hand-status"
        )
        await pilot.press("n")  # acts (leaves), rather than typing into the box
        await pilot.pause()
        assert isinstance(app.dismissed[-1], Recorded)


async def test_three_parts_their_verdicts_and_the_summary_fit_at_80x24(
    screen_settings: Settings,
) -> None:
    app = hand_app(screen_settings, "1.ex12")
    async with app.run_test(size=(80, 24)) as pilot:
        for answer in ("25", "[2,1]/sqrt(5)", "[-1,-2]/sqrt(5)"):
            await pilot.press(*answer, "enter")
        await checked(pilot)
        screen = app.screen
        status = screen.query_one("#hand-status", Static)
        assert "1 of 3 parts correct" in str(status.render())
        visible = screen.query_one("#hand-body").region
        assert status.region.y >= visible.y and status.region.bottom <= visible.bottom
        v1 = screen.query_one("#part-v1", AnswerInput).query_one(".answer-feedback", Static)
        assert "flip together" in str(v1.render()) and v1.region.bottom <= visible.bottom


async def test_word_answers_are_not_previewed_as_maths(screen_settings: Settings) -> None:
    app = hand_app(screen_settings, "1.ex2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"14", "enter")
        await pilot.press(*"sqrt(54)", "enter", "5", "enter", *"L inf")
        screen = app.screen
        maths = screen.query_one("#part-l2", AnswerInput).query_one(".answer-preview", Static)
        word = screen.query_one("#part-largest", AnswerInput).query_one(".answer-preview", Static)
        assert maths.display and "read as: √54" in str(maths.render())
        assert not word.display and "L·∞" not in str(word.render())


async def test_ctrl_t_gives_a_hint_without_leaving_the_box(screen_settings: Settings) -> None:
    app = hand_app(screen_settings, "1.ex1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("3", "ctrl+t")
        assert "Hint 1" in text_of(app, "#hand-hints")
        box = screen.query_one("#input-dot", Input)
        assert screen.focused is box and box.value == "3"
        shown = [
            key
            for key, active in screen.active_bindings.items()
            if active.binding.show and active.node is screen
        ]
        assert "ctrl+t" in shown and "h" not in shown


async def test_ctrl_s_checks_the_box_as_last_edited(screen_settings: Settings) -> None:
    app = hand_app(screen_settings, "1.ex7")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = app.screen
        await pilot.pause()
        await pilot.press("3", "backspace", "1", "ctrl+s")
        await checked(pilot)
        box = screen.query_one(AnswerInput)
        assert "read as: 1" in str(box.query_one(".answer-preview", Static).render())
        assert "✓ right" in str(box.query_one(".answer-feedback", Static).render())


async def test_the_numeric_policy_stands_beside_number_boxes_only(
    screen_settings: Settings,
) -> None:
    from checkers.policy import POLICY

    app = hand_app(screen_settings, "1.ex2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = {
            box.part_name: box.query_one(Input).placeholder for box in app.screen.query(AnswerInput)
        }
        assert all(shown[name] == POLICY for name in ("l1", "l2", "linf"))
        assert shown["largest"] == shown["smallest"] == "your answer"
        box = app.screen.query_one("#part-l2", AnswerInput).query_one(Input)
        assert POLICY in "".join(
            str(line.text) for line in box.render_lines(box.region.reset_offset)
        )


async def test_the_preview_flags_a_letter_as_the_checker_will(screen_settings: Settings) -> None:
    app = hand_app(screen_settings, "1.ex7")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"a/a")
        await pilot.pause()
        preview = app.screen.query_one(AnswerInput).query_one(".answer-preview", Static)
        assert "unknown symbol a" in str(preview.render())
