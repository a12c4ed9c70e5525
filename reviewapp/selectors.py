"""Reads for review pages: membership lists and the audit trail."""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from typing import Iterator

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import AuditEvent, Membership, Review


def members_with_roles(*, review: Review) -> list[dict]:
    """One row per person: the user and the roles they hold."""
    rows: dict[int, dict] = {}
    by_user = defaultdict(set)
    for m in Membership.objects.filter(review=review).select_related("user"):
        rows.setdefault(m.user_id, {"user": m.user, "roles": []})
        by_user[m.user_id].add(m.role)
    order = list(Membership.Role.values)
    for user_id, row in rows.items():
        row["roles"] = sorted(by_user[user_id], key=order.index)
    return sorted(rows.values(), key=lambda r: r["user"].get_username().lower())


def member_get(*, review: Review, user_id: int):
    """A member of the review (404 otherwise). One row even for someone holding several roles."""
    members = Membership.objects.filter(review=review).values("user_id")
    return get_object_or_404(get_user_model(), pk=user_id, pk__in=members)


def reviews_led_only_by(*, user) -> list[Review]:
    """The reviews in which ``user`` is the one and only lead."""
    led = Membership.objects.filter(user=user, role=Membership.Role.LEAD).values("review_id")
    others = (Membership.objects.filter(review_id__in=led, role=Membership.Role.LEAD)
              .exclude(user=user).values("review_id"))
    return list(Review.objects.filter(pk__in=led).exclude(pk__in=others).order_by("title"))


def audit_events(
    *,
    review: Review,
    action: str | None = None,
    object_type: str | None = None,
    actor: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(review=review)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if actor:
        events = events.filter(actor_label__iexact=actor)
    if since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    return events


def audit_object_types(*, review: Review) -> list[str]:
    return list(AuditEvent.objects.filter(review=review).order_by("object_type")
                .values_list("object_type", flat=True).distinct())


AUDIT_CSV_HEADER = ["time (UTC)", "who", "action", "object type", "object id", "object",
                    "fields changed", "before", "after"]


def audit_csv_rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The events as CSV text, a line at a time, for a streaming download."""
    import json

    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(AUDIT_CSV_HEADER)
    yield flush()
    for e in events.iterator(chunk_size=2000):
        writer.writerow([
            e.created_at.isoformat(), e.actor_label, e.action, e.object_type, e.object_id,
            e.object_label, " ".join(e.changed_fields),
            json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
            json.dumps(e.after, ensure_ascii=False) if e.after is not None else "",
        ])
        yield flush()
