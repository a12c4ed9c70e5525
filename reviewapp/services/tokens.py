"""Personal API tokens. Each change is audited in the same transaction."""
from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..exceptions import ApplicationError
from ..models import ApiToken, Membership, Review, api_token_hash

API_TOKEN_PREFIX_CHARS = 8
API_TOKEN_MAX_DAYS = 366


@transaction.atomic
def api_token_create(*, user, name: str, scope: str, review: Review | None = None,
                     days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``, limited to ``review`` if given and working for ``days`` days
    (None: until revoked); returns it with its key, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ApplicationError("Give the token a name, e.g. what will use it.", {"field": "name"})
    if scope not in ApiToken.Scope.values:
        raise ApplicationError(f"Unknown scope “{scope}”; choose read or read-write.", {"field": "scope"})
    if review is not None and not Membership.objects.filter(review=review, user=user).exists():
        raise ApplicationError("You can limit a token only to a review you belong to.", {"field": "review"})
    if days is not None and not 1 <= days <= API_TOKEN_MAX_DAYS:
        raise ApplicationError(f"A token lasts 1 to {API_TOKEN_MAX_DAYS} days, or until revoked.",
                               {"field": "days"})
    expires_at = timezone.now() + timedelta(days=days) if days else None
    key = "rm_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], scope=scope, review=review, expires_at=expires_at,
                                    key_hash=api_token_hash(key), prefix=key[:API_TOKEN_PREFIX_CHARS])
    return token, key


@transaction.atomic
def api_token_revoke(*, user, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s own tokens; it stops working at once."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise ApplicationError("You have no such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
