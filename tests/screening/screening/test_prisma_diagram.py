"""The flow diagram's geometry (no database): every arrow leaves one box's edge and ends on
another's, in the layout and in the SVG the page, the download and the PNG are drawn from."""
from __future__ import annotations

import re

import pytest

from screening.prisma import Column, PrismaCounts
from screening.prisma_diagram import layout, svg

TOLERANCE = 1.0  # px: the SVG rounds coordinates to whole pixels


def _counts(*, main_reasons: int = 1, other_reasons: int = 1, previous: int = 0, awaiting: int = 0) -> PrismaCounts:
    main = Column(records_identified=60, records_removed=10, records_screened=40, records_excluded=25,
                  records_awaiting=10, sought=15, not_retrieved=1, assessed=12, awaiting=2,
                  excluded_by_reason={f"Reason number {i} for leaving a report out": 1 for i in range(main_reasons)},
                  excluded=main_reasons, included=12 - main_reasons)
    other = Column(records_identified=11, records_screened=11 - awaiting, records_excluded=5,
                   records_awaiting=awaiting, sought=6 - awaiting, assessed=6 - awaiting,
                   excluded_by_reason={f"Other reason {i}": 1 for i in range(other_reasons)},
                   excluded=other_reasons, included=6 - awaiting - other_reasons)
    return PrismaCounts(
        identified_databases=60, identified_registers=0, identified_by_database={"MEDLINE": 60},
        identified_other=11, identified_other_by_source={"Citation searching": 11}, duplicates_removed=10,
        automation_ineligible=0, other_removed=0, records_screened=40, records_excluded=25, records_awaiting=10,
        main=main, other=other, studies_included=main.included + other.included,
        reports_included=main.included + other.included, previous_studies=previous, previous_reports=previous)


def _on_edge(px: float, py: float, box) -> bool:
    x, y, w, h = box
    t = TOLERANCE
    on_side = (abs(px - x) <= t or abs(px - (x + w)) <= t) and y - t <= py <= y + h + t
    on_top_or_bottom = (abs(py - y) <= t or abs(py - (y + h)) <= t) and x - t <= px <= x + w + t
    return on_side or on_top_or_bottom


def _check(arrows, boxes) -> None:
    for x1, y1, x2, y2 in arrows:
        starts = [b for b in boxes if _on_edge(x1, y1, b)]
        ends = [b for b in boxes if _on_edge(x2, y2, b)]
        assert starts, f"arrow ({x1:.0f},{y1:.0f}) -> ({x2:.0f},{y2:.0f}) starts in the open"
        assert ends, f"arrow ({x1:.0f},{y1:.0f}) -> ({x2:.0f},{y2:.0f}) ends in the open"
        assert set(starts) != set(ends), "an arrow from a box to itself"


CASES = {
    "main column longer": dict(main_reasons=8, other_reasons=1),
    "other column longer": dict(main_reasons=1, other_reasons=9),
    "screening under way": dict(main_reasons=3, other_reasons=2, awaiting=3),
    "updated review": dict(main_reasons=5, other_reasons=1, previous=4),
}


@pytest.mark.parametrize("case", CASES)
def test_every_arrow_runs_from_a_box_edge_to_a_box_edge(case):
    lay = layout(_counts(**CASES[case]))
    _check(lay.arrows, [(b.x, b.y, b.w, b.h) for b in lay.boxes if not b.header])


@pytest.mark.parametrize("case", CASES)
def test_the_drawn_svg_keeps_them_touching(case):
    drawing = svg(_counts(**CASES[case]))
    boxes = [tuple(float(v) for v in m) for m in re.findall(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" rx="2"', drawing)]
    arrows = [tuple(float(v) for v in m) for m in re.findall(
        r'<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"', drawing)]
    assert len(arrows) == len(layout(_counts(**CASES[case])).arrows) and boxes
    _check(arrows, boxes)


def test_the_other_column_flows_into_included_from_the_bottom_of_its_own_last_box():
    lay = layout(_counts(main_reasons=8, other_reasons=1))
    other_x = max(b.x for b in lay.boxes if not b.header) - 270 - 28  # the other column's left boxes
    last = max((b for b in lay.boxes if b.x == other_x), key=lambda b: b.y)
    included = max(lay.boxes, key=lambda b: b.y)
    into_included = [a for a in lay.arrows if a[3] == included.y + included.h / 2 and a[0] > included.x + 270]
    assert [(a[0], a[1]) for a in into_included] == [(other_x + 270 / 2, last.y + last.h)]
