"""The PRISMA 2020 flow diagram laid out as the official templates are, drawn as SVG (no Django).

The layout is a list of boxes and arrows computed from the counts; `svg()` draws it. Each
count can carry a link (the page passes one per box) to the records it counts. The template
variant follows the data: the "previous studies" column appears for an updated review, the
"other methods" column when the review has records from such sources.
"""
from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

import svgkit

LINE = 17  # px per text line
PAD = 9
CHARS = 40  # characters per line in a box of width BOX_W
BOX_W = 270
GAP = 28
BAND_W = 34
MIN_BAND = 86  # the "Included" band's label needs this much height
FONT = svgkit.FONT_DIAGRAM


@dataclass
class Line:
    text: str
    box: str = ""  # the CSV box this line's count belongs to (the link target)
    bold: bool = False


@dataclass
class Box:
    x: float
    y: float
    lines: list[Line]
    w: float = BOX_W
    h: float = 0
    header: bool = False

    def wrapped(self) -> list[Line]:
        out = []
        width = max(12, int(CHARS * self.w / BOX_W))
        for line in self.lines:
            for piece in textwrap.wrap(line.text, width) or [""]:
                out.append(Line(piece, line.box, line.bold))
        return out

    def fit(self) -> Box:
        self.h = len(self.wrapped()) * LINE + 2 * PAD
        return self


@dataclass
class Layout:
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    arrows: list[tuple[float, float, float, float]] = field(default_factory=list)
    bands: list[tuple[str, float, float]] = field(default_factory=list)  # label, top, bottom


def _n(label: str, value: int, box: str, bold: bool = False) -> Line:
    # no-break spaces keep "(n = 12)" on one line when the text wraps
    return Line(f"{label} (n\u00a0=\u00a0{value:,})", box, bold)


def layout(c) -> Layout:
    """Boxes and arrows for counts ``c`` (a screening.prisma.PrismaCounts)."""
    x0 = BAND_W + 10
    prev_x = x0
    main_x = x0 + (BOX_W + GAP if c.updated_review else 0)
    side_x = main_x + BOX_W + GAP
    other_x = side_x + BOX_W + 2 * GAP
    other_side_x = other_x + BOX_W + GAP
    right = (other_side_x + BOX_W if c.has_other_methods else side_x + BOX_W) + 10
    out = Layout(width=right, height=0)
    y = 10
    headers = []
    if c.updated_review:
        version = getattr(c, "previous_version", None)
        headers.append(Box(prev_x, y, [Line(f"Previous studies (v{version})" if version else "Previous studies",
                                            bold=True)], header=True))
    headers.append(Box(main_x, y, [Line("Identification of new studies via databases and registers" if
                                        c.updated_review else "Identification of studies via databases and registers",
                                        bold=True)], w=2 * BOX_W + GAP, header=True))
    if c.has_other_methods:
        headers.append(Box(other_x, y, [Line("Identification of new studies via other methods" if c.updated_review
                                             else "Identification of studies via other methods", bold=True)],
                           w=2 * BOX_W + GAP, header=True))
    for h in headers:
        h.fit()
    out.boxes += headers
    y += max(h.h for h in headers) + GAP

    def row(*boxes: Box) -> float:
        for b in boxes:
            b.fit()
        height = max(b.h for b in boxes)
        for b in boxes:
            b.h = height
        out.boxes.extend(boxes)
        return height

    def arrow_down(x: float, top: float, bottom: float) -> None:
        out.arrows.append((x + BOX_W / 2, top, x + BOX_W / 2, bottom))

    def arrow_right(x: float, y_mid: float) -> None:
        out.arrows.append((x + BOX_W, y_mid, x + BOX_W + GAP, y_mid))

    # Identification
    ident_top = y
    identified = [Line("Records identified from:")] + [_n("Databases", c.identified_databases, "identified_databases")]
    identified += [_n(f"  {name}", n, f"identified_database:{name}") for name, n in c.identified_by_database.items()]
    identified += [_n("Registers", c.identified_registers, "identified_registers")]
    removed = [Line("Records removed before screening:"),
               _n("Duplicate records removed", c.duplicates_removed, "duplicates_removed"),
               *([_n("  of them found again (already in the review)", c.found_again, "found_again")]
                 if c.updated_review and c.found_again else []),
               _n("Records marked as ineligible by automation tools", c.automation_ineligible, "automation_ineligible"),
               _n("Records removed for other reasons", c.other_removed, "other_removed")]
    boxes = [Box(main_x, y, identified), Box(side_x, y, removed)]
    if c.has_other_methods:
        other = [Line("Records identified from:")] + [_n(name, n, "identified_other")
                                                      for name, n in c.identified_other_by_source.items()]
        boxes.append(Box(other_x, y, other))
    h = row(*boxes)
    arrow_right(main_x, y + h / 2)
    y += h + GAP
    out.bands.append(("Identification", ident_top, y - GAP))

    # Screening: records from other methods pass the title/abstract queue too (screening.prisma)
    screen_top = y

    def screened_boxes(x: float, sx: float, col, suffix: str) -> list[Box]:
        screened = [_n("Records screened", col.records_screened, "records_screened" + suffix)]
        if col.records_awaiting:
            screened.append(_n("Records still waiting for decisions", col.records_awaiting,
                               "records_awaiting" + suffix))
        excluded = [_n("Records excluded", col.records_excluded, "records_excluded" + suffix)]
        if suffix and col.automation_ineligible:  # the main column lists them among the records removed
            excluded.append(_n("Records marked as ineligible by automation tools", col.automation_ineligible,
                               "automation_ineligible" + suffix))
        return [Box(x, y, screened), Box(sx, y, excluded)]

    boxes = screened_boxes(main_x, side_x, c.main, "")
    if c.has_other_methods:
        boxes += screened_boxes(other_x, other_side_x, c.other, "_other")
    h = row(*boxes)
    for x in [main_x] + ([other_x] if c.has_other_methods else []):
        arrow_down(x, y - GAP, y)
        arrow_right(x, y + h / 2)
    y += h + GAP

    def report_rows(x: float, sx: float, col, suffix: str, y: float) -> float:
        """The column's report boxes from ``y`` down; returns the bottom of its last box."""
        arrow_down(x, y - GAP, y)
        h = row(Box(x, y, [_n("Reports sought for retrieval", col.sought, "reports_sought" + suffix)]),
                Box(sx, y, [_n("Reports not retrieved", col.not_retrieved, "reports_not_retrieved" + suffix)]))
        arrow_right(x, y + h / 2)
        y += h + GAP
        arrow_down(x, y - GAP, y)
        assessed = [_n("Reports assessed for eligibility", col.assessed, "reports_assessed" + suffix)]
        if col.awaiting:
            assessed.append(_n("Reports still waiting for decisions", col.awaiting, "reports_awaiting" + suffix))
        excluded = [_n("Reports excluded", col.excluded, "reports_excluded" + suffix)]
        excluded += [_n(f"  {reason}", n, f"reports_excluded{suffix}:{reason}")
                     for reason, n in sorted(col.excluded_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))]
        h = row(Box(x, y, assessed), Box(sx, y, excluded))
        arrow_right(x, y + h / 2)
        return y + h

    y_main = report_rows(main_x, side_x, c.main, "", y)
    y_other = report_rows(other_x, other_side_x, c.other, "_other", y) if c.has_other_methods else y_main
    y = max(y_main, y_other) + GAP
    out.bands.append(("Screening", screen_top, y - GAP))

    # Included
    included_top = y
    new_label = "New studies included in review" if c.updated_review else "Studies included in review"
    reports_label = "Reports of new included studies" if c.updated_review else "Reports of included studies"
    included = [_n(new_label, c.studies_included, "studies_included"),
                _n(reports_label, c.reports_included, "reports_included")]
    inc_box = Box(main_x, y, included)
    boxes = [inc_box]
    if c.updated_review:
        prev = Box(prev_x, ident_top, [_n("Studies included in previous version of review", c.previous_studies,
                                          "previous_studies"),
                                       _n("Reports of studies included in previous version of review",
                                          c.previous_reports, "previous_reports")]).fit()
        out.boxes.append(prev)
        total = Box(prev_x, y, [_n("Total studies included in review", c.previous_studies + c.studies_included,
                                   "studies_included"),
                                _n("Reports of total included studies", c.previous_reports + c.reports_included,
                                   "reports_included")])
        boxes.append(total)
        arrow_down(prev_x, prev.y + prev.h, y)
    h = row(*boxes)
    if h < MIN_BAND:  # room for the band's rotated label
        for b in boxes:
            b.h = MIN_BAND
        h = MIN_BAND
    # each column's arrow starts at the bottom of its own last box, however long the other one is
    out.arrows.append((main_x + BOX_W / 2, y_main, main_x + BOX_W / 2, y))
    if c.has_other_methods:
        # the other column's assessed reports flow into the included box too
        out.arrows.append((other_x + BOX_W / 2, y_other, main_x + BOX_W, y + h / 2))
    if c.updated_review:
        out.arrows.append((main_x, y + h / 2, prev_x + BOX_W, y + h / 2))
    y += h
    out.bands.append(("Included", included_top, y))
    out.height = y + 12
    return out


def svg(c, link: Callable[[str], str] | None = None, title: str = "PRISMA 2020 flow diagram") -> str:
    """The diagram as a standalone SVG document; ``link(box)`` gives the URL each count points to."""
    lay = layout(c)
    marker = svgkit.element("marker", svgkit.element("path", d="M0,0 L10,5 L0,10 z", fill="#333"), id="arrow",
                            viewBox="0 0 10 10", refX=9, refY=5, markerWidth=7, markerHeight=7,
                            orient="auto-start-reverse")
    parts = []
    for label, top, bottom in lay.bands:
        mid, cx = (top + bottom) / 2, 6 + (BAND_W - 8) / 2
        parts.append(svgkit.rect(6, f"{top:.0f}", BAND_W - 8, f"{bottom - top:.0f}", rx=6, fill="#a9c8e8"))
        parts.append(svgkit.text(f"{cx:.0f}", f"{mid:.0f}", label, text_anchor="middle", font_weight="bold",
                                 transform=f"rotate(-90 {cx:.0f} {mid:.0f})", dominant_baseline="middle"))
    for b in lay.boxes:
        fill, stroke = ("#f2c649", "#b08a16") if b.header else ("#ffffff", "#333333")
        parts.append(svgkit.rect(f"{b.x:.0f}", f"{b.y:.0f}", f"{b.w:.0f}", f"{b.h:.0f}", rx=10 if b.header else 2,
                                 fill=fill, stroke=stroke))
        for i, line in enumerate(b.wrapped()):
            ty = b.y + PAD + (i + 0.78) * LINE
            tx = b.x + (b.w / 2 if b.header else 8)
            text = svgkit.text(f"{tx:.0f}", f"{ty:.0f}", line.text, text_anchor="middle" if b.header else None,
                               font_weight="bold" if line.bold else None, xml_space="preserve")
            if line.box and link is not None:
                text = svgkit.element("a", text, href=link(line.box))
            parts.append(text)
    for x1, y1, x2, y2 in lay.arrows:
        parts.append(svgkit.line(f"{x1:.0f}", f"{y1:.0f}", f"{x2:.0f}", f"{y2:.0f}", stroke="#333", stroke_width=1.3,
                                 marker_end="url(#arrow)"))
    return svgkit.document(lay.width, lay.height, parts, font=FONT, size="12.5", name=title, whole=False,
                           role="img" if link is None else "group", label=link is not None,
                           head=[svgkit.element("defs", marker)], separator="\n")
