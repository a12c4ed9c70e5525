"""How the API knows who is calling: personal API tokens (hashed, named, scoped, revocable), the
scope check (a read token only reads) and a request budget per token.

DRF's settings name these classes, and DRF imports them while loading its views: this module
must not import rest_framework.views (nor anything that does).
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken, api_token_hash

log = logging.getLogger(__name__)

# How often a token's last use is written: each request would be a write on the hot path.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`) with a personal API token."""

    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() not in self.keywords:
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed("Send the token as “Authorization: Token <key>”.")
        try:
            key = words[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token holds characters no token has.") from None
        token = (ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(key)).first())
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown API token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API token was revoked.")
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                f"This API token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC; create another.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The account of this token is deactivated.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"


class TokenScopePermission(BasePermission):
    """A read-only token may only read; the session and read-write tokens may also write."""

    message = "This API token is read-only; create a read-write token to change anything."

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and token.scope != ApiToken.Scope.READ_WRITE:
            return request.method in SAFE_METHODS
        return True


class PerTokenThrottle(SimpleRateThrottle):
    """A budget of requests per token (each token its own), or per person signed in by session."""

    scope = "api"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE

    def allow_request(self, request, view) -> bool:
        """The budget is counted in the cache (Redis in the team deployment). While it is down,
        requests are served uncounted: a broker and cache outage must not refuse a reviewer's
        decisions, nor every other request of every client."""
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # noqa: BLE001 - redis raises its own kinds for an unreachable server
            log.warning("API throttle not counted, the cache is unreachable: %s", exc)
            return True

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.key_hash[:24]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return f"throttle-{self.scope}-{ident}"
