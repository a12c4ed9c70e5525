"""PRISMA's counts at a million records without counting a million rows after each decision (#30).

The diagram has three kinds of boxes, each read from where it is kept:

- the screening boxes (screened, excluded, sought, assessed, by reason; per column, and for an
  update only its searches' records) sum the few rows of `PrismaTally`, which PostgreSQL's
  triggers keep with every write to the screening items;
- the records' boxes (identified, duplicates, found again) are counted once and kept in the cache
  until a change other than screening (`counted`, as the records list's counts are);
- the included studies and reports, and the update's scope, are counted each time: they follow
  the studies and the records linked to them, a few rows found by index.

SQLite has no triggers: there PRISMA is counted and kept until any change, as before.
"""
from __future__ import annotations

from django.db import connection

from reviewapp.models import Review

from ..models import PrismaTally, Search
from .counted import SCREENING_ONLY, counted


def prisma_counts_kept(*, review: Review):
    """`prisma.prisma_counts`, kept for a large review until its trail moves on, and after a
    change read from the tally and the kept record counts (PostgreSQL), equal to a fresh count
    (the PRISMA page, its figure and CSVs, and the API read these)."""
    from .. import prisma  # prisma reads the models and searches; imported here, as it is only needed here

    if connection.vendor != "postgresql":
        return counted(review, "prisma", lambda: prisma.prisma_counts(review=review))
    return counted(review, "prisma", lambda: _tallied(review))


def _tallied(review: Review):
    from .. import prisma

    scope = prisma.update_scope(review=review)
    since = "first" if scope is None else scope.since.isoformat()
    identified = counted(review, f"prisma-identified:{since}", lambda: prisma.identified_counts(review, scope),
                         ignoring=SCREENING_ONLY)
    main, other = prisma.Screened(), prisma.Screened()
    searches = Search.objects.filter(review=review)
    if scope is not None:
        searches = searches.filter(created_at__gt=scope.since)
    column = {pk: main if source in prisma.MAIN_SOURCES else other if source in Search.OTHER_METHODS else None
              for pk, source in searches.values_list("pk", "source")}
    rows = (PrismaTally.objects.filter(review_id=review.pk).exclude(n=0)
            .values_list("search_id", "stage", "status", "reason", "n"))
    for search_id, stage, status, reason, n in rows:
        screened = column.get(search_id)
        if screened is None:
            continue  # a search before the update (or of no column)
        by_status = screened.ta if stage == prisma.TA else screened.ft
        by_status[status] = by_status.get(status, 0) + n
        if stage == prisma.FT and status == prisma.Status.EXCLUDED:
            screened.ft_reasons[reason] = screened.ft_reasons.get(reason, 0) + n
    return prisma.assemble(review, scope, identified, main=main, other=other)
