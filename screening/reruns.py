"""Reads about re-run searches: every run of a search, what changed in its query, what it found again."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db.models import Q

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
