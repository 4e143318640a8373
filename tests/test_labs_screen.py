"""The lab screen: steps listed, measurements run in a kernel and arrive as tables, plots and images;
the plot and table builders on their own."""

from __future__ import annotations

from typing import Any

import plotext
import pytest
from textual.widgets import DataTable, Static

from tests.fakes import ScreenHost
from tests.test_code_screen import footer_shown, host
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


async def test_steps_are_listed_and_the_footer_stays_short(chapter: Chapter, settings: Settings) -> None:
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
    app, _ = host(settings, lambda session: LabScreen(session, chapter, item), drafts={item.id: item.solution})
    async with app.run_test(size=(80, 24)) as pilot:
        await _measure(app, pilot)
        table = app.screen.query_one("#lab-table", DataTable)
        assert table.row_count == 6  # k = 1, 2, 5, 10, 20, 50 for a 96×128 image
        assert "generated" in str(app.screen.query_one("#lab-source", Static).render())
        images = app.screen.query_one("#lab-images", Static)
        assert images.display and "rank 54" in str(images.render())
        assert "Measurements done" in str(app.screen.query_one("#code-status", Static).render())


async def test_pca_lab_names_its_data_source_and_scatters_the_words(chapter: Chapter, settings: Settings) -> None:
    item = lab(chapter, "1.lab3")
    app, _ = host(settings, lambda session: LabScreen(session, chapter, item), drafts={item.id: item.solution})
    async with app.run_test(size=(80, 24)) as pilot:
        await _measure(app, pilot)
        source = str(app.screen.query_one("#lab-source", Static).render())
        assert "GPT-2" in source or "stand-in" in source
        rows = app.screen.query_one("#lab-table", DataTable).row_count
        assert rows >= 3  # k = 1, 2, 10 (and 50, 100 when the embeddings are that wide)


async def test_a_file_that_does_not_run_is_reported_not_measured(chapter: Chapter, settings: Settings) -> None:
    item = lab(chapter, "1.lab4")
    app, _ = host(settings, lambda session: LabScreen(session, chapter, item), drafts={item.id: "def reconstruct(:\n"})
    async with app.run_test(size=(80, 24)) as pilot:
        await _measure(app, pilot)
        assert "could not be run" in str(app.screen.query_one("#code-status", Static).render())
        assert app.screen.query_one("#lab-table", DataTable).row_count == 0


def test_gflops_series_groups_by_size_and_skips_missing_devices() -> None:
    rows = [
        {"method": "loops", "n": 100, "seconds": 0.5, "gflops": 0.004},
        {"method": "NumPy", "n": 256, "seconds": 0.001, "gflops": 33.0},
        {"method": "torch cuda", "n": 256, "skipped": "no CUDA device"},
    ]
    sizes, methods, values = plots.gflops_series(rows)
    assert sizes == ["100", "256"] and methods == ["loops", "NumPy"]
    assert values == [[0.004, 0.0], [0.0, 33.0]]
    assert plots.gflops_rows(rows)[2] == ("torch cuda", "256", "—", "no CUDA device")
    assert [row[3] for row in plots.gflops_rows(rows)[:2]] == ["0.004", "33.0"], "slow loops are not shown as 0.0"


def test_timing_rows_show_the_speed_up_over_the_loop() -> None:
    rows = [{"method": "Python loop", "seconds": 2.0}, {"method": "NumPy", "seconds": 0.01}]
    assert plots.timing_rows(rows) == [("Python loop", "2,000.00", "1×"), ("NumPy", "10.00", "200×")]


@pytest.mark.parametrize(
    ("draw", "args", "title"),
    [
        (plots.draw_timings, ([{"method": "loop", "seconds": 1.0}, {"method": "NumPy", "seconds": 0.01}],), "speed-up"),
        (plots.draw_gflops, ([{"method": "NumPy", "n": 256, "seconds": 1.0, "gflops": 3.0}],), "GFLOP/s"),
        (plots.draw_scatter, ([[0.0, 1.0], [1.0, 0.5]], ["the", "of"]), "PC1"),
        (plots.draw_errors, ({"1": 0.5, "5": 0.1},), "relative error"),
        (plots.draw_spectrum, ([10.0, 1.0, 0.1],), "singular values"),
    ],
)
def test_every_plot_draws_with_plotext(draw: Any, args: tuple[Any, ...], title: str) -> None:
    draw(plotext, *args)
    plotext.plotsize(70, 15)
    assert title in plotext.build()
    plotext.plotsize(76, 20)
    assert title in plotext.build(), "every repaint rebuilds the plot"


def test_grey_image_packs_two_pixel_rows_per_line() -> None:
    picture = plots.grey_image([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]], width=8)
    lines = str(picture).splitlines()
    assert lines == ["▀▀", "▀▀"]
    assert plots.grey_image([]) .plain == ""


def test_scatter_labels_never_overprint_each_other_or_leave_the_canvas() -> None:
    xs = [0.0, 0.01, 0.02, 5.0, 10.0, 10.0]
    ys = [0.0, 0.0, 0.0, 5.0, 10.0, 0.0]
    words = ["from", "was", "has", "which", "this", "bit"]
    chosen = plots.scatter_labels(xs, ys, words, cols=40, rows=10)
    names = [label for _, _, label, _ in chosen]
    assert names == ["from", "which", "this", "bit"], "words on top of 'from' are left as dots"
    assert {alignment for _, _, label, alignment in chosen if label in ("this", "bit")} == {"right"}
    assert all(alignment == "left" for _, _, label, alignment in chosen if label in ("from", "which"))


def test_spectrum_ticks_are_readable_powers_of_ten_and_survive_repaints() -> None:
    assert plots.decade_exponents(1e-12, 56.97) == [-10, -7, -4, -1, 2]
    assert plots.decade_exponents(0.5, 20.0) == [-1, 0, 1, 2]
    plots.draw_spectrum(plotext, [56.97, 0.29, 1e-12])
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
    assert all(len(line) <= 78 for line in lines) and lines[0].count("▀") == 2 * len(left.plain.splitlines()[0])


async def test_an_open_challenge_is_shown_as_optional_and_the_lab_still_passes(
    chapter: Chapter, settings: Settings
) -> None:
    from tests.test_code_screen import SOLUTIONS
    from tutor.widgets.code_editor import TestTable

    item = lab(chapter, "1.lab3")
    good = (SOLUTIONS / "1.lab3" / "good.py").read_text(encoding="utf-8")  # no pca_2d_power
    app, _ = host(settings, lambda session: LabScreen(session, chapter, item), drafts={item.id: good})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(app.screen.query_one("#code-status").render())
        assert "Correct" in status
        table = app.screen.query_one("#code-table", TestTable)
        last = [str(cell) for cell in table.get_row_at(table.row_count - 1)]
        assert last[0] == "○" and "pca_2d_power (challenge)" in last[1] and "not attempted" in last[2]
        steps = str(app.screen.query_one("#lab-steps", Static).render())
        assert "[pca_2d_power()]  optional" in steps
