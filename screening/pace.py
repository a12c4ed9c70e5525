"""How long a reviewer takes per decision, from the times their decisions were made (pure: no Django).

A decision's time is the gap since the same person's previous decision at the same stage. The
first decision of a sitting has no gap, and a gap longer than ``BREAK_SECONDS`` is a break (a
meeting, lunch, the next day), not time spent on one record, so neither counts.
"""
from __future__ import annotations

from datetime import datetime
from statistics import median

BREAK_SECONDS = 600


def seconds_per_decision(times: list[datetime], *, break_seconds: int = BREAK_SECONDS) -> list[float]:
    """The gaps between consecutive decision times (sorted here), breaks left out."""
    ordered = sorted(times)
    gaps = ((later - earlier).total_seconds() for earlier, later in zip(ordered, ordered[1:], strict=False))
    return [gap for gap in gaps if gap <= break_seconds]


def median_seconds(times: list[datetime], *, break_seconds: int = BREAK_SECONDS) -> float | None:
    """The median seconds per decision, or None with fewer than two decisions in one sitting."""
    gaps = seconds_per_decision(times, break_seconds=break_seconds)
    return round(median(gaps), 1) if gaps else None
