"""The bell in the header: how many unread notifications the signed-in person has."""
from __future__ import annotations

import functools

from .selectors import unread_count


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A callable (templates call it): a page that never shows the bell never counts, and one
    # that shows it counts once however often the number appears.
    return {"notifications_unread": functools.cache(lambda: unread_count(user=user))}
