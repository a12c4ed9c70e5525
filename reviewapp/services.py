"""Writes to reviews, their outcomes, members and invitations. Each change is audited in the same transaction."""
from __future__ import annotations

import secrets
import smtplib
from datetime import timedelta
from typing import Any, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, router, transaction
from django.db.models import Max, ProtectedError, Q
from django.db.models.deletion import Collector
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .audit import audit_record, audited_update, snapshot
from .exceptions import ApplicationError
from .models import (
    ApiToken,
    AuditEvent,
    Invitation,
    Membership,
    Outcome,
    Review,
    Webhook,
    api_token_hash,
    invitation_token_hash,
)
from .outcome_references import registered_outcome_references

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
    """Change an outcome; a new name is carried into everything that stores it (outcome data rows,
    appraisals of its results), so no study drops out of its analyses."""
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    old_name = outcome.name
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    outcome = audited_update(actor=actor, review=outcome.review, instance=outcome, fields=fields,
                             allowed=("name", "direction", "note", "position"))
    if outcome.name != old_name:
        for references in registered_outcome_references():
            references.rename(actor=actor, outcome=outcome, old=old_name)
    return outcome


@transaction.atomic
def outcome_delete(*, actor, outcome: Outcome) -> None:
    """Delete an outcome; refused while later stages use it (e.g. an analysis, or outcome data that
    name it), naming what does."""
    before = snapshot(outcome)
    review = outcome.review
    users: list[str] = []
    try:
        Collector(using=router.db_for_write(Outcome)).collect([outcome])  # what delete() checks first
    except ProtectedError as exc:
        users = sorted({f"{o._meta.verbose_name} “{o}”" for o in exc.protected_objects})
    users += [use for references in registered_outcome_references() for use in references.uses(outcome=outcome)]
    if users:
        raise ApplicationError(f"“{outcome.name}” is used by {', '.join(users)}; delete or change "
                               f"{'it' if len(users) == 1 else 'them'} first.")
    outcome.delete()
    audit_record(actor=actor, review=review, action=Action.DELETE, instance=outcome, before=before)


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


# Invitations by e-mail ---------------------------------------------------------------------

INVITATION_SNAPSHOT_EXCLUDE = ("token_hash",)  # the trail never holds anything that opens a link


def _invitation_send(*, invitation: Invitation, token: str, site_url: str) -> None:
    link = site_url.rstrip("/") + reverse("invitation_accept", args=[token])
    context = {"invitation": invitation, "review": invitation.review, "link": link,
               "inviter": invitation.invited_by}
    subject = " ".join(render_to_string("reviewapp/email/invitation_subject.txt", context).split())
    body = render_to_string("reviewapp/email/invitation.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except (OSError, smtplib.SMTPException) as exc:
        # Raised inside the service's transaction: nothing is saved when no e-mail went out.
        raise ApplicationError(f"The invitation e-mail to {invitation.email} could not be sent "
                               f"({exc}); nothing was saved. Try again later.") from exc


@transaction.atomic
def invitation_create(*, actor, review: Review, email: str, roles: Iterable[str],
                      site_url: str) -> Invitation:
    """Invite ``email`` to ``review`` with ``roles`` and e-mail them a link.

    An address that already has a pending invitation gets it again, with a new link (the old
    one stops working), the roles now asked for and a new expiry. ``site_url`` is the scheme
    and host the link points to (e.g. ``https://reviews.example.org``).
    """
    email = email.strip().lower()
    wanted = set(roles)
    if wanted - set(Role.values):
        raise ApplicationError(f"Unknown roles: {', '.join(sorted(wanted - set(Role.values)))}.")
    if not wanted:
        raise ApplicationError("Choose at least one role.")
    roles = [role for role in Role.values if role in wanted]
    member = (Membership.objects.filter(review=review, user__email__iexact=email)
              .select_related("user").first())
    if member:
        raise ApplicationError(f"{email} is already a member of this review "
                               f"({member.user.get_username()}); change their roles in the list above.")
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    pending = Invitation.objects.select_for_update().pending().filter(review=review, email=email).first()
    if pending:
        audited_update(actor=actor, review=review, instance=pending,
                       fields={"roles": roles, "expires_at": expires_at, "invited_by": actor,
                               "token_hash": invitation_token_hash(token)},
                       allowed=("roles", "expires_at", "invited_by", "token_hash"),
                       exclude=INVITATION_SNAPSHOT_EXCLUDE)
        invitation = pending
    else:
        invitation = Invitation(review=review, email=email, roles=roles, invited_by=actor,
                                expires_at=expires_at, token_hash=invitation_token_hash(token))
        invitation.full_clean()
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:  # another lead invited the same address a moment ago
            raise ApplicationError(f"{email} was invited just now by someone else; "
                                   "send it again from the list if needed.") from None
        audit_record(actor=actor, review=review, action=Action.CREATE, instance=invitation,
                     after=snapshot(invitation, exclude=INVITATION_SNAPSHOT_EXCLUDE))
    _invitation_send(invitation=invitation, token=token, site_url=site_url)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ApplicationError(f"The invitation of {invitation.email} was already accepted; "
                               "change their roles in the member list instead.")
    if invitation.revoked_at:
        return invitation
    return audited_update(actor=actor, review=invitation.review, instance=invitation,
                          fields={"revoked_at": timezone.now(), "revoked_by": actor},
                          allowed=("revoked_at", "revoked_by"), exclude=INVITATION_SNAPSHOT_EXCLUDE)


class InvitationUnusable(ApplicationError):
    """The link cannot be used (unknown, expired, revoked or already used); ``state`` says why."""

    def __init__(self, message: str, state: str):
        super().__init__(message, {"state": state})
        self.state = state


INVITATION_REFUSALS = {
    "unknown": "This invitation link is not valid. Check that the whole link was copied from the e-mail.",
    Invitation.State.EXPIRED: "This invitation has expired. Ask the review's lead to invite you again.",
    Invitation.State.REVOKED: "This invitation was withdrawn by the review's lead.",
    Invitation.State.ACCEPTED: "This invitation has already been used. If it was you, sign in to reach the review.",
}


def _invitation_lock_open(token: str) -> Invitation:
    """The pending, unexpired invitation of ``token``, locked for this transaction, or a refusal."""
    invitation = (Invitation.objects.select_for_update().select_related("review")
                  .filter(token_hash=invitation_token_hash(token)).first())
    if invitation is None:
        raise InvitationUnusable(INVITATION_REFUSALS["unknown"], "unknown")
    state = invitation.state
    if state != Invitation.State.OPEN:
        raise InvitationUnusable(INVITATION_REFUSALS[state], state)
    return invitation


def _invitation_claim(*, invitation: Invitation, user) -> Invitation:
    before = snapshot(invitation, exclude=INVITATION_SNAPSHOT_EXCLUDE)
    now = timezone.now()
    # Compare-and-set as well as the row lock: SQLite ignores SELECT ... FOR UPDATE, and two
    # clicks on the same link must still give one acceptance.
    claimed = (Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True)
               .update(accepted_at=now, accepted_by=user))
    if not claimed:
        raise InvitationUnusable(INVITATION_REFUSALS[Invitation.State.ACCEPTED], Invitation.State.ACCEPTED)
    invitation.accepted_at, invitation.accepted_by = now, user
    review = invitation.review
    audit_record(actor=user, review=review, action=Action.UPDATE, instance=invitation, before=before,
                 after=snapshot(invitation, exclude=INVITATION_SNAPSHOT_EXCLUDE))
    have = set(Membership.objects.filter(review=review, user=user).values_list("role", flat=True))
    # Roles are added, never taken away: someone already in the review keeps what they had.
    member_roles_set(actor=user, review=review, user=user, roles=have | set(invitation.roles))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user) -> Invitation:
    """``user`` (signed in) joins the invited review with the invitation's roles. Single use."""
    return _invitation_claim(invitation=_invitation_lock_open(token), user=user)


@transaction.atomic
def invitation_accept_new_account(*, token: str, username: str, password: str):
    """Create an account with the invited address and join the review; returns the new user.

    The form has checked the password against the validators; the account and the membership
    come into being together or not at all.
    """
    invitation = _invitation_lock_open(token)
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ApplicationError(f"An account with the e-mail {invitation.email} already exists: "
                               "sign in with it (or reset its password) and open the link again.")
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(f"The username “{username}” is taken; choose another.")
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=invitation.email, password=password)
    except IntegrityError:
        raise ApplicationError(f"The username “{username}” is taken; choose another.") from None
    audit_record(actor=user, review=invitation.review, action=Action.CREATE, instance=user,
                 after={"username": user.get_username(), "email": user.email},
                 label=f"account {user.get_username()} (from the invitation of {invitation.email})")
    _invitation_claim(invitation=invitation, user=user)
    return user


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
    from . import throttle

    throttle.password_reset(user.get_username(), address)
    return audit_record(
        actor=user, review=None, action=Action.UPDATE, instance=user,
        label=f"sign-in for {user.get_username()} after a password reset from {address or 'unknown address'}"[:300],
        before={"password": "forgotten"}, after={"sign_in": "allowed", "pauses": "cleared", "address": address})


# Personal API tokens ------------------------------------------------------------------------

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


# Webhooks -----------------------------------------------------------------------------------

WEBHOOK_FIELDS = ("url", "events", "active")
WEBHOOK_SNAPSHOT_EXCLUDE = ("secret", "created_at")  # the trail never holds the signing secret


def _webhook_events_check(events) -> list[str]:
    events = list(dict.fromkeys(events or []))
    unknown = [e for e in events if e not in Webhook.Event.values]
    if unknown:
        raise ApplicationError(f"Unknown events: {', '.join(unknown)}; choose among "
                               f"{', '.join(Webhook.Event.values)}.", {"field": "events"})
    if not events:
        raise ApplicationError("Choose at least one event.", {"field": "events"})
    return events


@transaction.atomic
def webhook_create(*, actor, review: Review, url: str, events, secret: str = "", active: bool = True) -> Webhook:
    """Register ``url`` for ``events``; a secret is made when none is given (shown to the lead)."""
    from .webhooks import webhook_url_check

    webhook_url_check(url)
    hook = Webhook(review=review, url=url, events=_webhook_events_check(events), active=active,
                   secret=secret or secrets.token_urlsafe(24), created_by=actor)
    hook.full_clean()
    hook.save()
    audit_record(actor=actor, review=review, action=Action.CREATE, instance=hook,
                 after=snapshot(hook, exclude=WEBHOOK_SNAPSHOT_EXCLUDE), label=f"webhook to {hook.url}")
    return hook


@transaction.atomic
def webhook_update(*, actor, webhook: Webhook, **fields: Any) -> Webhook:
    from .webhooks import webhook_url_check

    if "url" in fields:
        webhook_url_check(fields["url"])
    if "events" in fields:
        fields["events"] = _webhook_events_check(fields["events"])
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    return audited_update(actor=actor, review=webhook.review, instance=webhook, fields=fields,
                          allowed=WEBHOOK_FIELDS, exclude=WEBHOOK_SNAPSHOT_EXCLUDE)


@transaction.atomic
def webhook_delete(*, actor, webhook: Webhook) -> None:
    audit_record(actor=actor, review=webhook.review, action=Action.DELETE, instance=webhook,
                 before=snapshot(webhook, exclude=WEBHOOK_SNAPSHOT_EXCLUDE), label=f"webhook to {webhook.url}")
    webhook.delete()
