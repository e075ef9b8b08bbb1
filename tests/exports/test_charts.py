"""Charts: one layout, drawn as SVG for pages and as a reportlab Drawing for PDFs."""

from __future__ import annotations

import re

from app.exports.charts import BarChart, HeatMap, LineChart, Series, layout, reportlab_drawing, svg


def test_bar_chart_svg_is_sized_by_value_and_escaped():
    chart = BarChart("Findings <open>", ["critical", "low"], [4, 2], colors=["#8a1c12", "#2e7d32"])
    markup = svg(chart)
    assert markup.startswith("<svg") and "style=" not in markup
    assert "Findings &lt;open&gt;" in markup and "<open>" not in markup
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)" fill="#', markup)]
    assert len(heights) == 2 and abs(heights[0] - 2 * heights[1]) < 0.2


def test_line_chart_skips_missing_points_and_draws_target():
    chart = LineChart("Trend", ["2025", "2026"], [Series("scored", [1.0, 2.5])], target=3)
    shapes = layout(chart)
    markup = svg(chart)
    assert "<polyline" in markup and "target 3" in markup
    assert markup.count("<circle") == 2
    gap = LineChart("Trend", ["a", "b"], [Series("claimed", [None, 2.0])])
    assert svg(gap).count("<circle") == 1 and "<polyline" not in svg(gap)
    assert shapes


def test_the_pdf_drawing_has_the_same_shapes_flipped():
    chart = HeatMap("Tier × risk", ["high", "low"], ["low", "high"], [[0, 3], [1, 0]])
    shapes = layout(chart, 400, 200)
    drawing = reportlab_drawing(chart, 400, 200)
    assert len(drawing.contents) == len(shapes.shapes)
    assert (drawing.width, drawing.height) == (400, 200)
