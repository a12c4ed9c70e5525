"""A horizontal bar chart of counts as SVG, for the descriptive summaries. Pure: no Django.

Every label is data (a choice someone typed into a form), so each goes through `escape` (text)
or `quoteattr` (attributes); styling is by attributes only, since the pages' CSP refuses inline
<style>.
"""
from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

FONT = "Helvetica, Arial, sans-serif"
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
    body = [f'<text x="4" y="18" font-size="13" font-weight="bold">{escape(title)}</text>']
    for i, (label, count) in enumerate(bars):
        y = 30 + i * ROW
        length = BAR_WIDTH * count / total if total else 0
        share = 100.0 * count / total if total else 0.0
        colour = MISSING_BAR if missing_label and label == missing_label else BAR
        body.append(
            f'<g><title>{escape(f"{label}: {count} ({share:.1f}%)")}</title>'
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" font-size="12" text-anchor="end">{escape(_short(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{ROW - 6}" fill="{colour}"/>'
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 14}" font-size="12">{count} ({share:.0f}%)</text></g>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family={quoteattr(FONT)} role="img" '
            f'aria-label={quoteattr(title)}><rect width="100%" height="100%" fill="#ffffff"/>'
            + "".join(body) + "</svg>")
