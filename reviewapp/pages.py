"""What the pages of every app share: the context each review page needs, and the query string
of a paginated list. Views of any app may import this module (and no other view module)."""
from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from .permissions import CAPABILITIES, can


def review_page_context(review, **extra) -> dict:
    """What every page of a review shows: the review, the person's roles and what they may do."""
    roles = review.user_roles
    may = {cap: can(roles=roles, capability=cap) for cap in CAPABILITIES}
    return {"review": review, "roles": sorted(roles), "may": may, **extra}


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string without the page (its number, or the id it starts
    after or ends before), for pagination links."""
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    return query.urlencode()


def next_url(request: HttpRequest, *, fallback: str) -> str:
    """Where a form's ``next`` field asks to go back to, if that is a page of this site; else
    ``fallback``. Every view that follows a ``next`` goes through here (never to another host)."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return fallback
