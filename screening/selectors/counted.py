"""Counts of a large review kept in the cache until the review changes (#30).

The dashboard, the records list and PRISMA show counts over every record and screening item of
the review. With a million records each such count reads a million rows (the dashboard took
1.8 s, PRISMA 4.4 s). Every write to a review's records, screening or studies goes through a
service that records it in the audit trail in the same transaction, so the review's latest audit
event marks its state: counts computed at that mark stay true until the next event, and are kept
in the cache under it. A review below ``LARGE_REVIEW`` records is counted afresh on every page
(a few milliseconds), as before.

Each count names the changes that cannot move it: the record counts ignore screening decisions
(`SCREENING_ONLY`), so screening a record does not send the next page back to counting a million
records. (The screening progress is not kept here on PostgreSQL: triggers tally it as it changes,
`ItemTally`, and so are PRISMA's screening boxes, `prisma_tallied`.) What this does not spare: the
first page after another change (an import, a merge) recomputes the counts it shows.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Sum

from reviewapp.models import AuditEvent, Review

from ..models import SearchFile

T = TypeVar("T")

#: records (as imported) from which a review's counts are kept in the cache
LARGE_REVIEW = 20_000
#: how long kept counts may sit unused
KEEP_SECONDS = 24 * 3600


def review_size(review: Review) -> int:
    """Records the review's imports brought in (one small query over its files, not its records)."""
    return SearchFile.objects.filter(search__review=review).aggregate(n=Sum("records_imported"))["n"] or 0


#: audit events of screening alone (a decision, its undo, a conflict resolved): they change the
#: screening items and decisions, never the records, searches, imports or duplicate pairs. The
#: audit trail's index ``audit_not_screening`` leaves them out under the same condition.
SCREENING_ONLY = AuditEvent.SCREENING_ONLY


def trail_mark(review: Review, *, ignoring: tuple[str, ...] = ()) -> int:
    """The id of the review's latest audit event (0 before any), events of the types ``ignoring`` aside."""
    events = AuditEvent.objects.filter(review=review)
    if ignoring:
        events = events.exclude(object_type__in=ignoring)
    return events.order_by("-created_at", "-id").values_list("id", flat=True).first() or 0


def counted(review: Review, name: str, compute: Callable[[], T], *, ignoring: tuple[str, ...] = ()) -> T:
    """``compute()``, kept for a large review until its trail moves on (by an event of a type other
    than ``ignoring``: changes that cannot move these counts); ``name`` says what is counted (and
    for whom, when the counts are one person's)."""
    if review_size(review) < LARGE_REVIEW:
        return compute()
    key = f"screening:counts:{review.pk}:{name}:{trail_mark(review, ignoring=ignoring)}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, KEEP_SECONDS)
    return value

