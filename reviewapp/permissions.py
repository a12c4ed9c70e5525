"""The one place that decides who may do what in a review.

Pages (through `reviewapp.page_access.review_page`) and the API (through
`reviewapp.api_base.ReviewApiView`) both get reviews through `review_get_for_user`, so a person
who is not a member gets a 404 (the review's existence does not leak) and a member without the
needed role gets a 403.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import ngettext

from .models import ArchiveImport, Membership, Review

Role = Membership.Role

# Capability -> the roles that grant it. The lead can do everything.
CAPABILITIES: dict[str, frozenset[str]] = {
    "view": frozenset({Role.LEAD, Role.REVIEWER, Role.EXTRACTOR, Role.VIEWER}),
    "edit_review": frozenset({Role.LEAD}),
    "manage_members": frozenset({Role.LEAD}),
    "read_audit": frozenset({Role.LEAD}),
    # The whole review in one file (reviewapp/archive/FORMAT.md): every decision, entry and the audit trail.
    "export_review": frozenset({Role.LEAD}),
    "manage_webhooks": frozenset({Role.LEAD}),
    # A version (v1, v2, ...) freezes the review's archive for good.
    "publish_versions": frozenset({Role.LEAD}),
    "manage_searches": frozenset({Role.LEAD}),
    "resolve_duplicates": frozenset({Role.LEAD}),
    "export_records": frozenset({Role.LEAD, Role.REVIEWER, Role.EXTRACTOR, Role.VIEWER}),
    "screen": frozenset({Role.LEAD, Role.REVIEWER}),
    "resolve_conflicts": frozenset({Role.LEAD}),
    "extract": frozenset({Role.LEAD, Role.EXTRACTOR}),
    "build_forms": frozenset({Role.LEAD}),
    "settle_consensus": frozenset({Role.LEAD}),
    "run_analyses": frozenset({Role.LEAD}),
    "grade": frozenset({Role.LEAD}),
}


def roles_of(*, user, review: Review) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(review=review, user=user).values_list("role", flat=True)
    )


def can(*, roles: set[str], capability: str) -> bool:
    try:
        allowed = CAPABILITIES[capability]
    except KeyError:
        raise ValueError(f"unknown capability {capability!r}") from None
    return bool(roles & allowed)


def may_resolve_conflicts(*, user, roles: set[str], delegate_id: int | None) -> bool:
    """Leads resolve screening conflicts; so does the one screener a lead names for it (``delegate_id``)."""
    if can(roles=roles, capability="resolve_conflicts"):
        return True
    return bool(delegate_id) and user.pk == delegate_id and can(roles=roles, capability="screen")


def may_settle_consensus(*, user, roles: set[str], delegate_id: int | None) -> bool:
    """Leads settle differences between two entries; so does the one extractor a lead names for a form."""
    if can(roles=roles, capability="settle_consensus"):
        return True
    return bool(delegate_id) and user.pk == delegate_id and can(roles=roles, capability="extract")


def token_allows(*, token, review_id: int | None) -> bool:
    """Whether the API token of a request (None for a session) reaches ``review_id``. A token
    limited to one review reaches that review only; ``review_id`` None stands for what happens
    outside any review (creating one, importing an archive), which such a token may not do."""
    limited = getattr(token, "review_id", None)
    return limited is None or (review_id is not None and int(review_id) == limited)


def archive_imports_for_user(*, user, token=None) -> QuerySet[ArchiveImport]:
    """The archive imports a person may follow and run again: the ones they uploaded (an upload
    is private until it has made a review, which then has members of its own). A token limited
    to one review reaches none, as it cannot import."""
    if not user.is_authenticated or not token_allows(token=token, review_id=None):
        return ArchiveImport.objects.none()
    return ArchiveImport.objects.filter(owner=user)


def reviews_for_user(*, user, token=None) -> QuerySet[Review]:
    if not user.is_authenticated:
        return Review.objects.none()
    reviews = Review.objects.filter(memberships__user=user).distinct()
    limited = getattr(token, "review_id", None)
    return reviews if limited is None else reviews.filter(pk=limited)


def _in_words(labels: list[str], joiner: str) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} {joiner} {labels[-1]}"


def denial_reason(*, roles: set[str], capability: str) -> str:
    """Why a member may not do this, in words: which roles would allow it and which they hold."""
    needed = [label for value, label in Role.choices if value in CAPABILITIES[capability]]
    held = [label for value, label in Role.choices if value in roles]
    needs = (f"This needs the role {needed[0]}" if len(needed) == 1
             else f"This needs one of the roles {_in_words(needed, 'or')}")
    return f"{needs}; your {ngettext('role', 'roles', len(held))} in this review: {_in_words(held, 'and')}."


def review_get_for_user(*, user, review_id: int, capability: str = "view", token=None) -> Review:
    """The review if ``user`` may use ``capability`` in it: 404 for outsiders (and for an API
    ``token`` limited to another review), 403 for members whose roles do not grant it. The
    user's roles are left on ``review.user_roles``."""
    review = Review.objects.filter(pk=review_id).first() if token_allows(token=token, review_id=review_id) else None
    roles = roles_of(user=user, review=review) if review else set()
    if not roles:
        raise Http404("No such review.")
    if not can(roles=roles, capability=capability):
        raise PermissionDenied(denial_reason(roles=roles, capability=capability))
    review.user_roles = roles
    return review
