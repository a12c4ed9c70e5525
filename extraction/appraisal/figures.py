"""The figures reviews publish for risk of bias, as SVG: a traffic-light table (a row per study or
result, a column per domain, then the overall judgement) and a summary bar chart (per domain, the
share of each judgement, unweighted or weighted). The look follows robvis (McGuinness & Higgins,
Res Syn Meth 2021): its colours and symbols per judgement. Pure: no Django.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT = "Helvetica, Arial, sans-serif"
# robvis' colours and symbols for the words of RoB 2 and ROBINS-I
KNOWN = {
    "low": ("#02C100", "+"),
    "some concerns": ("#E2DF07", "−"),
    "moderate": ("#E2DF07", "−"),
    "high": ("#BF0000", "×"),
    "serious": ("#BF0000", "×"),
    "critical": ("#820000", "!"),
    "no information": ("#4EA1F7", "?"),
}
RAMP = ["#02C100", "#9ACD32", "#E2DF07", "#F0A500", "#BF0000", "#820000"]
MISSING = ("#D0D0D0", "")


@dataclass(frozen=True)
class FigureRow:
    label: str
    judgements: dict[str, str | None]  # column key -> judgement (the overall under "overall")
    weight: float | None = None


def level_style(level: str | None, levels: Sequence[str]) -> tuple[str, str]:
    """(colour, symbol) of a judgement: robvis' for known words, else by its place on the scale."""
    if not level:
        return MISSING
    known = KNOWN.get(level.strip().lower())
    if known:
        return known
    ranked = [lv for lv in levels if lv.strip().lower() != "no information"]
    if level not in ranked:
        return MISSING
    i = ranked.index(level)
    position = i / max(1, len(ranked) - 1)
    colour = RAMP[round(position * 4)]
    symbol = "+" if i == 0 else ("×" if i == len(ranked) - 1 else "−")
    return colour, symbol


def _text_width(text: str, size: float) -> float:
    return len(text) * size * 0.52  # Helvetica's average advance, close enough for layout


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}" role="img">'
            f'<title>{escape(title)}</title><rect width="100%" height="100%" fill="#ffffff"/>'
            + "".join(body) + "</svg>")


def _legend(levels: Sequence[str], x: float, y: float) -> tuple[list[str], float]:
    parts = [f'<text x="{x:.0f}" y="{y:.0f}" font-size="12" font-weight="bold">Judgement</text>']
    y += 18
    for level in levels:
        colour, symbol = level_style(level, levels)
        parts.append(f'<circle cx="{x + 9:.0f}" cy="{y - 4:.0f}" r="8" fill="{colour}"/>'
                     f'<text x="{x + 9:.0f}" y="{y:.0f}" font-size="12" font-weight="bold" text-anchor="middle" '
                     f'fill="#000">{escape(symbol)}</text>'
                     f'<text x="{x + 24:.0f}" y="{y:.0f}" font-size="12">{escape(level)}</text>')
        y += 20
    return parts, y


def traffic_light_svg(*, rows: Sequence[FigureRow], columns: Sequence[tuple[str, str, str]], levels: Sequence[str],
                      title: str) -> str:
    """``columns``: (key, short heading, full title) per domain, in order; an Overall column follows."""
    size, radius, step, row_h = 12, 11, 34, 28
    label_w = max([_text_width(r.label, size) for r in rows] + [_text_width("Study", size)]) + 16
    keys = [c[0] for c in columns] + ["overall"]
    heads = [c[1] for c in columns] + ["Overall"]
    grid_x = 10 + label_w
    top = 52
    legend_lines = [f"{c[1]}: {c[2]}" for c in columns]
    width = max(grid_x + step * len(keys) + 20, max([_text_width(t, 11) for t in legend_lines] + [0]) + 30, 320)
    body = [f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
            f'<rect x="{grid_x - 4:.0f}" y="{top - 22}" width="{step * len(keys) + 8}" '
            f'height="{row_h * len(rows) + 26}" fill="#f3f3f3" stroke="#bbb"/>',
            f'<text x="10" y="{top - 6}" font-size="{size}" font-weight="bold">Study</text>']
    for j, head in enumerate(heads):
        cx = grid_x + step * j + step / 2
        body.append(f'<text x="{cx:.1f}" y="{top - 6}" font-size="{size}" font-weight="bold" '
                    f'text-anchor="middle">{escape(head if j < len(columns) else "All")}</text>')
    for i, row in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        body.append(f'<text x="10" y="{cy + 4:.1f}" font-size="{size}">{escape(row.label)}</text>')
        for j, key in enumerate(keys):
            colour, symbol = level_style(row.judgements.get(key), levels)
            cx = grid_x + step * j + step / 2
            level = row.judgements.get(key) or "not judged"
            body.append(f'<g><title>{escape(row.label)}, {escape(heads[j])}: {escape(level)}</title>'
                        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" fill="{colour}" stroke="#555" '
                        f'stroke-width="0.5"/><text x="{cx:.1f}" y="{cy + 5:.1f}" font-size="15" font-weight="bold" '
                        f'text-anchor="middle">{escape(symbol)}</text></g>')
    y = top + row_h * len(rows) + 30
    body.append(f'<text x="10" y="{y}" font-size="12" font-weight="bold">Domains</text>')
    for line in legend_lines:
        y += 16
        body.append(f'<text x="10" y="{y}" font-size="11">{escape(line)}</text>')
    legend, y = _legend(levels, 10, y + 26)
    body += legend
    return _svg(width, y + 4, body, title)


def shares(rows: Sequence[FigureRow], key: str, levels: Sequence[str], weighted: bool) -> dict[str, float]:
    """Share of each judgement on one column, weighted by the rows' weights if asked (rows
    without a weight then left out)."""
    totals = {level: 0.0 for level in levels}
    for row in rows:
        level = row.judgements.get(key)
        if level not in totals:
            continue
        weight = (row.weight or 0.0) if weighted else 1.0
        totals[level] += weight
    whole = sum(totals.values())
    return {level: (value / whole if whole else 0.0) for level, value in totals.items()}


def summary_svg(*, rows: Sequence[FigureRow], columns: Sequence[tuple[str, str, str]], levels: Sequence[str],
                title: str, weighted: bool = False) -> str:
    size, bar_h, gap, bar_w = 12, 24, 10, 420
    items = [(c[0], f"{c[2]}") for c in columns] + [("overall", "Overall risk of bias")]
    label_w = max(_text_width(t, size) for _, t in items) + 16
    x0, top = 10 + label_w, 40
    width = x0 + bar_w + 30
    used = [r for r in rows if (r.weight or 0) > 0] if weighted else list(rows)
    caption = (f"Weighted by sample size ({len(used)} of {len(rows)} with one)" if weighted
               else f"Unweighted ({len(rows)})")
    body = [f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
            f'<text x="{width - 10:.0f}" y="20" font-size="11" text-anchor="end" fill="#555">{escape(caption)}</text>']
    for i, (key, text) in enumerate(items):
        y = top + i * (bar_h + gap)
        weight = "bold" if key == "overall" else "normal"
        body.append(f'<text x="{x0 - 8:.0f}" y="{y + bar_h / 2 + 4:.0f}" font-size="{size}" text-anchor="end" '
                    f'font-weight="{weight}">{escape(text)}</text>')
        x = x0
        for level, share in shares(used, key, levels, weighted).items():
            if share <= 0:
                continue
            w = share * bar_w
            colour, _ = level_style(level, levels)
            body.append(f'<g><title>{escape(text)}: {escape(level)} {share:.0%}</title><rect x="{x:.2f}" y="{y}" '
                        f'width="{w:.2f}" height="{bar_h}" fill="{colour}" stroke="#fff" stroke-width="0.5"/></g>')
            if w >= 30:
                body.append(f'<text x="{x + w / 2:.1f}" y="{y + bar_h / 2 + 4:.0f}" font-size="11" '
                            f'text-anchor="middle">{share:.0%}</text>')
            x += w
    axis_y = top + len(items) * (bar_h + gap)
    line_y = axis_y - gap / 2
    body.append(f'<line x1="{x0}" y1="{line_y:.0f}" x2="{x0 + bar_w}" y2="{line_y:.0f}" stroke="#555"/>')
    for tick in range(0, 101, 25):
        tx = x0 + bar_w * tick / 100
        body.append(f'<text x="{tx:.0f}" y="{axis_y + 10:.0f}" font-size="11" text-anchor="middle">{tick}%</text>')
    legend, y = _legend(levels, 10, axis_y + 40)
    body += legend
    return _svg(width, y + 4, body, title)
