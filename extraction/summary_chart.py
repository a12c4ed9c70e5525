"""A horizontal bar chart of counts as SVG, for the descriptive summaries. Pure: no Django.

Every label is data (a choice someone typed into a form): the chart is built with the site's SVG
primitives (``svgkit``), which escape every text and attribute value; styling is by attributes
only, since the pages' CSP refuses inline <style>.
"""
from __future__ import annotations

from collections.abc import Sequence

import svgkit

FONT = svgkit.FONT_HELVETICA
BAR = "#2b6cb0"
MISSING_BAR = "#a0a0a0"
ROW = 22
LABEL_WIDTH = 260
BAR_WIDTH = 300
MAX_LABEL = 40  # characters shown; the full text is in each bar's <title>


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def bar_chart(title: str, bars: Sequence[tuple[str, int]], *, total: int, missing_label: str = "") -> str:
    """One bar per (label, count), its length the share of ``total``; a bar labelled
    ``missing_label`` is drawn grey."""
    height = 30 + ROW * max(1, len(bars)) + 10
    width = LABEL_WIDTH + BAR_WIDTH + 90
    body = [svgkit.text(4, 18, title, font_size=13, font_weight="bold")]
    for i, (label, count) in enumerate(bars):
        y = 30 + i * ROW
        length = BAR_WIDTH * count / total if total else 0
        share = 100.0 * count / total if total else 0.0
        colour = MISSING_BAR if missing_label and label == missing_label else BAR
        body.append(svgkit.element("g", [
            svgkit.title(f"{label}: {count} ({share:.1f}%)"),
            svgkit.text(LABEL_WIDTH - 6, y + 14, _short(label), font_size=12, text_anchor="end"),
            svgkit.rect(LABEL_WIDTH, y + 3, f"{length:.1f}", ROW - 6, fill=colour),
            svgkit.text(f"{LABEL_WIDTH + length + 4:.1f}", y + 14, f"{count} ({share:.0f}%)", font_size=12)]))
    return svgkit.document(width, height, body, font=FONT, name=title, label=True, titled=False)
