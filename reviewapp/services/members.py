"""Members and their roles, and the one rule on deleting an account (not the last lead of a review).
Each change is audited in the same transaction."""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from ..audit import audit_record, snapshot
from ..exceptions import ApplicationError
from ..models import AuditEvent, Membership, Review

Action = AuditEvent.Action
Role = Membership.Role


ROLES_REQUIRED = "Choose at least one role: nothing is ticked to begin with, so that nobody gets more than meant."


def user_delete_check(*, user) -> None:
    """Refuse to delete an account that is the last lead of a review: the review would be left
    without anyone who can manage it."""
    from ..selectors import reviews_led_only_by

    reviews = reviews_led_only_by(user=user)
    if reviews:
        titles = "; ".join(f"“{r.title}”" for r in reviews[:5]) + ("; …" if len(reviews) > 5 else "")
        raise ApplicationError(
            f"The account {user.get_username()} cannot be deleted: they are the only lead of {titles}. "
            "Make someone else lead of each first, or deactivate the account instead.")


def membership_create(*, actor, review: Review, user, role: str) -> Membership:
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
        membership_create(actor=actor, review=review, user=user, role=role)
    return list(Membership.objects.filter(review=review, user=user))
