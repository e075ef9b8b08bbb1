"""The common look of Assay's PDF documents (the reports and the vendor's receipt): A4 pages with
a running header and a "Page X of Y" footer, one set of paragraph styles, tables that wrap and
repeat their header row, and fonts that can print any vendor's name.

Fonts: DejaVu Sans when it is installed (it covers Greek, Cyrillic and most of Latin), else the
built-in Helvetica, which only knows Latin-1. Text always goes into a Paragraph through `para()`:
reportlab reads Paragraph text as mini-markup, so an answer with `<b>` or `&` must be escaped.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from app.exports.charts import BLUE, GRID, INK, MUTED, SEVERITY_COLOURS, Chart, reportlab_drawing

PAGE = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE[0] - 2 * MARGIN
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
log = logging.getLogger("assay")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ZEBRA = HexColor("#f3f5f7")


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    italic: str
    mono: str
    unicode: bool  # False: Helvetica, characters outside Latin-1 print as blanks


@lru_cache(maxsize=1)
def fonts() -> Fonts:
    """Register DejaVu once per process if it is installed; otherwise the standard fonts."""
    files = {
        "AssaySans": "DejaVuSans.ttf",
        "AssaySans-Bold": "DejaVuSans-Bold.ttf",
        "AssaySans-Oblique": "DejaVuSans-Oblique.ttf",
        "AssaySans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
        "AssayMono": "DejaVuSansMono.ttf",
    }
    for folder in FONT_DIRS:
        if all((folder / name).is_file() for name in files.values()):
            try:
                for font, name in files.items():
                    pdfmetrics.registerFont(TTFont(font, str(folder / name)))
            except (OSError, TTFError) as exc:  # a broken font file: fall back, still print
                log.warning("cannot use the fonts in %s: %s", folder, exc)
                continue
            pdfmetrics.registerFontFamily(
                "AssaySans",
                normal="AssaySans",
                bold="AssaySans-Bold",
                italic="AssaySans-Oblique",
                boldItalic="AssaySans-BoldOblique",
            )
            return Fonts("AssaySans", "AssaySans-Bold", "AssaySans-Oblique", "AssayMono", True)
    return Fonts("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Courier", False)


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_muted: ParagraphStyle
    header: ParagraphStyle  # table header cells (white on blue)
    mono: ParagraphStyle  # hashes
    figure: ParagraphStyle  # the big number of a key figure
    indented: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    f = fonts()
    ink, muted = HexColor(INK), HexColor(MUTED)
    body = ParagraphStyle("body", fontName=f.regular, fontSize=9.5, leading=12.5, textColor=ink)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    return Styles(
        title=ParagraphStyle(
            "title", parent=body, fontName=f.bold, fontSize=20, leading=24, spaceAfter=2 * mm
        ),
        subtitle=ParagraphStyle(
            "subtitle", parent=body, fontSize=13, leading=16, textColor=muted, spaceAfter=5 * mm
        ),
        h1=ParagraphStyle(
            "h1",
            parent=body,
            fontName=f.bold,
            fontSize=14,
            leading=18,
            spaceBefore=6 * mm,
            spaceAfter=2.5 * mm,
            textColor=HexColor(BLUE),
        ),
        h2=ParagraphStyle(
            "h2",
            parent=body,
            fontName=f.bold,
            fontSize=11.5,
            leading=14,
            spaceBefore=4 * mm,
            spaceAfter=1.5 * mm,
        ),
        h3=ParagraphStyle(
            "h3", parent=body, fontName=f.bold, fontSize=9.5, leading=12, spaceBefore=2.5 * mm
        ),
        body=body,
        small=small,
        muted=ParagraphStyle("muted", parent=small, textColor=muted),
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=f.bold),
        cell_muted=ParagraphStyle(
            "cell_muted", parent=cell, fontSize=7, leading=9, textColor=muted
        ),
        header=ParagraphStyle(
            "header", parent=cell, fontName=f.bold, textColor=colors.white, fontSize=7.5
        ),
        mono=ParagraphStyle("mono", parent=cell, fontName=f.mono, fontSize=6.5, leading=8.5),
        figure=ParagraphStyle("figure", parent=body, fontName=f.bold, fontSize=15, leading=18),
        indented=ParagraphStyle("indented", parent=body, leftIndent=5 * mm),
    )


def markup(value: object) -> str:
    """Plain text as reportlab mini-markup: escaped (`<`, `>`, `&`), control characters dropped,
    line breaks kept."""
    text = "" if value is None else str(value)
    text = _CONTROL.sub("", text.replace("\r\n", "\n"))
    return escape(text).replace("\n", "<br/>")


def para(
    value: object, style: ParagraphStyle | None = None, *, colour: str | None = None
) -> Paragraph:
    """A Paragraph of plain text (never markup from the data)."""
    text = markup(value)
    if colour:
        text = f'<font color="{colour}">{text}</font>'
    return Paragraph(text, style or styles().body)


def rich(parts: Sequence[tuple[object, str]], style: ParagraphStyle | None = None) -> Paragraph:
    """A Paragraph built from (plain text, how) pieces; how is "", "b", "i" or "muted"."""
    out = []
    for value, how in parts:
        text = markup(value)
        if how == "b":
            text = f"<b>{text}</b>"
        elif how == "i":
            text = f"<i>{text}</i>"
        elif how == "muted":
            text = f'<font color="{MUTED}">{text}</font>'
        elif how.startswith("#"):
            text = f'<font color="{how}"><b>{text}</b></font>'
        out.append(text)
    return Paragraph("".join(out), style or styles().body)


def rating(value: str | None, style: ParagraphStyle | None = None) -> Paragraph:
    """A tier, residual risk or severity in its colour (and its word, for black-and-white print)."""
    if not value:
        return para("—", style or styles().cell)
    colour = SEVERITY_COLOURS.get(value, INK)
    return rich([(value, colour)], style or styles().cell)


def _cell(value: Any) -> Flowable:
    return value if isinstance(value, Flowable) else para(value, styles().cell)


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    extra: Sequence[tuple] = (),
    zebra: bool = True,
) -> Table:
    """A register-style table: every cell a wrapping Paragraph, the header row repeated on every
    page, rows allowed to split across pages (a long answer never breaks the layout)."""
    data = [[para(h, styles().header) for h in header], *[[_cell(v) for v in r] for r in rows]]
    table = Table(data, colWidths=list(widths), repeatRows=1, splitInRow=1, hAlign="LEFT")
    commands: list[tuple] = [
        ("BACKGROUND", (0, 0), (-1, 0), HexColor(BLUE)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, HexColor(GRID)),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]))
    table.setStyle(TableStyle([*commands, *extra]))
    return table


def facts_table(facts: Sequence[tuple[str, Any]], key_width: float = 42 * mm) -> Table:
    """Label / value pairs (the cover page facts)."""
    s = styles()
    rows = [
        [para(k, s.cell_muted), v if isinstance(v, Flowable) else para(v, s.cell)] for k, v in facts
    ]
    table = Table(rows, colWidths=[key_width, CONTENT_WIDTH - key_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, HexColor(GRID)),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def key_figures(figures: Sequence[tuple[Any, str]]) -> Table:
    """A row of boxed key figures: (the figure, what it is)."""
    s = styles()
    width = CONTENT_WIDTH / max(1, len(figures))
    cells = [
        [
            figure if isinstance(figure, Flowable) else para(figure, s.figure),
            para(label, s.cell_muted),
        ]
        for figure, label in figures
    ]
    table = Table([cells], colWidths=[width] * len(figures), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, HexColor(GRID)),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, HexColor(GRID)),
                ("BACKGROUND", (0, 0), (-1, -1), ZEBRA),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def chart(spec: Chart, width: float, height: float, *, scale: float = 1.0):
    """A chart of charts.py as a Drawing `width` × `height` points on the page. With scale < 1
    the chart is laid out on a larger canvas and shrunk, so many bars keep legible labels."""
    drawing = reportlab_drawing(spec, width / scale, height / scale)
    if scale != 1.0:
        drawing.scale(scale, scale)
        drawing.width, drawing.height = width, height
    return drawing


class _NumberedCanvas(Canvas):
    """Keeps every page until the end so the footer can say "Page X of Y"."""

    def __init__(self, *args: Any, header: str, right: str, footer: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved: list[dict[str, Any]] = []
        self._running = (header, right, footer)

    def showPage(self) -> None:
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        header, right, footer = self._running
        f = fonts()
        width, height = PAGE
        top = height - MARGIN + 5 * mm
        self.saveState()
        self.setFont(f.bold, 8)
        self.setFillColor(HexColor(INK))
        self.drawString(MARGIN, top, _fit(header, f.bold, 8, CONTENT_WIDTH * 0.62))
        self.setFont(f.regular, 8)
        self.setFillColor(HexColor(MUTED))
        self.drawRightString(width - MARGIN, top, _fit(right, f.regular, 8, CONTENT_WIDTH * 0.36))
        self.setStrokeColor(HexColor(GRID))
        self.setLineWidth(0.5)
        self.line(MARGIN, top - 2 * mm, width - MARGIN, top - 2 * mm)
        bottom = MARGIN - 8 * mm
        self.line(MARGIN, bottom + 4 * mm, width - MARGIN, bottom + 4 * mm)
        self.setFont(f.regular, 7.5)
        self.drawString(MARGIN, bottom, _fit(footer, f.regular, 7.5, CONTENT_WIDTH * 0.8))
        self.drawRightString(width - MARGIN, bottom, f"Page {self.getPageNumber()} of {total}")
        self.restoreState()


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten one line of running text with an ellipsis so it fits `width`."""
    text = _CONTROL.sub("", text.replace("\n", " "))
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def build(
    story: list,
    *,
    title: str,
    header: str,
    header_right: str,
    footer: str,
    subject: str = "",
) -> bytes:
    """Lay out `story` on A4 pages with the running header and footer; returns the PDF bytes."""
    fonts()  # registered before any Paragraph measures text
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm,
        bottomMargin=MARGIN,
        title=title,
        subject=subject,
        author="Assay",
        creator="Assay",
    )
    doc.build(
        story,
        canvasmaker=partial(_NumberedCanvas, header=header, right=header_right, footer=footer),
    )
    return buffer.getvalue()
