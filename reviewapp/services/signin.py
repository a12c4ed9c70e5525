"""Sign-in pauses in the audit trail (of no review: they concern the whole site). Each change is
audited in the same transaction."""
from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..audit import audit_record
from ..models import AuditEvent

Action = AuditEvent.Action


@transaction.atomic
def signin_lockout_record(*, username: str, address: str, locked: list[str], seconds: int):
    """Put a sign-in lockout in the audit trail (of no review: it concerns the whole site)."""
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    # An account that does not exist is still named, on an unsaved instance (no object id).
    instance = user or User(**{User.USERNAME_FIELD: username[:150]})
    return audit_record(
        actor=None, review=None, action=Action.UPDATE, instance=instance,
        label=f"sign-in for {username or '(no name)'} from {address or 'unknown address'}"[:300],
        before={"sign_in": "allowed"},
        after={"sign_in": "paused", "locked": sorted(locked), "address": address, "minutes": seconds // 60,
               "until": (timezone.now() + timedelta(seconds=seconds)).isoformat(timespec="seconds")})


@transaction.atomic
def signin_pauses_clear_after_reset(*, user, address: str):
    """A completed password reset lifts every sign-in pause of the account (the owner proved the
    mailbox), and the address it was completed from counts as the account's own; audited."""
    from .. import throttle

    throttle.password_reset(user.get_username(), address)
    return audit_record(
        actor=user, review=None, action=Action.UPDATE, instance=user,
        label=f"sign-in for {user.get_username()} after a password reset from {address or 'unknown address'}"[:300],
        before={"password": "forgotten"}, after={"sign_in": "allowed", "pauses": "cleared", "address": address})
