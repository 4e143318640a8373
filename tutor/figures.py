"""Figures as data, computed in plain Python and drawn in the terminal with plotext's braille.

A figure block names what to draw (vectors, a projection, a 2×2 map, a point cloud, a singular
value spectrum); everything shown is computed here from that data, so no printed number can
disagree with the picture. Plain Python only (2×2 closed forms, `random`): the reader draws
figures and must not import numpy. Drawing adapts to any width. Plots are drawn in ANSI colours,
which stand for roles (red the error colour, blue the primary one…): in the app each is painted in
the theme's colour for its role (`tutor.colours`), so no text names a colour; the words a colour
keys are written in it instead (`Drawing.keys`). Rich drops every colour under NO_COLOR.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rich.color import Color
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.style import Style
from rich.text import Span, Text

from tutor.colours import ANSI, Colours
from tutor.course.schema import (
    Figure,
    PcaPlot,
    Plot,
    ProjectionPlot,
    SpectrumPlot,
    TransformPlot,
    VectorsPlot,
)

MIN_WIDTH = 24
"""Below this many columns a plot is replaced by a one-line note (axes would leave no canvas)."""

_PLOTEXT = threading.Lock()
"""plotext keeps one global figure: the reader renders blocks in a worker thread too."""

COLOURS = ("red", "blue", "green", "magenta", "cyan", "yellow")


@dataclass
class Series:
    """One line or set of points on the canvas."""

    xs: list[float]
    ys: list[float]
    colour: str
    label: str = ""
    points: bool = False
    right: bool = False
    """Drawn against the right-hand y axis."""


@dataclass
class Drawing:
    """What a figure draws: series, labels at points, limits, and the facts it states."""

    series: list[Series] = field(default_factory=list)
    labels: list[tuple[str, float, float, str]] = field(default_factory=list)
    xlim: tuple[float, float] = (-1.0, 1.0)
    ylim: tuple[float, float] = (-1.0, 1.0)
    equal: bool = True
    """Same scale on both axes (geometry); height then follows from width."""
    grid: bool = False
    xlabel: str = ""
    ylabel: str = ""
    facts: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    """Words in the facts → the colour of what they name, written in that colour."""

    def arrow(self, tail: Iterable[float], tip: Iterable[float], colour: str, name: str) -> None:
        """A straight arrow, its name written at the tip."""
        (x0, y0), (x1, y1) = tail, tip
        self.series.append(Series([x0, x1], [y0, y1], colour))
        self.labels.append((f"•{name}", x1, y1, colour))


def _fmt(value: float) -> str:
    """A number as a learner reads it: up to 3 decimals, no trailing zeros, a true minus."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    text = "0" if text in ("-0", "") else text
    return text.replace("-", "−")


def _vec(values: Iterable[float]) -> str:
    return "[" + ", ".join(_fmt(v) for v in values) + "]"


def _bounds(
    points: list[tuple[float, float]], pad: float = 0.6
) -> tuple[tuple[float, float], tuple[float, float]]:
    xs = [p[0] for p in points] + [0.0]
    ys = [p[1] for p in points] + [0.0]
    return (math.floor(min(xs) - pad), math.ceil(max(xs) + pad)), (
        math.floor(min(ys) - pad),
        math.ceil(max(ys) + pad),
    )


def angle_arc(
    a: Iterable[float], b: Iterable[float], radius: float
) -> tuple[list[float], list[float], float]:
    """Points of the arc from a's direction to b's (the smaller angle) and the angle in degrees."""
    (ax, ay), (bx, by) = a, b
    start, end = math.atan2(ay, ax), math.atan2(by, bx)
    sweep = (end - start + math.pi) % (2 * math.pi) - math.pi
    steps = 24
    angles = [start + sweep * i / steps for i in range(steps + 1)]
    xs = [radius * math.cos(t) for t in angles]
    ys = [radius * math.sin(t) for t in angles]
    norm = math.hypot(ax, ay) * math.hypot(bx, by)
    degrees = (
        math.degrees(math.acos(max(-1.0, min(1.0, (ax * bx + ay * by) / norm)))) if norm else 0.0
    )
    return xs, ys, degrees


def vectors_drawing(vectors: dict[str, list[float]], chain: list[str], angle: list[str]) -> Drawing:
    """Arrows from the origin; `chain` adds vectors tip to tail and draws their sum."""
    drawing = Drawing(grid=True)
    colours = dict(zip(vectors, COLOURS, strict=False))
    tips: list[tuple[float, float]] = []
    for name, (x, y) in vectors.items():
        drawing.arrow((0, 0), (x, y), colours[name], name)
        tips.append((x, y))
        drawing.facts.append(f"{name} = {_vec((x, y))}")
    if chain:
        x, y = vectors[chain[0]]
        for name in chain[1:]:
            dx, dy = vectors[name]
            drawing.series.append(Series([x, x + dx], [y, y + dy], colours[name]))
            x, y = x + dx, y + dy
            tips.append((x, y))
        total = " + ".join(chain)
        drawing.arrow((0, 0), (x, y), "yellow", total)
        drawing.facts.append(f"{total} = {_vec((x, y))} (tip to tail)")
    if angle:
        a, b = (vectors[name] for name in angle)
        radius = 0.35 * min(math.hypot(*a), math.hypot(*b))
        xs, ys, degrees = angle_arc(a, b, radius)
        drawing.series.append(Series(xs, ys, "cyan"))
        mid = len(xs) // 2
        drawing.labels.append(("θ", xs[mid] * 1.4, ys[mid] * 1.4, "cyan"))
        drawing.facts.append(f"θ = {_fmt(degrees)}°")
    drawing.xlim, drawing.ylim = _bounds(tips)
    return drawing


def _projection(plot: ProjectionPlot) -> Drawing:
    u, v = plot.u, plot.onto
    scale = (u[0] * v[0] + u[1] * v[1]) / (v[0] ** 2 + v[1] ** 2)
    p = (scale * v[0], scale * v[1])
    drawing = Drawing(grid=True)
    drawing.arrow((0, 0), v, "blue", "v")
    drawing.arrow((0, 0), u, "red", "u")
    drawing.arrow((0, 0), p, "green", "proj")
    drawing.series.append(Series([u[0], p[0]], [u[1], p[1]], "magenta"))  # u − proj, ⟂ v
    drawing.facts += [
        f"u = {_vec(u)}, v = {_vec(v)}",
        f"proj_v(u) = (u·v / v·v) v = {_vec(p)}",
        f"u − proj = {_vec((u[0] - p[0], u[1] - p[1]))}, perpendicular to v",
    ]
    drawing.xlim, drawing.ylim = _bounds([(u[0], u[1]), (v[0], v[1]), p])
    return drawing


def sym_eig2(a: float, b: float, d: float) -> list[tuple[float, tuple[float, float]]]:
    """Eigenpairs of the symmetric 2×2 matrix [[a, b], [b, d]], largest eigenvalue first, unit
    eigenvectors. Closed form, in plain Python: the reader draws figures without importing numpy."""
    mean, half = (a + d) / 2, math.hypot((a - d) / 2, b)
    pairs = []
    for value in (mean + half, mean - half):
        if abs(b) > 1e-12 * max(1.0, abs(a), abs(d)):
            x, y = b, value - a
        else:  # already diagonal: the axes themselves
            x, y = (1.0, 0.0) if abs(value - a) <= abs(value - d) else (0.0, 1.0)
        norm = math.hypot(x, y)
        pairs.append((value, (x / norm, y / norm)))
    if half == 0:  # a multiple of I: any orthonormal pair
        pairs = [(mean, (1.0, 0.0)), (mean, (0.0, 1.0))]
    return pairs


def svd2(m: list[list[float]]) -> list[tuple[float, tuple[float, float], tuple[float, float]]]:
    """(σ, u, v) of a 2×2 matrix, σ₁ ≥ σ₂ ≥ 0, from the eigenpairs of MᵀM (A v = σ u)."""
    (p, q), (r, t) = m
    out: list[tuple[float, tuple[float, float], tuple[float, float]]] = []
    pairs = sym_eig2(p * p + r * r, p * q + r * t, q * q + t * t)
    for value, (x, y) in pairs:
        sigma = math.sqrt(max(value, 0.0))
        image = (p * x + q * y, r * x + t * y)
        if sigma > 1e-12:
            u = (image[0] / sigma, image[1] / sigma)
        else:  # σ = 0: u is the unit vector perpendicular to the first u
            u0 = out[0][1] if out else (1.0, 0.0)
            u = (-u0[1], u0[0])
        out.append((sigma, u, (x, y)))
    return out


def _transform(plot: TransformPlot) -> Drawing:
    (p, q), (r, t) = plot.matrix
    angles = [2 * math.pi * i / 120 for i in range(121)]
    circle = [(math.cos(a), math.sin(a)) for a in angles]
    image = [(p * x + q * y, r * x + t * y) for x, y in circle]
    drawing = Drawing()
    drawing.series.append(
        Series([c[0] for c in circle], [c[1] for c in circle], "blue", points=True)
    )
    drawing.series.append(Series([c[0] for c in image], [c[1] for c in image], "red", points=True))
    drawing.facts.append(f"A = [{_fmt(p)}, {_fmt(q)}; {_fmt(r)}, {_fmt(t)}]: unit circle → ellipse")
    drawing.keys.update({"unit circle": "blue", "ellipse": "red"})
    triplets = svd2([[p, q], [r, t]])
    if plot.axes:
        for i, (sigma, u, v) in enumerate(triplets):
            drawing.arrow((0, 0), (sigma * u[0], sigma * u[1]), "yellow", f"σ{'₁₂'[i]}u{'₁₂'[i]}")
            drawing.arrow((0, 0), v, "green", f"v{'₁₂'[i]}")
        drawing.facts.append(
            f"σ₁ = {_fmt(triplets[0][0])}, σ₂ = {_fmt(triplets[1][0])}: "
            "A vᵢ = σᵢ uᵢ, the ellipse's semi-axes"
        )
    reach = max(1.0, triplets[0][0]) + 0.5
    drawing.xlim = drawing.ylim = (-reach, reach)
    return drawing


def cloud(plot: PcaPlot) -> list[tuple[float, float]]:
    """The figure's seeded Gaussian points: mean + L z, with L Lᵀ = covariance (Cholesky)."""
    import random

    (a, b), (_, d) = plot.covariance
    l11 = math.sqrt(a)
    l21 = b / l11 if l11 else 0.0
    l22 = math.sqrt(max(d - l21 * l21, 0.0))
    rng = random.Random(plot.seed)
    points = []
    for _ in range(plot.points):
        z1, z2 = rng.gauss(0.0, 1.0), rng.gauss(0.0, 1.0)
        points.append((plot.mean[0] + l11 * z1, plot.mean[1] + l21 * z1 + l22 * z2))
    return points


def _pca(plot: PcaPlot) -> Drawing:
    points = cloud(plot)
    n = len(points)
    cx = sum(x for x, _ in points) / n
    cy = sum(y for _, y in points) / n
    sxx = sum((x - cx) ** 2 for x, _ in points) / (n - 1)
    sxy = sum((x - cx) * (y - cy) for x, y in points) / (n - 1)
    syy = sum((y - cy) ** 2 for _, y in points) / (n - 1)
    pairs = sym_eig2(sxx, sxy, syy)
    total = sum(max(value, 0.0) for value, _ in pairs) or 1.0
    drawing = Drawing()
    drawing.series.append(
        Series([x for x, _ in points], [y for _, y in points], "blue", points=True)
    )
    drawing.facts.append(f"{n} points; arrows are 2 standard deviations long")
    for i, (value, (x, y)) in enumerate(pairs):
        sign = 1.0 if (x if abs(x) >= abs(y) else y) > 0 else -1.0  # largest entry positive
        x, y = sign * x, sign * y
        length = 2 * math.sqrt(max(value, 0.0))
        drawing.arrow(
            (cx, cy), (cx + length * x, cy + length * y), ("red", "yellow")[i], f"PC{i + 1}"
        )
        share = max(value, 0.0) / total
        drawing.facts.append(f"PC{i + 1} = {_vec((x, y))}, variance {_fmt(value)} ({share:.0%})")
    drawing.xlim, drawing.ylim = _bounds(points, pad=0.3)
    return drawing


def spectrum_values(plot: SpectrumPlot) -> list[float]:
    """The model spectrum: σᵢ = decay^(i−1), each times (1 + noise · a seeded Gaussian), sorted."""
    import random

    rng = random.Random(plot.seed)
    values = [plot.decay**i * abs(1 + plot.noise * rng.gauss(0.0, 1.0)) for i in range(plot.count)]
    return sorted(values, reverse=True)


def _spectrum(plot: SpectrumPlot) -> Drawing:
    s = spectrum_values(plot)
    total = sum(v * v for v in s)
    energy, running = [], 0.0
    for v in s:
        running += v * v
        energy.append(running / total)
    k = next(i for i, share in enumerate(energy, start=1) if share >= plot.energy)
    index = [float(i) for i in range(1, len(s) + 1)]
    drawing = Drawing(equal=False, xlabel="i", ylabel="σᵢ")
    drawing.series.append(Series(index, s, "blue", label="σᵢ", points=True))
    drawing.series.append(Series(index, energy, "red", label="energy", right=True))
    drawing.series.append(Series([k, k], [0.0, s[0]], "yellow"))
    drawing.labels.append((f"k={k}", k + 0.5, s[0] * 0.9, "yellow"))
    drawing.facts += [
        f"{plot.count} singular values σᵢ = {_fmt(plot.decay)}^(i−1), "
        f"times 1 ± {plot.noise:.0%} noise",
        f"the first {k} of {len(s)} hold {energy[k - 1]:.1%} of ‖A‖_F² = Σσᵢ² "
        f"(≥ {plot.energy:.0%})",
    ]
    drawing.xlim = (0.0, len(s) + 1.0)
    drawing.ylim = (0.0, s[0] * 1.05)
    return drawing


def drawing_for(plot: Plot) -> Drawing:
    """Compute what a plot draws."""
    if isinstance(plot, VectorsPlot):
        return vectors_drawing(dict(plot.vectors), list(plot.sum), list(plot.angle))
    if isinstance(plot, ProjectionPlot):
        return _projection(plot)
    if isinstance(plot, TransformPlot):
        return _transform(plot)
    if isinstance(plot, PcaPlot):
        return _pca(plot)
    if isinstance(plot, SpectrumPlot):
        return _spectrum(plot)
    raise TypeError(f"unknown plot {type(plot).__name__}")


def canvas_height(drawing: Drawing, width: int) -> int:
    """Rows for a plot `width` columns wide: geometry keeps one scale on both axes (a braille
    dot is about square: 2 dots per column, 4 per row of twice a column's height)."""
    if not drawing.equal:
        return max(10, min(22, width // 3))
    span_x = drawing.xlim[1] - drawing.xlim[0]
    span_y = drawing.ylim[1] - drawing.ylim[0]
    plot_columns = max(8, width - 8)  # y tick labels and the frame
    rows = round(plot_columns * span_y / span_x / 2) + 4  # frame and x ticks
    return max(8, min(40, rows))


def plot_text(drawing: Drawing, width: int, height: int | None = None) -> str:
    """The drawing as plotext's ANSI text, `width` columns wide."""
    import plotext as plt

    height = height or canvas_height(drawing, width)
    with _PLOTEXT:
        plt.clf()
        plt.theme("clear")
        plt.plotsize(width, height)
        for series in drawing.series:
            side = "right" if series.right else "left"
            draw = plt.scatter if series.points else plt.plot
            draw(
                series.xs,
                series.ys,
                marker="braille",
                color=series.colour,
                yside=side,
                label=series.label or None,
            )
        for text, x, y, colour in drawing.labels:
            plt.text(text, x, y, color=colour)
        plt.xlim(*drawing.xlim)
        plt.ylim(*drawing.ylim)
        if any(series.right for series in drawing.series):
            plt.ylim(0, 1.05, yside="right")
        if drawing.grid:
            low, high = int(drawing.xlim[0]), int(drawing.xlim[1])
            # A tick on every whole number while there is room (4 columns, 1 row each).
            step = max(1, math.ceil((high - low) / max(2, (width - 8) // 4)))
            plt.xticks(list(range(low, high + 1, step)))
            low, high = int(drawing.ylim[0]), int(drawing.ylim[1])
            step = max(1, math.ceil((high - low) / max(2, height - 5)))
            plt.yticks(list(range(low, high + 1, step)))
            plt.grid(True, True)
        if drawing.xlabel:
            plt.xlabel(drawing.xlabel)
        return str(plt.build())


def _recoloured(style: Style | str, colours: Colours) -> Style | str:
    """`style` with its ANSI colour replaced by the colour of the role it stands for."""
    if isinstance(style, Style) and style.color is not None and style.color.number is not None:
        colour = colours.for_ansi(style.color.number)
        if colour is not None:
            return style + Style(color=colour)
    return style


class FigureRenderable:
    """A figure block for Rich: the plot drawn at the width it is given, then its facts."""

    def __init__(self, figure: Figure, colours: Colours = ANSI) -> None:
        self.figure = figure
        self.colours = colours
        self._drawing: Drawing | None = None

    def _keyed(self, fact: str) -> Text:
        """A fact, dim, the words of its drawing's keys in their colours."""
        text = Text(fact, style="dim")
        for words, colour in self.drawing.keys.items():
            number = Color.parse(colour).number
            shown = self.colours.for_ansi(number) if number is not None else None
            text.highlight_words([words], style=Style.parse(f"not dim {shown or colour}"))
        return text

    @property
    def drawing(self) -> Drawing:
        """What to draw, computed once."""
        if self._drawing is None:
            self._drawing = drawing_for(self.figure.plot)
        return self._drawing

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        inner = options.max_width - 4  # the panel's border and padding
        parts: list[Any] = []
        if inner >= MIN_WIDTH:
            plot = Text.from_ansi(plot_text(self.drawing, inner), no_wrap=True, end="")
            if self.colours.themed:
                plot.spans = [
                    Span(span.start, span.end, _recoloured(span.style, self.colours))
                    for span in plot.spans
                ]
            parts.append(plot)
        else:
            parts.append(Text(f"(the plot needs {MIN_WIDTH + 4} columns)", style="dim italic"))
        parts += [self._keyed(fact) for fact in self.drawing.facts]
        if self.figure.caption:
            # YAML keeps the source's line breaks; the caption wraps at the width it is given.
            parts.append(Text(" ".join(self.figure.caption.split()), style="italic"))
        yield Panel(
            Group(*parts),
            title=Text(f"Figure: {self.figure.title}", style="bold"),
            title_align="left",
            border_style=self.colours.style("accent"),
        )

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(options.max_width, MIN_WIDTH + 4), options.max_width)


def check_figure(figure: Figure, widths: Iterable[int] = (28, 60, 80, 132)) -> list[str]:
    """Problems found drawing a figure at a few widths (empty when it draws cleanly)."""
    problems: list[str] = []
    try:
        drawing = drawing_for(figure.plot)
    except Exception as exc:  # noqa: BLE001 — any failure of the data is reported, not raised
        return [f"cannot compute: {type(exc).__name__}: {exc}"]
    if not drawing.series:
        problems.append("draws nothing")
    for width in widths:
        console = Console(width=width, record=True, color_system=None, file=_Null())
        try:
            console.print(FigureRenderable(figure))
        except Exception as exc:  # noqa: BLE001
            problems.append(f"at {width} columns: {type(exc).__name__}: {exc}")
            continue
        wide = [line for line in console.export_text().splitlines() if len(line) > width]
        if wide:
            problems.append(f"at {width} columns a line is {len(wide[0])} wide")
    return problems


class _Null(io.StringIO):
    """A file that discards what is written (the console records instead)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None
