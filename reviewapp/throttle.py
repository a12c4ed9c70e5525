"""Sign-in throttling: failed sign-ins are counted per account and per address, and past
a limit that account (or address) may not sign in until a cool-off has passed.

It works at the level of ``django.contrib.auth.authenticate`` so that every way of
signing in with a password is covered (the sign-in page, the admin's, the API's token
endpoint): ``ThrottledModelBackend``, the one authentication backend, refuses while
locked (raising PermissionDenied, which authenticate() reports as a failure), the ``user_login_failed`` signal
counts failures, ``user_logged_in`` clears the account's count. While locked, the
password is not even checked, so guessing goes no further.

Counts live in the cache, which every process shares in both runtime modes (Redis, or
the file cache of ``make run``). Each count is stored with its own expiry time rather
than with ``cache.incr``, because the file cache's incr resets the expiry. Two failures
at the same instant may be counted as one; the limits do not need that precision.
"""
from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

_PREFIX = "signin-failures"


def client_address(request) -> str:
    """The address the request came from. Behind the TLS proxy (BEHIND_TLS_PROXY) that is the
    last X-Forwarded-For entry, the one our proxy added; earlier entries are the client's word."""
    if request is None:
        return ""
    meta = request.META
    if settings.SECURE_PROXY_SSL_HEADER and meta.get("HTTP_X_FORWARDED_FOR"):
        return meta["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
    return meta.get("REMOTE_ADDR", "")


def _counters(request, username: str | None) -> list[tuple[str, str, int]]:
    """(what, cache key, limit) for the account and the address of this attempt."""
    counters = []
    if username:
        digest = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()
        counters.append(("account", f"{_PREFIX}:account:{digest}", settings.SIGNIN_FAILURES_PER_ACCOUNT))
    address = client_address(request)
    if address:
        counters.append(("address", f"{_PREFIX}:address:{address}", settings.SIGNIN_FAILURES_PER_ADDRESS))
    return counters


def _locked_for(value, limit: int, now: float) -> float:
    """Seconds left of a lock (0 when not locked)."""
    if not value:
        return 0.0
    count, expires = value
    return max(0.0, expires - now) if count >= limit else 0.0


def lockout_message(request, username: str | None) -> str | None:
    """What to tell the person when this account or address is locked; None when it is not."""
    now = time.time()
    for what, key, limit in _counters(request, username):
        left = _locked_for(cache.get(key), limit, now)
        if left:
            minutes = max(1, math.ceil(left / 60))
            subject = "for this account" if what == "account" else "from your network address"
            return (f"Too many failed sign-ins {subject}. Signing in is paused for {minutes} more "
                    f"minute{'s' if minutes != 1 else ''}; then try again, or reset your password.")
    return None


def failure_record(request, username: str | None) -> list[str]:
    """Count one failed sign-in; returns what became locked by it ("account", "address")."""
    now = time.time()
    window = settings.SIGNIN_LOCKOUT_SECONDS
    newly_locked = []
    for what, key, limit in _counters(request, username):
        value = cache.get(key)
        if _locked_for(value, limit, now):
            continue  # attempts while locked do not prolong the lock
        count, expires = value if value and value[1] > now else (0, now + window)
        count += 1
        if count >= limit:
            expires = now + window  # the cool-off runs from the failure that locked
            newly_locked.append(what)
        cache.set(key, (count, expires), timeout=max(1, math.ceil(expires - now)))
    return newly_locked


def account_clear(username: str) -> None:
    for _what, key, _limit in _counters(None, username):
        cache.delete(key)


class ThrottledModelBackend(ModelBackend):
    """Django's backend, refusing every password check while the account or address is locked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if lockout_message(request, username):
            raise PermissionDenied("sign-in locked after too many failures")
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed, dispatch_uid="reviewapp.throttle.failed")
def _on_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get("username")
    locked = failure_record(request, username)
    if locked:
        from .services import signin_lockout_record

        signin_lockout_record(username=username or "", address=client_address(request), locked=locked,
                              seconds=settings.SIGNIN_LOCKOUT_SECONDS)


@receiver(user_logged_in, dispatch_uid="reviewapp.throttle.succeeded")
def _on_success(sender, request, user, **kwargs):
    # Only the account's count: clearing the address's would let one valid account reset it
    # between guesses at others.
    account_clear(user.get_username())
