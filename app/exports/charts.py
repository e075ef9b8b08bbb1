"""Charts as pure functions: plain data in, an SVG string (web pages) or a reportlab Drawing
(PDF reports) out — the same picture either way.

A chart is a *spec* (`BarChart`, `LineChart`, `HeatMap`: titles, labels, numbers, colours).
`layout(spec, width, height)` turns it into a list of primitive shapes with coordinates
(`Rect`, `Line`, `Polyline`, `Circle`, `Text`; y grows downwards, as in SVG). Two small
renderers draw those shapes: `svg(spec)` and `reportlab_drawing(spec)`. Nothing here reads the
database or the clock.

The SVG uses presentation attributes only (fill=, stroke=, font-size=): the CSP forbids style=.

    from app.exports.charts import BarChart, svg, reportlab_drawing
    chart = BarChart("Open findings", ["critical", "high"], [3, 5], colors=[RED, ORANGE])
    page_markup = svg(chart)                 # Markup for a Jinja template
    drawing = reportlab_drawing(chart)       # renderPDF.draw(drawing, canvas, x, y)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from math import ceil

# Colours shared with app.css badges and the Excel heat map.
RED = "#8a1c12"
ORANGE = "#c25b00"
AMBER = "#b08900"
GREEN = "#2e7d32"
BLUE = "#1f5f8b"
GREY = "#9aa5b1"
INK = "#1b2733"
MUTED = "#5b6b7a"
GRID = "#d9dee3"
SEVERITY_COLOURS = {"critical": RED, "high": ORANGE, "medium": AMBER, "low": GREEN}
# Maturity levels 0–5, red (no process) to green (continuously improved).
LEVEL_COLOURS = ("#b3261e", "#d9622b", "#e3a63b", "#c9c94a", "#7cb65a", "#2e7d32")
SERIES_COLOURS = (BLUE, ORANGE, GREEN, RED, AMBER, GREY)
FONT = "Helvetica, Arial, sans-serif"


# --- specs: what to draw -------------------------------------------------------------------------


@dataclass(frozen=True)
class BarChart:
    """Vertical bars, one per category."""

    title: str
    categories: Sequence[str]
    values: Sequence[float]
    colors: Sequence[str] | None = None  # one per bar; default BLUE
    y_label: str = ""
    max_value: float | None = None  # default: the largest value, rounded up


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # None = no point
    color: str = BLUE


@dataclass(frozen=True)
class LineChart:
    """Lines over shared x labels (e.g. maturity per assessment date), fixed y range."""

    title: str
    x_labels: Sequence[str]
    series: Sequence[Series]
    y_min: float = 0.0
    y_max: float = 5.0
    y_label: str = ""
    target: float | None = None  # a dashed horizontal reference line


@dataclass(frozen=True)
class HeatMap:
    """A grid of counts (rows × columns), darker for more; row and column headings."""

    title: str
    rows: Sequence[str]
    columns: Sequence[str]
    values: Sequence[Sequence[int]]
    row_label: str = ""
    column_label: str = ""
    color: str = RED


Chart = BarChart | LineChart | HeatMap


# --- shapes: how it looks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str | None = None
    tooltip: str | None = None


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = GRID
    width: float = 1.0
    dashed: bool = False


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 2.0


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: str
    tooltip: str | None = None


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 11.0
    anchor: str = "start"  # start | middle | end
    fill: str = INK
    bold: bool = False


Shape = Rect | Line | Polyline | Circle | Text


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    title: str
    shapes: list[Shape] = field(default_factory=list)


def _nice_max(value: float) -> float:
    if value <= 5:
        return 5.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    return float(ceil(value / magnitude) * magnitude)


def _wrap(text: str, width: int) -> list[str]:
    """Split a label into at most two lines of about `width` characters (axis labels)."""
    if len(text) <= width or " " not in text:
        return [text]
    words = text.split()
    best = min(
        range(1, len(words)),
        key=lambda i: max(len(" ".join(words[:i])), len(" ".join(words[i:]))),
    )
    return [" ".join(words[:best]), " ".join(words[best:])]


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def layout(chart: Chart, width: float = 480, height: float = 260) -> Layout:
    """Shapes for `chart` in a width × height box (y down)."""
    if isinstance(chart, BarChart):
        return _bar_layout(chart, width, height)
    if isinstance(chart, LineChart):
        return _line_layout(chart, width, height)
    return _heat_layout(chart, width, height)


def _bar_layout(chart: BarChart, width: float, height: float) -> Layout:
    out = Layout(width, height, chart.title)
    left, right, top, bottom = 40.0, 10.0, 28.0, 46.0
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = chart.max_value or _nice_max(max(chart.values, default=0))
    out.shapes.append(Text(left, 16, chart.title, 13, bold=True))
    for i in range(5 + 1):
        value = top_value * i / 5
        y = top + plot_h - plot_h * i / 5
        out.shapes.append(Line(left, y, left + plot_w, y))
        out.shapes.append(Text(left - 6, y + 4, _fmt(value), 10, "end", MUTED))
    n = max(1, len(chart.categories))
    slot = plot_w / n
    bar = slot * 0.62
    for i, (category, value) in enumerate(zip(chart.categories, chart.values, strict=True)):
        colour = chart.colors[i] if chart.colors else BLUE
        h = plot_h * (value / top_value) if top_value else 0
        x = left + slot * i + (slot - bar) / 2
        out.shapes.append(
            Rect(x, top + plot_h - h, bar, h, colour, tooltip=f"{category}: {_fmt(value)}")
        )
        out.shapes.append(Text(x + bar / 2, top + plot_h - h - 4, _fmt(value), 10, "middle"))
        for n, text in enumerate(_wrap(category, max(4, int(slot / 5.6)))):
            out.shapes.append(
                Text(x + bar / 2, top + plot_h + 15 + 12 * n, text, 10, "middle", MUTED)
            )
    if chart.y_label:
        out.shapes.append(Text(left, height - 6, chart.y_label, 10, "start", MUTED))
    return out


def _line_layout(chart: LineChart, width: float, height: float) -> Layout:
    out = Layout(width, height, chart.title)
    left, right, top, bottom = 40.0, 14.0, 28.0, 48.0
    plot_w, plot_h = width - left - right, height - top - bottom
    span = (chart.y_max - chart.y_min) or 1.0
    out.shapes.append(Text(left, 16, chart.title, 13, bold=True))

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * (value - chart.y_min) / span

    steps = int(span) if float(span).is_integer() and span <= 10 else 5
    for i in range(steps + 1):
        value = chart.y_min + span * i / steps
        out.shapes.append(Line(left, y_of(value), left + plot_w, y_of(value)))
        out.shapes.append(Text(left - 6, y_of(value) + 4, _fmt(value), 10, "end", MUTED))
    n = len(chart.x_labels)
    xs = [left + (plot_w * (i + 0.5) / n) for i in range(n)] if n else []
    for x, text in zip(xs, chart.x_labels, strict=True):
        out.shapes.append(Text(x, top + plot_h + 16, text, 10, "middle", MUTED))
    if chart.target is not None:
        y = y_of(chart.target)
        out.shapes.append(Line(left, y, left + plot_w, y, RED, 1.0, dashed=True))
        out.shapes.append(
            Text(left + plot_w, y - 4, f"target {_fmt(chart.target)}", 10, "end", RED)
        )
    for series in chart.series:
        points = tuple(
            (x, y_of(v)) for x, v in zip(xs, series.values, strict=True) if v is not None
        )
        if len(points) > 1:
            out.shapes.append(Polyline(points, series.color))
        for (x, y), value in zip(points, [v for v in series.values if v is not None], strict=True):
            out.shapes.append(Circle(x, y, 3.5, series.color, f"{series.name}: {_fmt(value)}"))
    legend_x = left
    for series in chart.series:
        out.shapes.append(Rect(legend_x, height - 16, 10, 10, series.color))
        out.shapes.append(Text(legend_x + 14, height - 7, series.name, 10))
        legend_x += 14 + 7 * len(series.name) + 18
    return out


def _mix(colour: str, share: float) -> str:
    """`colour` blended with white: share 0 → white, 1 → the colour."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in (r, g, b))


def _heat_layout(chart: HeatMap, width: float, height: float) -> Layout:
    out = Layout(width, height, chart.title)
    left, top = 90.0, 48.0
    cols, rows = max(1, len(chart.columns)), max(1, len(chart.rows))
    cell_w = (width - left - 10) / cols
    cell_h = (height - top - 22) / rows
    peak = max((v for row in chart.values for v in row), default=0) or 1
    out.shapes.append(Text(10, 16, chart.title, 13, bold=True))
    if chart.column_label:
        out.shapes.append(
            Text(left + cell_w * cols / 2, 30, chart.column_label, 10, "middle", MUTED)
        )
    for c, column in enumerate(chart.columns):
        out.shapes.append(Text(left + cell_w * (c + 0.5), top - 4, column, 10, "middle", MUTED))
    for r, row in enumerate(chart.rows):
        y = top + cell_h * r
        out.shapes.append(Text(left - 6, y + cell_h / 2 + 4, row, 10, "end", MUTED))
        for c, column in enumerate(chart.columns):
            value = chart.values[r][c]
            share = 0.08 + 0.92 * value / peak if value else 0.0
            x = left + cell_w * c
            out.shapes.append(
                Rect(
                    x + 1,
                    y + 1,
                    cell_w - 2,
                    cell_h - 2,
                    _mix(chart.color, share),
                    GRID,
                    tooltip=f"{chart.row_label} {row} × {chart.column_label} {column}: {value}",
                )
            )
            ink = "#ffffff" if share > 0.55 else INK
            out.shapes.append(
                Text(x + cell_w / 2, y + cell_h / 2 + 4, str(value), 11, "middle", ink)
            )
    if chart.row_label:
        out.shapes.append(Text(10, height - 6, f"rows: {chart.row_label}", 10, "start", MUTED))
    return out


# --- renderers -----------------------------------------------------------------------------------


def _a(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def svg(chart: Chart, width: float = 480, height: float = 260, *, label: str | None = None) -> str:
    """The chart as an inline <svg> (scales to its container through viewBox)."""
    drawn = layout(chart, width, height)
    name = escape(label or drawn.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_a(width)} {_a(height)}" '
        f'class="chart" role="img" aria-label="{name}" font-family="{FONT}">',
        f"<title>{name}</title>",
    ]
    for shape in drawn.shapes:
        parts.append(_svg_shape(shape))
    parts.append("</svg>")
    return "".join(parts)


def _svg_shape(shape: Shape) -> str:
    if isinstance(shape, Rect):
        stroke = f' stroke="{shape.stroke}"' if shape.stroke else ""
        tip = f"<title>{escape(shape.tooltip)}</title>" if shape.tooltip else ""
        return (
            f'<rect x="{_a(shape.x)}" y="{_a(shape.y)}" width="{_a(max(shape.width, 0))}" '
            f'height="{_a(max(shape.height, 0))}" fill="{shape.fill}"{stroke}>{tip}</rect>'
        )
    if isinstance(shape, Line):
        dash = ' stroke-dasharray="4 3"' if shape.dashed else ""
        return (
            f'<line x1="{_a(shape.x1)}" y1="{_a(shape.y1)}" x2="{_a(shape.x2)}" '
            f'y2="{_a(shape.y2)}" stroke="{shape.stroke}" stroke-width="{_a(shape.width)}"{dash}/>'
        )
    if isinstance(shape, Polyline):
        points = " ".join(f"{_a(x)},{_a(y)}" for x, y in shape.points)
        return (
            f'<polyline points="{points}" fill="none" stroke="{shape.stroke}" '
            f'stroke-width="{_a(shape.width)}"/>'
        )
    if isinstance(shape, Circle):
        tip = f"<title>{escape(shape.tooltip)}</title>" if shape.tooltip else ""
        return (
            f'<circle cx="{_a(shape.cx)}" cy="{_a(shape.cy)}" r="{_a(shape.r)}" '
            f'fill="{shape.fill}">{tip}</circle>'
        )
    weight = ' font-weight="bold"' if shape.bold else ""
    return (
        f'<text x="{_a(shape.x)}" y="{_a(shape.y)}" font-size="{_a(shape.size)}" '
        f'text-anchor="{shape.anchor}" fill="{shape.fill}"{weight}>{escape(shape.text)}</text>'
    )


def reportlab_drawing(chart: Chart, width: float = 480, height: float = 260):
    """The chart as a reportlab Drawing (points), for `renderPDF.draw(d, canvas, x, y)` or a
    platypus story. Same layout as `svg`; y is flipped because PDF's origin is bottom-left."""
    from reportlab.graphics.shapes import Circle as RLCircle
    from reportlab.graphics.shapes import Drawing, PolyLine, String
    from reportlab.graphics.shapes import Line as RLLine
    from reportlab.graphics.shapes import Rect as RLRect
    from reportlab.lib.colors import HexColor

    drawn = layout(chart, width, height)
    drawing = Drawing(width, height)
    for shape in drawn.shapes:
        if isinstance(shape, Rect):
            drawing.add(
                RLRect(
                    shape.x,
                    height - shape.y - shape.height,
                    max(shape.width, 0),
                    max(shape.height, 0),
                    fillColor=HexColor(shape.fill),
                    strokeColor=HexColor(shape.stroke) if shape.stroke else None,
                )
            )
        elif isinstance(shape, Line):
            drawing.add(
                RLLine(
                    shape.x1,
                    height - shape.y1,
                    shape.x2,
                    height - shape.y2,
                    strokeColor=HexColor(shape.stroke),
                    strokeWidth=shape.width,
                    strokeDashArray=[4, 3] if shape.dashed else None,
                )
            )
        elif isinstance(shape, Polyline):
            points = [c for x, y in shape.points for c in (x, height - y)]
            drawing.add(
                PolyLine(points, strokeColor=HexColor(shape.stroke), strokeWidth=shape.width)
            )
        elif isinstance(shape, Circle):
            drawing.add(
                RLCircle(
                    shape.cx,
                    height - shape.cy,
                    shape.r,
                    fillColor=HexColor(shape.fill),
                    strokeColor=None,
                )
            )
        else:
            drawing.add(
                String(
                    shape.x,
                    height - shape.y,
                    shape.text,
                    fontSize=shape.size,
                    fontName="Helvetica-Bold" if shape.bold else "Helvetica",
                    fillColor=HexColor(shape.fill),
                    textAnchor=shape.anchor,
                )
            )
    return drawing
