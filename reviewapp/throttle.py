"""Sign-in throttling: failed sign-ins pause further attempts, with pauses that grow, counted so
that a guesser slows down only where it guesses from.

Three counts, each pausing only what it counts:

- an account at one address (``SIGNIN_FAILURES_PER_ACCOUNT``): guessing at alice from one
  address pauses alice *from that address*; alice elsewhere signs in as usual;
- one address at any accounts (``SIGNIN_FAILURES_PER_ADDRESS``): guessing many usernames from
  one address pauses that address, but not for accounts that signed in from it before, so
  the colleagues behind the same office address carry on;
- an account from every address (``SIGNIN_FAILURES_PER_ACCOUNT_ALL_ADDRESSES``, higher): guessing
  spread over many addresses pauses the account, again only from addresses it never signed in from.

Past its limit each further failure doubles the pause, from ``SIGNIN_FIRST_PAUSE_SECONDS`` up to
``SIGNIN_LOCKOUT_SECONDS``. A successful sign-in clears the account's counts and remembers the
address as known for the account; a completed password reset clears every count of the account
(at any address) and remembers the address it was completed from.

It works at the level of ``django.contrib.auth.authenticate`` so that every way of signing in
with a password is covered (the sign-in page, the admin's): ``ThrottledModelBackend``, the one
authentication backend, refuses while paused (raising PermissionDenied, which authenticate()
reports as a failure), the ``user_login_failed`` signal counts failures, ``user_logged_in``
clears. While paused the password is not even checked, and the refused attempt counts nothing
(it guessed nothing), so hammering at a pause neither lengthens it nor spills into the other counts.

Counts live in the cache, which every process shares in both runtime modes (Redis, or the file
cache of ``make run``). Each count is written whole with its own expiry rather than with
``cache.incr``, because the file cache's incr resets the expiry. Two failures at the same
instant may be counted as one; the limits do not need that precision.
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils.translation import ngettext

_PREFIX = "signin"
# A count is forgotten a day after its last failure: long enough that the growing pauses bite.
FORGET_AFTER_SECONDS = 24 * 3600
# An address an account signed in from stays exempt from the address and all-address pauses this long.
KNOWN_FOR_SECONDS = 90 * 24 * 3600

ACCOUNT_AT_ADDRESS, ADDRESS, ACCOUNT = "account_at_address", "address", "account"
SUBJECTS = {
    ACCOUNT_AT_ADDRESS: "for this account from your network address",
    ADDRESS: "from your network address",
    ACCOUNT: "for this account from addresses it has not signed in from before",
}


def client_address(request) -> str:
    """The address the request came from. Behind the TLS proxy (BEHIND_TLS_PROXY) that is the
    last X-Forwarded-For entry, the one our proxy added; earlier entries are the client's word."""
    if request is None:
        return ""
    meta = request.META
    if settings.SECURE_PROXY_SSL_HEADER and meta.get("HTTP_X_FORWARDED_FOR"):
        return meta["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
    return meta.get("REMOTE_ADDR", "")


def _digest(username: str) -> str:
    return hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()


def _known_key(username: str, address: str) -> str:
    return f"{_PREFIX}:known:{_digest(username)}:{address}"


def _generation_key(username: str) -> str:
    return f"{_PREFIX}:generation:{_digest(username)}"


@dataclass(frozen=True)
class Counter:
    what: str
    key: str
    limit: int


def _keys(username: str | None, address: str) -> dict[str, str]:
    """The cache key of each count this attempt touches. The account's keys carry a generation,
    which a password reset moves on: its old counts at every address are then out of reach (the
    cache cannot list keys to delete them)."""
    keys = {}
    if username:
        account = f"{_digest(username)}:{cache.get(_generation_key(username), 0)}"
        keys[ACCOUNT_AT_ADDRESS] = f"{_PREFIX}:pair:{account}:{address}"
        keys[ACCOUNT] = f"{_PREFIX}:account:{account}"
    if address:
        keys[ADDRESS] = f"{_PREFIX}:address:{address}"
    return keys


def _counters(username: str | None, address: str) -> list[Counter]:
    """The counts that apply to this attempt: an address the account signed in from before is
    exempt from the address's and the all-address count."""
    known = bool(username and address and cache.get(_known_key(username, address)))
    limits = {ACCOUNT_AT_ADDRESS: settings.SIGNIN_FAILURES_PER_ACCOUNT,
              ACCOUNT: settings.SIGNIN_FAILURES_PER_ACCOUNT_ALL_ADDRESSES,
              ADDRESS: settings.SIGNIN_FAILURES_PER_ADDRESS}
    return [Counter(what, key, limits[what]) for what, key in _keys(username, address).items()
            if not (known and what != ACCOUNT_AT_ADDRESS)]


def pause_seconds(count: int, limit: int) -> float:
    """How long the ``count``-th failure pauses a count whose limit is ``limit`` (0 below it):
    the first pause at the limit, doubled with each failure after it, never above the longest."""
    if count < limit:
        return 0.0
    doublings = min(count - limit, 32)  # bounded: 2**32 first pauses exceed any longest pause
    return float(min(settings.SIGNIN_LOCKOUT_SECONDS, settings.SIGNIN_FIRST_PAUSE_SECONDS * 2 ** doublings))


def pause_left(request, username: str | None) -> tuple[str, float] | None:
    """(what is paused, seconds left) for this attempt, or None when it may go ahead."""
    now = time.time()
    for counter in _counters(username, client_address(request)):
        value = cache.get(counter.key)
        if value and value[1] > now:
            return counter.what, value[1] - now
    return None


def lockout_message(request, username: str | None) -> str | None:
    """What to tell the person when this attempt is paused; None when it is not."""
    paused = pause_left(request, username)
    if paused is None:
        return None
    what, left = paused
    minutes = max(1, math.ceil(left / 60))
    return (f"Too many failed sign-ins {SUBJECTS[what]}. Signing in is paused for {minutes} more "
            f"{ngettext('minute', 'minutes', minutes)}; then try again, or reset your password.")


def failure_record(request, username: str | None) -> list[tuple[str, float]]:
    """Count one failed sign-in; returns (what, seconds) for each count it paused."""
    if pause_left(request, username):
        return []  # refused unchecked: nothing was guessed
    now = time.time()
    newly_paused = []
    for counter in _counters(username, client_address(request)):
        count = (cache.get(counter.key) or (0, 0.0))[0] + 1
        seconds = pause_seconds(count, counter.limit)
        if seconds:
            newly_paused.append((counter.what, seconds))
        cache.set(counter.key, (count, now + seconds if seconds else 0.0), timeout=FORGET_AFTER_SECONDS)
    return newly_paused


def signed_in(username: str, address: str) -> None:
    """Someone signed in with the password: clear the account's counts and know the address."""
    keys = _keys(username, address)
    # Not the address's count: clearing it would let one valid account reset it between
    # guesses at others.
    cache.delete_many([keys[ACCOUNT_AT_ADDRESS], keys[ACCOUNT]])
    if address:
        cache.set(_known_key(username, address), True, timeout=KNOWN_FOR_SECONDS)


def password_reset(username: str, address: str) -> None:
    """The account's owner proved the mailbox: every count of the account, at every address, is
    cleared, and the address the reset was completed from becomes known for the account."""
    key = _generation_key(username)
    cache.set(key, cache.get(key, 0) + 1, timeout=None)
    if address:
        cache.set(_known_key(username, address), True, timeout=KNOWN_FOR_SECONDS)


class ThrottledModelBackend(ModelBackend):
    """Django's backend, refusing every password check while this attempt is paused."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if pause_left(request, username):
            raise PermissionDenied("sign-in paused after too many failures")
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed, dispatch_uid="reviewapp.throttle.failed")
def _on_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get("username")
    paused = failure_record(request, username)
    if paused:
        from .services import signin_lockout_record

        signin_lockout_record(username=username or "", address=client_address(request),
                              locked=[what for what, _ in paused],
                              seconds=round(max(seconds for _, seconds in paused)))


@receiver(user_logged_in, dispatch_uid="reviewapp.throttle.succeeded")
def _on_success(sender, request, user, **kwargs):
    signed_in(user.get_username(), client_address(request))
