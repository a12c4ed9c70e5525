"""Writes to reviews, their outcomes and members. Each change is audited in the same transaction."""
from __future__ import annotations

from typing import Any, Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q

from .audit import audit_record, audited_update, snapshot
from .exceptions import ApplicationError
from .models import AuditEvent, Membership, Outcome, Review

Action = AuditEvent.Action
Role = Membership.Role

REVIEW_FIELDS = (
    "title", "question", "population", "intervention", "comparator", "outcomes_summary",
    "study_designs", "planned_databases", "search_from", "search_to", "status",
)


@transaction.atomic
def review_create(*, creator, **fields: Any) -> Review:
    """A new review; its creator becomes its lead."""
    unknown = set(fields) - set(REVIEW_FIELDS) - {"is_demo"}
    if unknown:
        raise TypeError(f"unknown review fields: {sorted(unknown)}")
    review = Review(created_by=creator, **fields)
    review.full_clean()
    review.save()
    audit_record(actor=creator, review=review, action=Action.CREATE, instance=review,
                 after=snapshot(review))
    _membership_create(actor=creator, review=review, user=creator, role=Role.LEAD)
    return review


@transaction.atomic
def review_update(*, actor, review: Review, **fields: Any) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    return audited_update(actor=actor, review=review, instance=review, fields=fields,
                          allowed=REVIEW_FIELDS, exclude=("updated_at",))


@transaction.atomic
def outcome_create(*, actor, review: Review, name: str, direction: str = Outcome.Direction.HIGHER,
                   note: str = "") -> Outcome:
    position = (review.outcomes.aggregate(m=Max("position"))["m"] or 0) + 1
    outcome = Outcome(review=review, name=name.strip(), direction=direction, note=note,
                      position=position)
    outcome.full_clean()
    outcome.save()
    audit_record(actor=actor, review=review, action=Action.CREATE, instance=outcome,
                 after=snapshot(outcome))
    return outcome


@transaction.atomic
def outcome_update(*, actor, outcome: Outcome, **fields: Any) -> Outcome:
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    return audited_update(actor=actor, review=outcome.review, instance=outcome, fields=fields,
                          allowed=("name", "direction", "note", "position"))


@transaction.atomic
def outcome_delete(*, actor, outcome: Outcome) -> None:
    before = snapshot(outcome)
    review = outcome.review
    audit_record(actor=actor, review=review, action=Action.DELETE, instance=outcome, before=before)
    outcome.delete()


def user_delete_check(*, user) -> None:
    """Refuse to delete an account that is the last lead of a review: the review would be left
    without anyone who can manage it."""
    from .selectors import reviews_led_only_by

    reviews = reviews_led_only_by(user=user)
    if reviews:
        titles = "; ".join(f"“{r.title}”" for r in reviews[:5]) + ("; …" if len(reviews) > 5 else "")
        raise ApplicationError(
            f"The account {user.get_username()} cannot be deleted: they are the only lead of {titles}. "
            "Make someone else lead of each first, or deactivate the account instead.")


def user_find(identifier: str):
    """The account with this username or e-mail address (case-insensitive), or an error."""
    identifier = identifier.strip()
    User = get_user_model()
    matches = list(User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier),
                                       is_active=True)[:2])
    if not matches:
        raise ApplicationError(f"No active account has the username or e-mail “{identifier}”.")
    if len(matches) > 1:
        raise ApplicationError(f"More than one account matches “{identifier}”; use the username.")
    return matches[0]


def _membership_create(*, actor, review: Review, user, role: str) -> Membership:
    membership = Membership.objects.create(review=review, user=user, role=role)
    audit_record(actor=actor, review=review, action=Action.CREATE, instance=membership,
                 after=snapshot(membership, exclude=("added_at",)),
                 label=f"{user.get_username()} as {role}")
    return membership


@transaction.atomic
def member_roles_set(*, actor, review: Review, user, roles: Iterable[str]) -> list[Membership]:
    """Give ``user`` exactly ``roles`` in ``review`` (none removes them from the review).

    A review always keeps at least one lead, so nobody can lock the team out.
    """
    wanted = set(roles)
    invalid = wanted - set(Role.values)
    if invalid:
        raise ApplicationError(f"Unknown roles: {', '.join(sorted(invalid))}.")
    # Lock this review's memberships so two leads editing at once cannot both drop the last lead.
    current = {m.role: m for m in Membership.objects.select_for_update().filter(review=review, user=user)}
    if Role.LEAD in current and Role.LEAD not in wanted:
        other_leads = (Membership.objects.select_for_update()
                       .filter(review=review, role=Role.LEAD).exclude(user=user).count())
        if other_leads == 0:
            raise ApplicationError("A review needs at least one lead: make someone else lead first.")
    for role, membership in current.items():
        if role not in wanted:
            audit_record(actor=actor, review=review, action=Action.DELETE, instance=membership,
                         before=snapshot(membership, exclude=("added_at",)),
                         label=f"{user.get_username()} as {role}")
            membership.delete()
    for role in sorted(wanted - set(current)):
        _membership_create(actor=actor, review=review, user=user, role=role)
    return list(Membership.objects.filter(review=review, user=user))


def member_add(*, actor, review: Review, identifier: str, roles: Iterable[str]) -> list[Membership]:
    """Add an existing account, found by username or e-mail, to the review with ``roles``."""
    roles = set(roles)
    if not roles:
        raise ApplicationError("Choose at least one role.")
    user = user_find(identifier)
    if Membership.objects.filter(review=review, user=user).exists():
        raise ApplicationError(f"{user.get_username()} is already a member; change their roles below.")
    return member_roles_set(actor=actor, review=review, user=user, roles=roles)
