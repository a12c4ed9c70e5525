"""The figures reviews publish for risk of bias, as SVG: a traffic-light table (a row per study or
result, a column per domain, then the overall judgement) and a summary bar chart (per domain, the
share of each judgement, unweighted or weighted). The look follows robvis (McGuinness & Higgins,
Res Syn Meth 2021): its colours and symbols, given by a judgement's place on the tool's scale and
its high_risk_from, so a custom tool's own words are coloured as its order says. Pure: no Django.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import svgkit

from . import tools

FONT = svgkit.FONT_HELVETICA
# robvis' colours and symbols (McGuinness & Higgins 2021), given by a level's place on the tool's
# scale, never by its words: the best level; the levels between it and high risk; the first level
# of high risk (the tool's high_risk_from); the levels worse still; the tool's "no information".
BEST = ("#02C100", "+")
BETWEEN = ["#9ACD32", "#E2DF07", "#F0A500"]  # one level between: the middle one (robvis' yellow)
HIGH = ("#BF0000", "×")
WORSE = ("#820000", "!")
NO_INFORMATION = ("#4EA1F7", "?")
MISSING = ("#D0D0D0", "")
DARK = {HIGH[0], WORSE[0], NO_INFORMATION[0]}  # share labels in white on these


@dataclass(frozen=True)
class Scale:
    """A tool's judgement scale as the figures read it: the levels from best to worst, those that
    count as high risk (a tail of them) and the word for "no information" ("" when the tool has none)."""

    levels: tuple[str, ...]
    high: tuple[str, ...]
    no_information: str = ""

    @classmethod
    def of(cls, tool: dict) -> Scale:
        return cls(tuple(tool["scale"]), tuple(tools.high_risk_levels(tool)), tool.get("no_information") or "")

    @property
    def judgements(self) -> list[str]:
        """Every judgement a figure shows, in the legend's order."""
        return [*self.levels, *([self.no_information] if self.no_information else [])]


CLASSES = {BEST[0]: "rob-best", BETWEEN[0]: "rob-between-0", BETWEEN[1]: "rob-between", BETWEEN[2]: "rob-between-2",
           HIGH[0]: "rob-high", WORSE[0]: "rob-worse", NO_INFORMATION[0]: "rob-no-information", MISSING[0]: ""}


@dataclass(frozen=True)
class FigureRow:
    label: str
    judgements: dict[str, str | None]  # column key -> judgement (the overall under "overall")
    weight: float | None = None


def level_style(level: str | None, scale: Scale) -> tuple[str, str]:
    """(colour, symbol) of a judgement by its place on the scale (grey without one)."""
    if not level:
        return MISSING
    if level == scale.no_information:
        return NO_INFORMATION
    if level not in scale.levels:
        return MISSING
    if level in scale.high:
        return HIGH if level == scale.high[0] else WORSE
    i = scale.levels.index(level)
    if i == 0:
        return BEST
    between = len(scale.levels) - len(scale.high) - 1  # levels after the best and before high risk
    return (BETWEEN[1] if between == 1 else BETWEEN[round((i - 1) * 2 / (between - 1))]), "−"


def level_class(level: str | None, scale: Scale) -> str:
    """The pages' class for a judgement (static/css/site.css), in the colour the figures give it."""
    return CLASSES[level_style(level, scale)[0]]


def _text_width(text: str, size: float) -> float:
    return svgkit.text_width(text, size, FONT)


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return svgkit.document(width, height, body, font=FONT, name=title, whole=False)


def _legend(scale: Scale, x: float, y: float) -> tuple[list[str], float]:
    parts = [svgkit.text(f"{x:.0f}", f"{y:.0f}", "Judgement", font_size=12, font_weight="bold")]
    y += 18
    for level in scale.judgements:
        colour, symbol = level_style(level, scale)
        parts.append(svgkit.circle(f"{x + 9:.0f}", f"{y - 4:.0f}", 8, fill=colour)
                     + svgkit.text(f"{x + 9:.0f}", f"{y:.0f}", symbol, font_size=12, font_weight="bold",
                                   text_anchor="middle", fill="#000")
                     + svgkit.text(f"{x + 24:.0f}", f"{y:.0f}", level, font_size=12))
        y += 20
    return parts, y


def traffic_light_svg(*, rows: Sequence[FigureRow], columns: Sequence[tuple[str, str, str]], scale: Scale,
                      title: str) -> str:
    """``columns``: (key, short heading, full title) per domain, in order; an Overall column follows."""
    size, radius, step, row_h = 12, 11, 34, 28
    label_w = max([_text_width(r.label, size) for r in rows] + [_text_width("Study", size)]) + 16
    keys = [c[0] for c in columns] + ["overall"]
    heads = [c[1] for c in columns] + ["Overall"]
    grid_x = 10 + label_w
    top = 52
    legend_lines = [f"{c[1]}: {c[2]}" for c in columns]
    width = max(grid_x + step * len(keys) + 20, max([_text_width(t, 11) for t in legend_lines] + [0]) + 30,
                _text_width(title, 14) * 1.1 + 20, 320)
    body = [svgkit.text(10, 20, title, font_size=14, font_weight="bold"),
            svgkit.rect(f"{grid_x - 4:.0f}", top - 22, step * len(keys) + 8, row_h * len(rows) + 26, fill="#f3f3f3",
                        stroke="#bbb"),
            svgkit.text(10, top - 6, "Study", font_size=size, font_weight="bold")]
    for j, head in enumerate(heads):
        cx = grid_x + step * j + step / 2
        body.append(svgkit.text(f"{cx:.1f}", top - 6, head if j < len(columns) else "All", font_size=size,
                                font_weight="bold", text_anchor="middle"))
    for i, row in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        body.append(svgkit.text(10, f"{cy + 4:.1f}", row.label, font_size=size))
        for j, key in enumerate(keys):
            colour, symbol = level_style(row.judgements.get(key), scale)
            cx = grid_x + step * j + step / 2
            level = row.judgements.get(key) or "not judged"
            body.append(svgkit.element("g", [
                svgkit.title(f"{row.label}, {heads[j]}: {level}"),
                svgkit.circle(f"{cx:.1f}", f"{cy:.1f}", radius, fill=colour, stroke="#555", stroke_width=0.5),
                svgkit.text(f"{cx:.1f}", f"{cy + 5:.1f}", symbol, font_size=15, font_weight="bold",
                            text_anchor="middle")]))
    y = top + row_h * len(rows) + 30
    body.append(svgkit.text(10, y, "Domains", font_size=12, font_weight="bold"))
    for line in legend_lines:
        y += 16
        body.append(svgkit.text(10, y, line, font_size=11))
    legend, y = _legend(scale, 10, y + 26)
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


def summary_svg(*, rows: Sequence[FigureRow], columns: Sequence[tuple[str, str, str]], scale: Scale,
                title: str, weighted: bool = False) -> str:
    size, bar_h, gap, bar_w = 12, 24, 10, 420
    items = [(c[0], f"{c[2]}") for c in columns] + [("overall", "Overall risk of bias")]
    label_w = max(_text_width(t, size) for _, t in items) + 16
    x0, top = 10 + label_w, 52
    width = max(x0 + bar_w + 30, _text_width(title, 14) * 1.1 + 20)
    used = [r for r in rows if (r.weight or 0) > 0] if weighted else list(rows)
    caption = (f"Weighted by sample size ({len(used)} of {len(rows)} with one)" if weighted
               else f"Unweighted ({len(rows)})")
    body = [svgkit.text(10, 20, title, font_size=14, font_weight="bold"),
            svgkit.text(10, 36, caption, font_size=11, fill="#555")]
    for i, (key, text) in enumerate(items):
        y = top + i * (bar_h + gap)
        weight = "bold" if key == "overall" else "normal"
        body.append(svgkit.text(f"{x0 - 8:.0f}", f"{y + bar_h / 2 + 4:.0f}", text, font_size=size, text_anchor="end",
                                font_weight=weight))
        x = x0
        for level, share in shares(used, key, scale.judgements, weighted).items():
            if share <= 0:
                continue
            w = share * bar_w
            colour, _ = level_style(level, scale)
            body.append(svgkit.element("g", [
                svgkit.title(f"{text}: {level} {share:.0%}"),
                svgkit.rect(f"{x:.2f}", y, f"{w:.2f}", bar_h, fill=colour, stroke="#fff", stroke_width=0.5)]))
            if w >= 30:
                ink = "#ffffff" if colour in DARK else "#000000"
                body.append(svgkit.text(f"{x + w / 2:.1f}", f"{y + bar_h / 2 + 4:.0f}", f"{share:.0%}", font_size=11,
                                        text_anchor="middle", fill=ink))
            x += w
    axis_y = top + len(items) * (bar_h + gap)
    line_y = axis_y - gap / 2
    body.append(svgkit.line(str(x0), f"{line_y:.0f}", str(x0 + bar_w), f"{line_y:.0f}", stroke="#555"))
    for tick in range(0, 101, 25):
        tx = x0 + bar_w * tick / 100
        body.append(svgkit.text(f"{tx:.0f}", f"{axis_y + 10:.0f}", f"{tick}%", font_size=11, text_anchor="middle"))
    legend, y = _legend(scale, 10, axis_y + 40)
    body += legend
    return _svg(width, y + 4, body, title)
