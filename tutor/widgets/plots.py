"""Lab results as the lab declares them: tables, terminal plots (plotext, imported lazily), images.

`LabResults` builds one block per `results:` entry of the lab's `measure:` and redraws a block when
a row for it arrives. Nothing here knows a lab by name: columns, plot kind and scale are data. The
`draw` and `table_rows` functions only talk to a plotext-like `plt` and plain rows, so they are
tested without a UI. Rows come from a kernel that ran learner code: every value is formatted
defensively (a missing or odd value shows as —, never an exception).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tutor.course.exercise_schema import LabResult, ResultColumn, ResultPlot, SpeedUp

IMAGE_WIDTH = 36
"""Columns of one picture: two side by side fit in 80 columns."""
SCATTER_LABELS = 25
"""At most this many words written beside their points in a scatter (more crowd 80 columns)."""
MISSING = "—"


def number(value: Any) -> float | None:
    """A finite float from a row value, or None (bools, text, NaN and infinities are not
    numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def rate_text(value: float) -> str:
    """One decimal from 1 up; below that two significant figures (0.0045, not a misleading 0.0)."""
    return f"{value:,.1f}" if value >= 1 else f"{value:.2g}"


def format_value(value: Any, kind: str) -> str:
    """One table cell in the column's declared format."""
    if kind == "text":
        return "" if value is None else str(value)[:60]  # a note most rows do not have
    if value is None:
        return MISSING
    amount = number(value)
    if amount is None:
        return MISSING
    if kind == "int":
        return f"{amount:.0f}"
    if kind == "ms":
        return f"{amount * 1e3:,.3g}" if amount * 1e3 < 100 else f"{amount * 1e3:,.0f}"
    if kind == "rate":
        return rate_text(amount)
    if kind == "fixed":
        return f"{amount:.4f}"
    if kind == "percent":
        return f"{amount:.1%}"
    return f"{amount:.2f}"  # ratio


def _matches(row: dict[str, Any], over: dict[str, Any]) -> bool:
    return all(row.get(key) == value for key, value in over.items())


def speedup_text(row: dict[str, Any], rows: Sequence[dict[str, Any]], speedup: SpeedUp) -> str:
    """How many times faster this row is than the baseline row, e.g. `1,234×`."""
    baseline = next((number(r.get(speedup.of)) for r in rows if _matches(r, speedup.over)), None)
    mine = number(row.get(speedup.of))
    if baseline is None or mine is None or baseline <= 0 or mine <= 0:
        return MISSING
    times = baseline / mine if speedup.faster == "lower" else mine / baseline
    return f"{times:,.0f}×" if times >= 10 else f"{times:.2g}×"


def cell(row: dict[str, Any], rows: Sequence[dict[str, Any]], column: ResultColumn) -> str:
    """The text of one cell."""
    if column.speedup is not None:
        return speedup_text(row, rows, column.speedup)
    return format_value(row.get(column.key), column.format)


def table_rows(result: LabResult, rows: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Every row of a result block as the cells of its declared columns."""
    return [tuple(cell(row, rows, column) for column in result.columns) for row in rows]


def log_axis(values: Sequence[float]) -> tuple[list[float], list[float], list[str]]:
    """Values as decades above the lowest power of ten below them, with ticks labelled 1eN.

    Bars then start at the bottom of the axis, so the smallest value still has a visible bar (on
    a linear axis a loop at 0.008 GFLOP/s beside BLAS at 50 has zero height). The logarithm is
    taken here: plotext's own log scale takes it again at every repaint, and then fails.
    """
    positive = [v for v in values if v > 0]
    if not positive:
        return [0.0 for _ in values], [], []
    # The floor sits at least a factor of 2 below the smallest value: a value just above a power
    # of ten (Lab 1.1's 0.0105 s) would otherwise stand on the floor with no bar at all.
    exponents = decade_exponents(min(positive) / 2, max(positive))
    base = exponents[0]
    heights = [math.log10(v) - base if v > 0 else 0.0 for v in values]
    return heights, [float(e - base) for e in exponents], [f"1e{e}" for e in exponents]


def _series(rows: Sequence[dict[str, Any]], plot: ResultPlot) -> tuple[list[Any], list[float]]:
    """(xs, ys) for a line or bars: one row's lists, or one point per row."""
    if len(rows) == 1 and isinstance(rows[0].get(plot.y), list):
        ys_raw = rows[0][plot.y]
        xs_raw = rows[0].get(plot.x) if plot.x and isinstance(rows[0].get(plot.x), list) else None
        xs = list(xs_raw) if xs_raw is not None else list(range(1, len(ys_raw) + 1))
        pairs = [(x, number(y)) for x, y in zip(xs, ys_raw, strict=False)]
    else:
        pairs = [
            (row.get(plot.x) if plot.x else i + 1, number(row.get(plot.y)))
            for i, row in enumerate(rows)
        ]
    kept = [(x, y) for x, y in pairs if y is not None and x is not None]
    return [x for x, _ in kept], [y for _, y in kept]


def draw(
    plt: Any, plot: ResultPlot, rows: Sequence[dict[str, Any]], labels: Sequence[str] = ()
) -> None:
    """Draw a bars, line or scatter block with a plotext-like `plt`."""
    plt.clear_figure()
    plt.title(plot.title)
    if not rows:
        return
    if plot.kind == "scatter":
        _scatter(plt, plot, rows[-1], labels)
        return
    xs, ys = _series(rows, plot)
    if plot.kind == "bars":
        best: dict[str, float] = {}
        for x, y in zip(xs, ys, strict=False):
            best[str(x)] = max(best.get(str(x), y), y)  # one bar per category: its best value
        xs, ys = list(best), list(best.values())
    if not ys:
        return
    if plot.scale == "log":
        ys, ticks, names = log_axis(ys)
        if ticks:
            plt.yticks(ticks, names)
            plt.ylim(0.0, ticks[-1])  # the axis spans whole decades, so each tick sits at its value
    if plot.kind == "bars":
        plt.bar([str(x) for x in xs], ys)
    else:
        numeric = [number(x) for x in xs]
        plt.plot([x if x is not None else i + 1 for i, x in enumerate(numeric)], ys, marker="dot")


def _scatter(plt: Any, plot: ResultPlot, row: dict[str, Any], labels: Sequence[str]) -> None:
    raw_x, raw_y = row.get(plot.x), row.get(plot.y)
    if not isinstance(raw_x, list) or not isinstance(raw_y, list):
        return
    pairs = [(number(x), number(y)) for x, y in zip(raw_x, raw_y, strict=False)]
    points = [(x, y) for x, y in pairs if x is not None and y is not None]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    plt.scatter(xs, ys, marker="dot")
    if plot.labels:
        for x, y, label, alignment in scatter_labels(xs, ys, list(labels)):
            plt.text(label, x, y, alignment=alignment)


def images(plot: ResultPlot, row: dict[str, Any]) -> Text:
    """An images block: its title (filled in from the row) and the pictures side by side."""
    try:
        title = plot.title.format_map(
            {key: value for key, value in row.items() if isinstance(value, (int, float, str))}
        )
    except (KeyError, ValueError, IndexError, AttributeError):
        title = plot.title
    text = Text(title + "\n", style="bold")
    pictures = [grey_image(_pixels(row.get(key)), width=IMAGE_WIDTH) for key in plot.images]
    joined = pictures[0] if pictures else Text("")
    for picture in pictures[1:]:
        joined = side_by_side(joined, picture)
    text.append_text(joined)
    return text


def _pixels(value: Any) -> list[list[float]]:
    """A picture from a row: rows of numbers in [0, 1]; anything else is an empty picture."""
    if not isinstance(value, list) or not all(isinstance(line, list) for line in value):
        return []
    pixels = [[min(1.0, max(0.0, number(v) or 0.0)) for v in line] for line in value]
    width = min((len(line) for line in pixels), default=0)
    return [line[:width] for line in pixels] if width else []


def scatter_labels(
    xs: Sequence[float],
    ys: Sequence[float],
    labels: Sequence[str],
    *,
    cols: int = 68,
    rows: int = 14,
    limit: int = SCATTER_LABELS,
) -> list[tuple[float, float, str, str]]:
    """(x, y, label, alignment) for words that can sit beside their point on a cols×rows canvas
    without overprinting another word or running off an edge; the rest stay plain dots."""
    if not xs:
        return []
    x0, y0 = min(xs), min(ys)
    width, height = (max(xs) - x0) or 1.0, (max(ys) - y0) or 1.0
    cell = width / (cols - 1)
    taken: dict[int, list[tuple[int, int]]] = {}
    chosen: list[tuple[float, float, str, str]] = []
    for x, y, label in zip(xs, ys, labels, strict=False):
        col = round((x - x0) / width * (cols - 1))
        row = round((y - y0) / height * (rows - 1))
        # Beside the point (its dot stays visible): to the right, or left near the right edge.
        start, alignment, at = col + 1, "left", x + cell
        if start + len(label) > cols:
            start, alignment, at = col - len(label), "right", x - cell
        span = (start - 1, start + len(label) + 1)  # a blank cell either side keeps words apart
        if start < 0 or any(a < span[1] and span[0] < b for a, b in taken.get(row, [])):
            continue
        taken.setdefault(row, []).append(span)
        chosen.append((at, y, label, alignment))
        if len(chosen) >= limit:
            break
    return chosen


def decade_exponents(low: float, high: float, most: int = 6) -> list[int]:
    """Exponents of the powers of ten spanning [low, high], every k-th one, at most `most`."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    step = max(1, math.ceil((last - first + 1) / most))
    return list(range(last, first - 1, -step))[::-1]


def grey_image(pixels: Sequence[Sequence[float]], width: int = 64) -> Text:
    """A greyscale image in [0, 1] as half-block characters: two pixel rows per text row."""
    rows = len(pixels)
    cols = len(pixels[0]) if rows else 0
    if not rows or not cols:
        return Text("")
    step = max(1, math.ceil(cols / width))
    sampled = [list(row[::step]) for row in pixels[::step]]
    text = Text()
    for top, bottom in zip(sampled[0::2], sampled[1::2] + [[0.0] * len(sampled[0])], strict=False):
        for upper, lower in zip(top, bottom, strict=False):
            a, b = (max(0, min(255, round(255 * float(v)))) for v in (upper, lower))
            text.append("▀", style=f"rgb({a},{a},{a}) on rgb({b},{b},{b})")
        text.append("\n")
    return text


def side_by_side(left: Text, right: Text, gap: int = 2) -> Text:
    """Two pictures next to each other, line by line (both fit in 80 columns at IMAGE_WIDTH)."""
    left_lines, right_lines = (
        left.split("\n", allow_blank=True),
        right.split("\n", allow_blank=True),
    )
    width = max((line.cell_len for line in left_lines), default=0)
    joined = Text()
    for index in range(max(len(left_lines), len(right_lines))):
        line = left_lines[index].copy() if index < len(left_lines) else Text()
        line.pad_right(width - line.cell_len + gap)
        if index < len(right_lines):
            line.append_text(right_lines[index])
        if line.plain.strip():
            joined.append_text(line)
            joined.append("\n")
    return joined


class LabResults(Vertical):
    """A lab's data source and one block per declared result (table, plot or images), redrawn
    as rows arrive."""

    DEFAULT_CSS = """
    LabResults { height: auto; }
    LabResults #lab-source { color: $text-muted; }
    LabResults DataTable { height: auto; max-height: 14; }
    LabResults .lab-plot { height: 18; }
    LabResults .lab-images { height: auto; }
    """

    def __init__(self, results: Sequence[LabResult], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.results = list(results)
        self.rows: dict[str, list[dict[str, Any]]] = {result.rows: [] for result in self.results}
        self.labels: list[str] = []

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield Static("", id="lab-source")
        for result in self.results:
            if result.columns:
                yield DataTable(
                    id=f"lab-table-{result.rows}", zebra_stripes=True, classes="lab-table"
                )
            if result.plot is not None and result.plot.kind == "images":
                yield Static("", id=f"lab-images-{result.rows}", classes="lab-images")
            elif result.plot is not None:
                yield PlotextPlot(id=f"lab-plot-{result.rows}", classes="lab-plot")

    def on_mount(self) -> None:
        for result in self.results:
            for widget in self.query(f"#lab-images-{result.rows}, #lab-plot-{result.rows}"):
                widget.display = False  # nothing to draw until its first row

    def reset(self, source: str, labels: Sequence[str]) -> None:
        """Start a new measurement run: say where the data came from, forget old rows."""
        self.rows = {result.rows: [] for result in self.results}
        self.labels = list(labels)
        self.query_one("#lab-source", Static).update(Text(f"Data: {source}" if source else ""))
        for table in self.query(DataTable):
            table.clear(columns=True)

    def row_count(self, rows: str) -> int:
        """How many rows a block holds."""
        return len(self.rows.get(rows, []))

    def add(self, row: dict[str, Any]) -> None:
        """Take one row and redraw its block; rows for no declared block are ignored."""
        result = next((r for r in self.results if r.rows == row.get("table")), None)
        if result is None:
            return
        kept = self.rows[result.rows]
        if result.replace:
            kept.clear()
        kept.append(row)
        if result.columns:
            table = self.query_one(f"#lab-table-{result.rows}", DataTable)
            table.clear(columns=True)
            table.add_columns(*(column.title for column in result.columns))
            table.add_rows(table_rows(result, kept))
        plot = result.plot
        if plot is None:
            return
        if plot.kind == "images":
            pictures = self.query_one(f"#lab-images-{result.rows}", Static)
            pictures.update(images(plot, kept[-1]))
            pictures.display = True
            return
        widget = self.query_one(f"#lab-plot-{result.rows}")
        draw(widget.plt, plot, kept, self.labels)  # type: ignore[attr-defined]
        widget.display = True
        widget.refresh()
