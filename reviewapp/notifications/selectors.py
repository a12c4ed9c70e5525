"""Reads of notifications: a person's own, of the reviews they are still a member of."""
from __future__ import annotations

from django.db.models import QuerySet

from ..models import Review
from .models import Notification


def notifications_for(*, user, unread: bool | None = None, review_id: int | None = None) -> QuerySet[Notification]:
    """``user``'s notifications, newest first (of one review if ``review_id``, as for an API token
    limited to it); a review they have left no longer speaks to them."""
    if not user.is_authenticated:
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient=user,
                                       review__in=Review.objects.filter(memberships__user=user).values("pk"))
    if review_id is not None:
        rows = rows.filter(review_id=review_id)
    if unread is not None:
        rows = rows.filter(read_at__isnull=unread)
    return rows.select_related("review").order_by("-updated_at", "-id")


def unread_count(*, user) -> int:
    return notifications_for(user=user, unread=True).count()
