"""Reminders of a living review: the protocol says how often searches are run again
(``Review.search_update_months``); when a search's latest run is that old, the review's leads are
told (in-app, and by e-mail as each chose: reviewapp.notifications). Sent by a daily beat task;
idempotent: one reminder per review and due date, however often the task runs."""
from __future__ import annotations

import calendar
import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reviewapp.models import Membership, Review
from reviewapp.notifications.models import Kind, Notification
from reviewapp.notifications.services import notify

from ..models import Search


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


@transaction.atomic
def search_rerun_reminders_send(*, today: datetime.date | None = None) -> int:
    """Tell the leads of every review with a re-run due; returns how many notices were made."""
    today = today or timezone.localdate()
    made = 0
    for review in Review.objects.filter(search_update_months__isnull=False):
        due = reruns_due(review=review, today=today)
        if not due:
            continue
        first_due = due[0][1]
        group = f"search-rerun:{first_due.isoformat()}"
        leads = set(Membership.objects.filter(review=review, role=Membership.Role.LEAD).values_list("user_id",
                                                                                                     flat=True))
        told = set(Notification.objects.filter(review=review, kind=Kind.SEARCH_RERUN, group=group)
                   .values_list("recipient_id", flat=True))
        if not leads - told:
            continue
        made += len(notify(review=review, kind=Kind.SEARCH_RERUN, recipients=leads - told, group=group,
                           count=len(due), link=reverse("search_list", args=[review.pk]),
                           params={"months": review.search_update_months, "due": first_due.isoformat()}))
    return made
