"""The lab screen: steps listed, measurements run in a kernel and arrive as tables, plots and
images; the progress line; the plot and table builders on their own."""

from __future__ import annotations

import math
from typing import Any

import plotext
import pytest
from textual.widgets import DataTable, Static

from tests.fakes import ScreenHost
from tests.tutor.test_code_screen import footer_shown, host
from tutor.course.loader import Chapter
from tutor.screens.lab import LabScreen
from tutor.settings import Settings
from tutor.widgets import plots


def lab(chapter: Chapter, lab_id: str) -> Any:
    return next(item for item in chapter.labs if item.id == lab_id)


async def _measure(app: ScreenHost, pilot: Any) -> None:
    await pilot.press("f4")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_steps_are_listed_and_the_footer_stays_short(
    chapter: Chapter, settings: Settings
) -> None:
    item = lab(chapter, "1.lab4")
    app, _ = host(settings, lambda session: LabScreen(session, chapter, item))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        steps = str(app.screen.query_one("#lab-steps", Static).render())
        assert all(step.title in steps for step in item.steps)
        assert "compression_ratio()" in steps
        assert footer_shown(app.screen) == ["ctrl+s", "ctrl+r", "escape", "f4"]


async def test_svd_lab_measures_in_a_kernel_and_shows_table_plots_and_images(
    chapter: Chapter, settings: Settings
) -> None:
    item = lab(chapter, "1.lab4")
    app, _ = host(
        settings, lambda session: LabScreen(session, chapter, item), drafts={item.id: item.solution}
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await _measure(app, pilot)
        table = app.screen.query_one("#lab-table-errors", DataTable)
        assert (
            table.row_count == 7
        )  # k = 1, 2, 5, 10, 20, 50 and the full rank 96 of a 96×128 image
        source = str(app.screen.query_one("#lab-source", Static).render())
        assert "generated" in source and "k = 100 would need" in source
        images = app.screen.query_one("#lab-images-picture", Static)
        assert images.display and "rank 54" in str(images.render())
        assert "Measurements done" in str(app.screen.query_one("#code-status", Static).render())


async def test_pca_lab_names_its_data_source_and_scatters_the_words(
    chapter: Chapter, settings: Settings
) -> None:
    item = lab(chapter, "1.lab3")
    app, _ = host(
        settings, lambda session: LabScreen(session, chapter, item), drafts={item.id: item.solution}
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await _measure(app, pilot)
        source = str(app.screen.query_one("#lab-source", Static).render())
        assert "GPT-2" in source or "stand-in" in source
        rows = app.screen.query_one("#lab-table-explained", DataTable).row_count
        assert rows == 5  # k = 1, 2, 10, 50 and 100 (or the stand-in's full 64)
        assert app.screen.query_one("#lab-plot-projection").display


async def test_a_file_that_does_not_run_is_reported_not_measured(
    chapter: Chapter, settings: Settings
) -> None:
    item = lab(chapter, "1.lab4")
    app, _ = host(
        settings,
        lambda session: LabScreen(session, chapter, item),
        drafts={item.id: "def reconstruct(:\n"},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await _measure(app, pilot)
        assert "could not be run" in str(app.screen.query_one("#code-status", Static).render())
        assert app.screen.query_one("#lab-table-errors", DataTable).row_count == 0


def _block(item: Any, rows: str) -> Any:
    return next(result for result in item.measure.results if result.rows == rows)


GFLOPS = [
    {"table": "gflops", "method": "np.dot", "n": 256, "seconds": 0.001, "gflops": 33.5},
    {"table": "gflops", "method": "three loops", "n": 100, "seconds": 0.25, "gflops": 0.008},
    {"table": "gflops", "method": "torch.mm cuda", "n": 256, "note": "skipped: no CUDA device"},
]


def test_the_gflops_table_has_a_speed_up_column_and_shows_skips_as_missing(
    chapter: Chapter,
) -> None:
    rows = plots.table_rows(_block(lab(chapter, "1.lab2"), "gflops"), GFLOPS)
    assert rows[0] == ("np.dot", "256", "1", "33.5", "4,188×", "")
    assert rows[1][3:5] == ("0.008", "1×"), "slow loops are not shown as 0.0"
    assert rows[2] == ("torch.mm cuda", "256", "—", "—", "—", "skipped: no CUDA device")


def test_the_timings_table_shows_the_speed_up_over_the_loop(chapter: Chapter) -> None:
    rows = [
        {"table": "timings", "method": "Python loop", "seconds": 2.0, "note": "1,000 rows, ×10"},
        {"table": "timings", "method": "NumPy", "seconds": 0.01},
    ]
    assert plots.table_rows(_block(lab(chapter, "1.lab1"), "timings"), rows) == [
        ("Python loop", "2,000", "1×", "1,000 rows, ×10"),
        ("NumPy", "10", "200×", ""),
    ]


def test_odd_values_from_the_kernel_show_as_missing_never_raise(chapter: Chapter) -> None:
    block = _block(lab(chapter, "1.lab2"), "gflops")
    odd = [
        {"table": "gflops", "method": ["x"], "n": "big", "seconds": float("nan"), "gflops": True}
    ]
    assert plots.table_rows(block, odd) == [("['x']", "—", "—", "—", "—", "")]
    plots.draw(plotext, block.plot, odd)
    plots.draw(plotext, _block(lab(chapter, "1.lab3"), "projection").plot, [{"x": "no", "y": [1]}])
    assert plots.images(
        _block(lab(chapter, "1.lab4"), "picture").plot, {"image": [[2, "a"], 3]}
    ).plain


def test_log_bars_give_the_slowest_method_a_visible_bar() -> None:
    heights, ticks, names = plots.log_axis([0.008, 33.5, 250.0])
    assert heights[0] > 0.5, "0.008 sits almost a decade above the axis floor (1e-3)"
    assert names[0] == "1e-3" and names[-1] == "1e3" and ticks[0] == 0.0
    plotext.clear_figure()
    from tutor.course.exercise_schema import ResultPlot

    plots.draw(
        plotext,
        ResultPlot(kind="bars", title="best GFLOP/s", x="method", y="gflops", scale="log"),
        GFLOPS,
    )
    plotext.plotsize(70, 15)
    built = plotext.build()
    assert "three loops" in built and "1e-3" in built


@pytest.mark.parametrize(
    ("lab_id", "block", "rows", "title"),
    [
        (
            "1.lab1",
            "timings",
            [{"method": "loop", "seconds": 1.0}, {"method": "NumPy", "seconds": 0.01}],
            "log scale",
        ),
        ("1.lab2", "gflops", GFLOPS, "GFLOP/s"),
        ("1.lab3", "projection", [{"x": [0.0, 1.0], "y": [1.0, 0.5]}], "PC1"),
        ("1.lab4", "errors", [{"k": 1, "error": 0.5}, {"k": 5, "error": 0.1}], "relative error"),
        ("1.lab4", "spectrum", [{"sigma": [10.0, 1.0, 0.1]}], "singular values"),
    ],
)
def test_every_declared_plot_draws_with_plotext(
    chapter: Chapter, lab_id: str, block: str, rows: list[dict[str, Any]], title: str
) -> None:
    plots.draw(plotext, _block(lab(chapter, lab_id), block).plot, rows, ["the", "of"])
    plotext.plotsize(70, 15)
    assert title in plotext.build()
    plotext.plotsize(76, 20)
    assert title in plotext.build(), "every repaint rebuilds the plot"


def test_grey_image_packs_two_pixel_rows_per_line() -> None:
    picture = plots.grey_image([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]], width=8)
    lines = str(picture).splitlines()
    assert lines == ["▀▀", "▀▀"]
    assert plots.grey_image([]).plain == ""


def test_scatter_labels_never_overprint_each_other_or_leave_the_canvas() -> None:
    xs = [0.0, 0.01, 0.02, 5.0, 10.0, 10.0]
    ys = [0.0, 0.0, 0.0, 5.0, 10.0, 0.0]
    words = ["from", "was", "has", "which", "this", "bit"]
    chosen = plots.scatter_labels(xs, ys, words, cols=40, rows=10)
    names = [label for _, _, label, _ in chosen]
    assert names == ["from", "which", "this", "bit"], "words on top of 'from' are left as dots"
    assert {alignment for _, _, label, alignment in chosen if label in ("this", "bit")} == {"right"}
    assert all(
        alignment == "left" for _, _, label, alignment in chosen if label in ("from", "which")
    )


def test_log_bars_just_above_a_power_of_ten_still_have_a_visible_bar() -> None:
    """Lab 1.1's vectorised norms take ~0.0105 s beside a 1.5 s loop: their bars must show."""
    heights, ticks, _ = plots.log_axis([0.0121, 0.0105, 1.564])
    assert min(heights) >= math.log10(2) - 1e-9, heights
    assert ticks[0] == 0.0 and max(heights) <= ticks[-1]


def test_spectrum_ticks_are_readable_powers_of_ten_and_survive_repaints(chapter: Chapter) -> None:
    assert plots.decade_exponents(1e-12, 56.97) == [-10, -7, -4, -1, 2]
    assert plots.decade_exponents(0.5, 20.0) == [-1, 0, 1, 2]
    plots.draw(
        plotext, _block(lab(chapter, "1.lab4"), "spectrum").plot, [{"sigma": [56.97, 0.29, 1e-12]}]
    )
    plotext.plotsize(70, 15)
    built = plotext.build()
    assert "1e2" in built and "0.0000" not in built
    plotext.plotsize(60, 12)
    assert "1e2" in plotext.build(), "a second build (a repaint) must not fail"


def test_the_two_svd_pictures_sit_side_by_side_within_80_columns() -> None:
    pixels = [[(r * c) % 7 / 6 for c in range(128)] for r in range(96)]
    left = plots.grey_image(pixels, width=plots.IMAGE_WIDTH)
    both = plots.side_by_side(left, left)
    lines = both.plain.splitlines()
    assert len(lines) == len(left.plain.splitlines())
    assert all(len(line) <= 78 for line in lines) and lines[0].count("▀") == 2 * len(
        left.plain.splitlines()[0]
    )


async def test_an_open_challenge_is_shown_as_optional_and_the_lab_still_passes(
    chapter: Chapter, settings: Settings
) -> None:
    from tests.tutor.test_code_screen import SOLUTIONS
    from tutor.widgets.code_editor import TestTable

    item = lab(chapter, "1.lab3")
    good = (SOLUTIONS / "1.lab3" / "good.py").read_text(encoding="utf-8")  # no pca_2d_power
    app, _ = host(
        settings, lambda session: LabScreen(session, chapter, item), drafts={item.id: good}
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(app.screen.query_one("#code-status").render())
        assert "Correct" in status
        table = app.screen.query_one("#code-table", TestTable)
        last = [str(cell) for cell in table.get_row_at(table.row_count - 1)]
        assert (
            last[0] == "○" and "pca_2d_power (challenge)" in last[1] and "not attempted" in last[2]
        )
        steps = str(app.screen.query_one("#lab-steps", Static).render())
        assert "[pca_2d_power()]  optional" in steps


async def test_f4_after_f3_leaves_full_screen_and_shows_the_results(
    chapter: Chapter, settings: Settings
) -> None:
    item = lab(chapter, "1.lab4")
    app, _ = host(
        settings, lambda session: LabScreen(session, chapter, item), drafts={item.id: item.solution}
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("escape", "f3")
        await pilot.pause()
        assert app.screen.maximized is not None, "F3 shows the test table full screen"
        await pilot.press("f4")
        await pilot.pause()
        assert app.screen.maximized is None, (
            "a hidden maximized pane would leave only its background"
        )
        assert app.screen.query_one("#lab-results-pane").display
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#lab-table-errors", DataTable).row_count == 7


async def test_the_status_line_names_each_step_its_size_and_the_time_left(
    chapter: Chapter, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = lab(chapter, "1.lab4")
    shown: list[str] = []
    monkeypatch.setattr(LabScreen, "_status", lambda self, text: shown.append(text))
    app, _ = host(
        settings, lambda session: LabScreen(session, chapter, item), drafts={item.id: item.solution}
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await _measure(app, pilot)
    steps = [text for text in shown if text.startswith("Measuring")]
    assert steps[0] == "Measuring: starting a kernel with your file…"
    assert any(text.startswith("Measuring 1/9: SVD of the image · 96×128 · ") for text in steps)
    assert any("Measuring 9/9: break_even_k" in text and "left" in text for text in steps)
    assert shown[-1].startswith("Measurements done"), (
        "never a blank line: the last word is the outcome"
    )


def test_progress_line_and_estimate() -> None:
    from tutor.practice.lab import Estimate, StepStarted
    from tutor.screens.lab import progress_line

    estimate = Estimate([1.0, 1.0, 2.0])
    assert estimate.left(0) is None
    estimate.finished(0, 3.0)
    assert estimate.left(1) == pytest.approx(9.0)
    event = StepStarted(1, 3, "np.dot", "n = 1024", started=100.0, left=9.0)
    assert (
        progress_line(event, 102.5)
        == "Measuring 2/3: np.dot · n = 1024 · 2.5 s on this step · about 6.5 s left"
    )
    first = StepStarted(0, 3, "np.dot", "", started=100.0, left=None)
    assert progress_line(first, 100.0).endswith("estimating the time left…")


async def test_a_lab_check_shows_the_call_running_and_then_the_time_left(
    chapter: Chapter, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = lab(chapter, "1.lab4")
    shown: list[str] = []
    monkeypatch.setattr(LabScreen, "_status", lambda self, text: shown.append(text))
    app, _ = host(
        settings, lambda session: LabScreen(session, chapter, item), drafts={item.id: item.solution}
    )
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(2):
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
    checking = [text for text in shown if text.startswith("Checking in a fresh kernel")]
    assert any(
        "call 1: reconstruct(24×24 array, 24 array, 24×32 array, 5)" in text for text in checking
    ), checking
    assert any("left" in text for text in checking), "the second check is estimated from the first"
    assert shown[-1].startswith("Correct."), "the verdict is the last word, not a progress line"


async def test_kernels_are_warmed_on_opening_and_again_after_each_check(
    chapter: Chapter, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tutor.session import Session

    warmed: list[str] = []
    monkeypatch.setattr(Session, "warm_lab", lambda self, lab: warmed.append(lab.id))
    item = lab(chapter, "1.lab4")
    app, _ = host(
        settings, lambda session: LabScreen(session, chapter, item), drafts={item.id: item.solution}
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        assert warmed == ["1.lab4"], "opening the lab starts its kernels"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert warmed == ["1.lab4", "1.lab4"], "a check used the trusted spare: the next is started"


async def test_a_labs_rating_changes_with_r_then_a_digit(
    chapter: Chapter, settings: Settings
) -> None:
    """A lab's showing is rated as a code exercise's: after the give-up (ctrl+g) rated it Again,
    r then 3 out of the editor makes it Good in the store."""
    from progress.rating import Rating
    from tutor.recording import open_store

    item = lab(chapter, "1.lab4")
    app, _ = host(settings, lambda session: LabScreen(session, chapter, item))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LabScreen)
        assert screen.not_now()["rate_prompt"].why == "nothing rated yet"  # help says so
        await pilot.press("ctrl+g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.recorded is not None and screen.recorded.rating is Rating.Again
        await pilot.press("escape", "escape")  # the solution, then the editor
        await pilot.pause()
        assert screen.focused is None and "r" in footer_shown(screen)
        assert "rate_prompt" not in screen.not_now()
        await pilot.press("r", "3")
        await pilot.pause()
        assert open_store(settings).item_state("1.lab4").showings[-1].rating is Rating.Good
        assert "Rated Good" in str(screen.query_one("#code-status", Static).render())
