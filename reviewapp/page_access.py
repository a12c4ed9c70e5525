"""Who may open each page, declared on the view like the API's method -> capability map.

A review page says which capability each HTTP method needs::

    @review_page(GET="view", POST="manage_searches")
    def search_detail(request, review_id, search_id): review = request.review ...

The decorator asks the user to sign in, answers 405 for a method the page does not declare,
fetches the review once through `reviewapp.permissions` (404 for outsiders, 403 with the reason
for members whose roles lack the capability) and leaves it on ``request.review``. A method may
need a `ReviewRule` instead of a capability (a named predicate of an app's rules module, e.g.
"resolves conflicts"), and a page may add an object rule that refuses some objects (403).

Every other page declares its rule too (`public_page`, `signed_in_page`), and each view carries
its declaration as ``page_rule``: the page permission matrix test reads it from every URL.

A download URL (a file, figure or export) is wrapped in `token_download` where it is routed: it
answers a personal API token (`Authorization: Token <key>`, either scope, GET and HEAD only) as
well as the session, and the page's own rule decides the rest, so a token reaches exactly what its
person would on the page (and a token limited to another review gets the outsider's 404).
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import patch_vary_headers
from rest_framework import exceptions

from .api_auth import ApiTokenAuthentication, PerTokenThrottle
from .permissions import CAPABILITIES, can, denial_reason, review_get_for_user

if TYPE_CHECKING:
    from .models import Review


class ReviewRequest(HttpRequest):
    """What a ``@review_page`` view receives, for type checkers: the request with its review on it."""

    review: Review


@dataclass(frozen=True)
class ReviewRule:
    """A rule on the whole review beyond one capability. ``refusal(user=, review=)`` says why the
    person may not (None: they may); the review carries their roles as ``user_roles``."""

    name: str
    refusal: Callable[..., str | None]


# An object rule: refusal(request=, review=, **url kwargs) -> why not (None: allowed).
ObjectRule = Callable[..., "str | None"]


@dataclass(frozen=True)
class PageRule:
    """What a view declares: ``kind`` is "public", "signed in" or "review"; for a review page,
    the capability or `ReviewRule` each method needs and an optional object rule."""

    kind: str
    methods: dict[str, str | ReviewRule] = field(default_factory=dict)
    obj: ObjectRule | None = None

    def need(self, method: str) -> str | ReviewRule | None:
        """The capability or rule ``method`` needs; None when the page does not take it."""
        return self.methods.get("GET" if method == "HEAD" else method)


def refusal(*, user, review, need: str | ReviewRule) -> str | None:
    """Why ``user`` (a member, roles on ``review.user_roles``) may not do what ``need`` names."""
    if isinstance(need, ReviewRule):
        return need.refusal(user=user, review=review)
    if can(roles=review.user_roles, capability=need):
        return None
    return denial_reason(roles=review.user_roles, capability=need)


def require(request, need: str | ReviewRule) -> None:
    """For a page whose other branches need more (e.g. a delete button): 403 with the reason,
    using the review the decorator already fetched."""
    reason = refusal(user=request.user, review=request.review, need=need)
    if reason:
        raise PermissionDenied(reason)


def review_page(*, obj: ObjectRule | None = None, **methods: str | ReviewRule):
    """Declare a page under /reviews/<review_id>/: the capability (or rule) of each method."""
    for method, need in methods.items():
        if method != method.upper() or method == "HEAD":
            raise ValueError(f"declare methods in capitals (HEAD follows GET): {method!r}")
        if isinstance(need, str) and need not in CAPABILITIES:
            raise ValueError(f"unknown capability {need!r}")
    rule = PageRule(kind="review", methods=dict(methods), obj=obj)

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            need = rule.need(request.method)
            if need is None:
                return HttpResponseNotAllowed(sorted(rule.methods))
            # Membership first (404 for outsiders whatever the method), then the method's rule.
            review = review_get_for_user(user=request.user, review_id=kwargs["review_id"],
                                         token=getattr(request, "api_token", None))
            reason = refusal(user=request.user, review=review, need=need)
            if reason is None and obj is not None:
                reason = obj(request=request, review=review, **kwargs)
            if reason:
                raise PermissionDenied(reason)
            request.review = review
            return view(request, *args, **kwargs)

        signed_in = login_required(checked)
        signed_in.page_rule = rule
        return signed_in

    return decorate


PUBLIC = PageRule(kind="public")
SIGNED_IN = PageRule(kind="signed in")


def public_page(view):
    """A page anyone may open (sign-in, password reset, an invitation's landing page)."""
    view.page_rule = PUBLIC
    return view


def signed_in_page(view):
    """A page for any signed-in account, outside any review (home, account, new review)."""
    checked = login_required(view)
    checked.page_rule = SIGNED_IN
    return checked


def token_download(view):
    """A review page's download that also answers a personal API token (see the module's note).

    Without an ``Authorization`` header nothing changes (the session, else the sign-in page). A
    token the app does not accept answers 401 with the reason, and one over its request budget
    429, as the API does; the page's rule then decides as for the token's person."""

    @functools.wraps(view)
    def by_token_or_session(request, *args, **kwargs):
        if request.method in ("GET", "HEAD") and request.headers.get("Authorization"):
            refused = _token_sign_in(request)
            if refused is not None:
                return refused
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ["Authorization"])
        return response

    by_token_or_session.page_rule = view.page_rule
    by_token_or_session.accepts_token = True
    return by_token_or_session


def _token_sign_in(request) -> HttpResponse | None:
    """Puts the token's person on ``request.user`` and the token on ``request.api_token``, or
    answers why not (401, 429). A header of another scheme (e.g. a proxy's Basic) is left alone."""
    authentication = ApiTokenAuthentication()
    try:
        found = authentication.authenticate(request)
    except exceptions.AuthenticationFailed as refusal:
        response = HttpResponse(str(refusal.detail), status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = authentication.authenticate_header(request)
        return response
    if found is None:
        return None
    request.user, request.api_token = found
    throttle = PerTokenThrottle()
    if not throttle.allow_request(SimpleNamespace(user=request.user, auth=request.api_token, META=request.META),
                                  None):
        response = HttpResponse("Too many requests for this token; wait and retry.", status=429,
                                content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(int(throttle.wait() or 1))
        return response
    return None
