"""Reads about re-run searches: every run of a search, what changed in its query, what it found again."""
from __future__ import annotations

import calendar
import datetime
import difflib
from dataclasses import dataclass

from django.db.models import Q

from reviewapp.models import Review

from .models import Record, Search


def search_runs(search: Search) -> list[Search]:
    """Every run of the search ``search`` belongs to, first run first (it repeats, or is repeated)."""
    first = search
    seen = {first.pk}
    while first.repeats_id and first.repeats_id not in seen:
        first = Search.objects.get(pk=first.repeats_id)
        seen.add(first.pk)
    seen = {first.pk}
    runs, frontier = [first], [first.pk]
    while frontier:
        later = list(Search.objects.filter(repeats_id__in=frontier).exclude(pk__in=seen))
        seen.update(s.pk for s in later)
        runs += later
        frontier = [s.pk for s in later]
    return sorted(runs, key=lambda s: (s.date_run, s.pk))


def query_difference(old: str, new: str) -> list[tuple[str, str]]:
    """The query's lines as (mark, line): "-" removed, "+" added, " " kept; empty when they are the same."""
    if old.strip() == new.strip():
        return []
    out = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line[:1] in "-+ ":
            out.append((line[:1], line[2:]))
    return out


@dataclass
class RunCounts:
    imported: int      # records the run's exports held
    new: int           # records never seen before: they enter screening
    found_again: int   # records the review already held (merged into the earlier record)


def run_counts(search: Search) -> RunCounts:
    records = Record.objects.filter(search=search)
    imported = records.count()
    # A record is new when it is its group's primary; found again when merged into a record of another search.
    new = records.filter(duplicate_of__isnull=True).count()
    again = records.filter(Q(duplicate_of__isnull=False) & ~Q(duplicate_of__search=search)).count()
    return RunCounts(imported=imported, new=new, found_again=again)


def rerun_context(search: Search) -> dict:
    """What a search's page shows about its runs: each run with its counts, and the query's difference."""
    runs = search_runs(search)
    difference = query_difference(search.repeats.query, search.query) if search.repeats is not None else []
    return {"runs": [(run, run_counts(run)) for run in runs] if len(runs) > 1 else [],
            "query_difference": difference}


# ---------------------------------------------------------------- when a run is due (the protocol's interval)

def months_after(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved ``months`` months on (the 31st becomes the month's last day when it has fewer)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reruns_due(*, review: Review, today: datetime.date) -> list[tuple[Search, datetime.date]]:
    """The latest run of each search whose re-run is due by ``today``, with its due date, earliest first."""
    months = review.search_update_months
    if not months:
        return []
    latest = Search.objects.filter(review=review, repeated_by__isnull=True)
    due = [(s, months_after(s.date_run, months)) for s in latest]
    return sorted([(s, d) for s, d in due if d <= today], key=lambda pair: (pair[1], pair[0].pk))


def next_reruns(*, review: Review, today: datetime.date) -> dict:
    """For the searches page: the protocol's interval, the runs due by ``today`` and the next due date."""
    months = review.search_update_months
    if not months:
        return {}
    latest = Search.objects.filter(review=review, repeated_by__isnull=True)
    dates = sorted(months_after(s.date_run, months) for s in latest)
    return {"months": months, "due": reruns_due(review=review, today=today),
            "next": next((d for d in dates if d > today), None)}
