"""Lab results as tables, terminal plots (plotext, imported lazily) and half-block greyscale images.

`LabResults` collects the measurement payloads a lab's kernel prints (`@@lab {json}` lines) and
redraws. The `draw_*` functions only talk to a plotext-like `plt`, so they are tested without a UI.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

IMAGE_WIDTH = 36
"""Columns of one Lab 1.4 picture: the original and its compression side by side in 80 columns."""
SCATTER_LABELS = 25
"""At most this many words written beside their points in the Lab 1.3 scatter (more crowd 80 columns)."""


def draw_timings(plt: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Lab 1.1: how many times faster each method is than the slowest (bars start at zero, so no log)."""
    plt.clear_figure()
    methods = [str(row["method"]) for row in rows]
    seconds = [max(float(row["seconds"]), 1e-12) for row in rows]
    slowest = max(seconds)
    plt.bar(methods, [slowest / s for s in seconds])
    plt.title("row norms of a 10000×768 matrix: speed-up over the slowest")


def gflops_series(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[str], list[list[float]]]:
    """(sizes, methods, values[method][size]) for a grouped bar chart; missing cells are 0."""
    sizes = sorted({int(row["n"]) for row in rows if "gflops" in row})
    methods: list[str] = []
    for row in rows:
        if "gflops" in row and row["method"] not in methods:
            methods.append(str(row["method"]))
    table = {(str(row["method"]), int(row["n"])): float(row["gflops"]) for row in rows if "gflops" in row}
    values = [[table.get((method, n), 0.0) for n in sizes] for method in methods]
    return [str(n) for n in sizes], methods, values


def draw_gflops(plt: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Lab 1.2: GFLOP/s per method and matrix size, grouped bars."""
    plt.clear_figure()
    sizes, methods, values = gflops_series(rows)
    if not methods:
        return
    plt.multiple_bar(sizes, values, labels=methods)
    plt.title("GFLOP/s by matrix size n (an n×n multiply is 2n³ flops)")


def draw_scatter(plt: Any, points: Sequence[Sequence[float]], labels: Sequence[str]) -> None:
    """Lab 1.3: the projected words on their first two principal components, labelled where it fits."""
    plt.clear_figure()
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    plt.scatter(xs, ys, marker="dot")
    for x, y, label, alignment in scatter_labels(xs, ys, labels):
        plt.text(label, x, y, alignment=alignment)
    plt.title(f"the {len(points)} common words on PC1 × PC2")


def scatter_labels(xs: Sequence[float], ys: Sequence[float], labels: Sequence[str], *, cols: int = 68,
                   rows: int = 14, limit: int = SCATTER_LABELS) -> list[tuple[float, float, str, str]]:
    """(x, y, label, alignment) for words that can sit beside their point on a cols×rows canvas
    without overprinting another word or running off an edge; the rest stay plain dots."""
    if not xs:
        return []
    x0, y0 = min(xs), min(ys)
    width, height = (max(xs) - x0) or 1.0, (max(ys) - y0) or 1.0
    cell = width / (cols - 1)
    taken: dict[int, list[tuple[int, int]]] = {}
    chosen: list[tuple[float, float, str, str]] = []
    for x, y, label in zip(xs, ys, labels):
        col = round((x - x0) / width * (cols - 1))
        row = round((y - y0) / height * (rows - 1))
        # Beside the point (its dot stays visible): to the right, or to the left near the right edge.
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


def draw_errors(plt: Any, errors: dict[str, float]) -> None:
    """Lab 1.4: relative Frobenius error against k."""
    plt.clear_figure()
    ks = sorted(int(k) for k in errors)
    plt.plot(ks, [float(errors[str(k)]) for k in ks], marker="dot")
    plt.title("relative error ‖A − A_k‖_F / ‖A‖_F against k")


def draw_spectrum(plt: Any, sigma: Sequence[float]) -> None:
    """Lab 1.4: singular values on a log scale.

    The logarithm is taken here, on a linear axis labelled in powers of ten: plotext's own log scale
    takes the logarithm again each time the plot is rebuilt (every repaint), and then crashes.
    """
    plt.clear_figure()
    values = [max(float(s), 1e-12) for s in sigma]
    plt.plot(list(range(1, len(values) + 1)), [math.log10(v) for v in values])
    if values:
        exponents = decade_exponents(min(values), max(values))
        plt.yticks([float(e) for e in exponents], [f"1e{e}" for e in exponents])
    plt.title("singular values σ_i (log scale)")


def decade_exponents(low: float, high: float, most: int = 6) -> list[int]:
    """Exponents of the powers of ten spanning [low, high], every k-th one so at most `most` remain."""
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
    for top, bottom in zip(sampled[0::2], sampled[1::2] + [[0.0] * len(sampled[0])]):
        for upper, lower in zip(top, bottom):
            a, b = (max(0, min(255, round(255 * float(v)))) for v in (upper, lower))
            text.append("▀", style=f"rgb({a},{a},{a}) on rgb({b},{b},{b})")
        text.append("\n")
    return text


def side_by_side(left: Text, right: Text, gap: int = 2) -> Text:
    """Two pictures next to each other, line by line (both fit in 80 columns at IMAGE_WIDTH)."""
    left_lines, right_lines = left.split("\n", allow_blank=True), right.split("\n", allow_blank=True)
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


def timing_rows(rows: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Lab 1.1 table: method, milliseconds, speed-up over the loop."""
    loop = next((float(r["seconds"]) for r in rows if r["method"] == "Python loop"), None)
    out = []
    for row in rows:
        seconds = float(row["seconds"])
        speedup = f"{loop / seconds:,.0f}×" if loop and seconds > 0 else "—"
        out.append((str(row["method"]), f"{seconds * 1e3:,.2f}", speedup))
    return out


def gflops_rows(rows: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Lab 1.2 table: method, n, milliseconds, GFLOP/s (or why a row was skipped)."""
    out = []
    for row in rows:
        if "skipped" in row:
            out.append((str(row["method"]), str(row["n"]), "—", str(row["skipped"])))
        else:
            out.append((str(row["method"]), str(row["n"]), f"{float(row['seconds']) * 1e3:,.3f}",
                        gflops_text(float(row["gflops"]))))
    return out


def gflops_text(gflops: float) -> str:
    """One decimal from 1 GFLOP/s up; below that two significant figures (Python loops show 0.0045,
    not a misleading 0.0)."""
    return f"{gflops:,.1f}" if gflops >= 1 else f"{gflops:.2g}"


class LabResults(Vertical):
    """A lab's data source, its table, its plots and (Lab 1.4) the images, redrawn as results arrive."""

    DEFAULT_CSS = """
    LabResults { height: auto; }
    LabResults #lab-source { color: $text-muted; }
    LabResults DataTable { height: auto; max-height: 12; }
    LabResults .lab-plot { height: 18; }
    LabResults #lab-images { height: auto; }
    """

    def __init__(self, lab_id: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lab_id = lab_id
        self.rows: list[dict[str, Any]] = []
        self.labels: list[str] = []

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield Static("", id="lab-source")
        yield DataTable(id="lab-table", zebra_stripes=True)
        yield PlotextPlot(id="lab-plot-1", classes="lab-plot")
        yield PlotextPlot(id="lab-plot-2", classes="lab-plot")
        yield Static("", id="lab-images")

    def on_mount(self) -> None:
        self.query_one("#lab-plot-2").display = self.lab_id == "1.lab4"
        self.query_one("#lab-images").display = False

    def reset(self, source: str, labels: Sequence[str]) -> None:
        """Start a new measurement run: say where the data came from, forget old rows."""
        self.rows = []
        self.labels = list(labels)
        self.query_one("#lab-source", Static).update(Text(f"Data: {source}" if source else ""))
        self.query_one("#lab-table", DataTable).clear(columns=True)

    def add(self, payload: dict[str, Any]) -> None:
        """Take one measurement and redraw."""
        self.rows.append(payload)
        kind = payload.get("table")
        if kind == "timings":
            self._table(("method", "ms", "speed-up"), timing_rows(self.rows))
            self._plot("#lab-plot-1", draw_timings, self.rows)
        elif kind == "gflops":
            self._table(("method", "n", "ms", "GFLOP/s"), gflops_rows(self.rows))
            self._plot("#lab-plot-1", draw_gflops, self.rows)
        elif kind == "pca":
            explained = payload.get("explained", {})
            self._table(("components k", "explained variance"),
                        [(str(k), f"{float(v):.1%}") for k, v in explained.items()])
            self._plot("#lab-plot-1", draw_scatter, payload.get("points", []), self.labels)
        elif kind == "svd":
            self._svd(payload)

    def _svd(self, payload: dict[str, Any]) -> None:
        errors, ratios = payload.get("errors", {}), payload.get("ratios", {})
        self._table(("k", "relative error", "compression ratio"),
                    [(k, f"{float(errors[k]):.4f}", f"{float(ratios.get(k, 0)):.2f}") for k in errors])
        self._plot("#lab-plot-1", draw_errors, errors)
        self._plot("#lab-plot-2", draw_spectrum, payload.get("sigma", []))
        images = self.query_one("#lab-images", Static)
        k = payload.get("break_even")
        picture = Text(f"Original, and rank {k} (compression ratio ≈ 1):\n", style="bold")
        picture.append_text(side_by_side(grey_image(payload.get("image", []), width=IMAGE_WIDTH),
                                         grey_image(payload.get("at_break_even", []), width=IMAGE_WIDTH)))
        images.update(picture)
        images.display = True

    def _table(self, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        table = self.query_one("#lab-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*columns)
        table.add_rows(rows)

    def _plot(self, selector: str, draw: Any, *args: Any) -> None:
        plot = self.query_one(selector)
        draw(plot.plt, *args)  # type: ignore[attr-defined]
        plot.refresh()
