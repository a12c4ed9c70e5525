"""Reminders of a living review: the protocol says how often searches are run again
(``Review.search_update_months``); when a search's latest run is that old, the review's leads are
told (in-app, and by e-mail as each chose: reviewapp.notifications). Sent by a daily beat task;
idempotent: one reminder per review and due date, however often the task runs."""
from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reviewapp.models import Membership, Review
from reviewapp.notifications.models import Kind, Notification
from reviewapp.notifications.services import notify

from ..reruns import reruns_due


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
