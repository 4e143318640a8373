"""Figure blocks: data validated like the rest, every figure drawn at any width, facts computed."""

from __future__ import annotations

import io
import json
import math
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from tutor.course.loader import ContentError, load_course
from tutor.course.schema import (
    Figure,
    PcaPlot,
    ProjectionPlot,
    SpectrumPlot,
    TransformPlot,
    VectorsPlot,
)
from tutor.figures import MIN_WIDTH, FigureRenderable, check_figure, drawing_for, spectrum_values

COURSE = load_course()
FIGURES = [(s.id, b) for s in COURSE.sections() for b in s.blocks if isinstance(b, Figure)]
SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "figures"
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])[;m]")


def text_at(figure: Figure, width: int, **console: Any) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, **console).print(FigureRenderable(figure))
    return buffer.getvalue()


def figure(section_id: str, plot_type: type) -> Figure:
    return next(f for sid, f in FIGURES if sid == section_id and isinstance(f.plot, plot_type))


def test_the_chapter_draws_each_geometric_idea_where_it_is_taught() -> None:
    kinds = {(sid, type(f.plot)) for sid, f in FIGURES}
    assert {
        ("1.1", VectorsPlot),
        ("1.2", ProjectionPlot),
        ("1.3", TransformPlot),
        ("1.5", PcaPlot),
        ("1.6", TransformPlot),
        ("1.6", SpectrumPlot),
    } <= kinds
    assert figure("1.6", TransformPlot).plot.axes


@pytest.mark.parametrize("section_id,fig", FIGURES, ids=lambda v: getattr(v, "title", v))
def test_every_figure_draws_cleanly(section_id: str, fig: Figure) -> None:
    assert check_figure(fig) == []


@pytest.mark.parametrize("width", [12, 27, 28, 40, 63, 80, 101, 160, 240])
@pytest.mark.parametrize("section_id,fig", FIGURES, ids=lambda v: getattr(v, "title", v))
def test_a_figure_fits_any_width(section_id: str, fig: Figure, width: int) -> None:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(FigureRenderable(fig))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= width
    has_canvas = any("┤" in line for line in lines)
    assert has_canvas == (width - 4 >= MIN_WIDTH)
    if not has_canvas:
        squeezed = re.sub(r"[\s│╭╮╰╯─]", "", "".join(lines))
        assert f"(theplotneeds{MIN_WIDTH + 4}columns)" in squeezed


def test_facts_are_computed_from_the_data() -> None:
    vectors = drawing_for(figure("1.1", VectorsPlot).plot)
    assert "a + b = [5, 1] (tip to tail)" in vectors.facts
    projection = drawing_for(ProjectionPlot(u=[2, 3], onto=[4, 1]))
    assert "proj_v(u) = (u·v / v·v) v = [2.588, 0.647]" in projection.facts  # 11/17 · [4, 1]
    svd = drawing_for(figure("1.6", TransformPlot).plot)
    assert f"σ₁ = {3 * math.sqrt(5):.3f}, σ₂ = {math.sqrt(5):.3f}" in svd.facts[1]
    pca = drawing_for(PcaPlot(covariance=[[4, 2], [2, 1]], points=2000, seed=1))
    pc1 = re.search(r"PC1 = \[([\d.]+), ([\d.]+)\]", pca.facts[1])
    assert pc1 and abs(float(pc1[1]) - 0.894) < 0.01 and abs(float(pc1[2]) - 0.447) < 0.02


def test_spectrum_marks_the_smallest_k_that_reaches_the_energy() -> None:
    import numpy as np

    plot = figure("1.6", SpectrumPlot).plot
    assert isinstance(plot, SpectrumPlot)
    s = np.array(spectrum_values(plot), dtype=float)
    assert len(s) == plot.count and np.all(np.diff(s) <= 0)
    share = (s**2).cumsum() / (s**2).sum()
    k = int((share < plot.energy).sum()) + 1
    assert share[k - 1] >= plot.energy > share[k - 2]
    assert any(f"the first {k} of {len(s)} hold" in f for f in drawing_for(plot).facts)


def test_closed_form_2x2_svd_and_eigenpairs_agree_with_numpy() -> None:
    import numpy as np

    from tutor.figures import svd2, sym_eig2

    rng = np.random.default_rng(3)
    for M in [rng.normal(size=(2, 2)) for _ in range(50)] + [
        np.eye(2),
        np.diag([2.0, 5.0]),
        np.array([[1.0, 2.0], [2.0, 4.0]]),
    ]:
        triplets = svd2(M.tolist())
        assert np.allclose([t[0] for t in triplets], np.linalg.svd(M, compute_uv=False))
        for sigma, u, v in triplets:
            assert np.allclose(M @ v, sigma * np.array(u)) and np.isclose(np.linalg.norm(u), 1)
        S = M + M.T
        pairs = sym_eig2(S[0, 0], S[0, 1], S[1, 1])
        assert np.allclose([p[0] for p in pairs], np.linalg.eigvalsh(S)[::-1])
        for value, vec in pairs:
            assert np.allclose(S @ vec, value * np.array(vec))


def test_vectors_figure_snapshot_at_60_columns() -> None:
    """The 1.1 figure as a learner sees it, character for character."""
    got = text_at(figure("1.1", VectorsPlot), 60, color_system=None)
    expected = (SNAPSHOTS / "1.1-vectors-60.txt").read_text(encoding="utf-8")
    assert got == expected


def test_no_color_drops_every_colour_and_colour_is_there_otherwise() -> None:
    fig = figure("1.2", ProjectionPlot)
    assert COLOUR.search(text_at(fig, 80, force_terminal=True, color_system="standard"))
    assert not COLOUR.search(text_at(fig, 80, force_terminal=True, no_color=True))


def test_a_broken_figure_is_a_schema_error_at_its_line(tmp_path: Path) -> None:
    course = tmp_path / "course" / "ch1"
    course.mkdir(parents=True)
    (course / "chapter.yaml").write_text("number: 1\ntitle: T\nsections: [s.yaml]\nexercises: []\n")
    (course / "s.yaml").write_text(
        'id: "1.1"\ntitle: S\nsummary: s\nblocks:\n'
        "  - kind: prose\n    text: hi\n"
        "  - kind: figure\n    title: F\n    plot:\n      type: vectors\n"
        "      vectors: {a: [1, 2]}\n      sum: [a, c]\n"
    )
    with pytest.raises(ContentError) as caught:
        load_course(tmp_path / "course")
    (problem,) = caught.value.problems
    assert problem.startswith(f"{course / 's.yaml'}:")
    assert "sum names 'c', which is not one of the vectors" in problem
    line = int(problem.split(":")[1])
    assert 7 <= line <= 12


@pytest.mark.parametrize(
    "plot,message",
    [
        ({"type": "vectors", "vectors": {"a": [1, 2, 3]}}, "length"),
        ({"type": "projection", "u": [1, 2], "onto": [0, 0]}, "zero vector"),
        ({"type": "pca", "covariance": [[1, 2], [0, 1]]}, "symmetric positive semi-definite"),
        ({"type": "spectrum", "count": 8, "decay": 1.5}, "decay"),
        ({"type": "pie"}, "type"),
    ],
)
def test_figure_data_is_validated(plot: dict[str, Any], message: str) -> None:
    import msgspec

    with pytest.raises(msgspec.ValidationError, match=message):
        msgspec.convert({"kind": "figure", "title": "t", "plot": plot}, Figure)


def test_tutor_show_prints_the_figures_and_their_data() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "tutor", "show", "1.6"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"NO_COLOR": "1", "COLUMNS": "90", "PATH": "/usr/bin:/bin"},
    )
    assert shown.returncode == 0, shown.stderr
    assert "Figure: The unit circle, its image and the singular axes" in shown.stdout
    assert "σ₁ = 6.708, σ₂ = 2.236" in shown.stdout
    as_json = subprocess.run(
        [sys.executable, "-m", "tutor", "show", "1.6", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    blocks = json.loads(as_json.stdout)["blocks"]
    spectrum = next(b for b in blocks if b["kind"] == "figure" and b["plot"]["type"] == "spectrum")
    assert spectrum["plot"] == {
        "type": "spectrum",
        "count": 48,
        "decay": 0.85,
        "noise": 0.05,
        "energy": 0.9,
        "seed": 0,
    }


async def test_the_reader_draws_figures(make_app: Callable[..., Any]) -> None:
    from textual.widgets import Static

    from tutor.screens.reader import ReaderScreen

    app = make_app(start_section="1.1")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        views = list(app.screen.query(".block.-figure").results(Static))
        assert len(views) == 1
        console = Console(width=76, record=True, file=io.StringIO(), color_system=None)
        console.print(views[0].content)
        drawn = console.export_text()
    assert "Figure: Adding vectors tip to tail" in drawn and "•a + b" in drawn


@pytest.mark.parametrize(
    "section_id,fig",
    [(sid, f) for sid, f in FIGURES if isinstance(f.plot, TransformPlot)],
    ids=lambda v: getattr(v, "title", v),
)
def test_a_transform_caption_names_the_matrix_its_facts_name(section_id: str, fig: Figure) -> None:
    """The facts line says "A = [...]": a caption that calls the same matrix W or M reads as a
    second matrix the figure never shows."""
    name = drawing_for(fig.plot).facts[0].split(" = ")[0]
    capitals = set(re.findall(r"(?<![\w₀-₉])([A-Z])(?![\w₀-₉])", fig.caption))
    assert capitals == {name}, fig.caption
