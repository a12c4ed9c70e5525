"""Writes to reviews, their outcomes, members and invitations. Each change is audited in the same transaction."""
from __future__ import annotations

import logging
import secrets
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, router, transaction
from django.db.models import Max, ProtectedError
from django.db.models.deletion import Collector
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from .audit import audit_record, audited_update, snapshot
from .exceptions import ApplicationError
from .invitation_rules import invitation_acceptance_refusal, invitation_new_account_allowed
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
from .notifications.models import Kind
from .notifications.services import notify
from .outcome_references import registered_outcome_references

logger = logging.getLogger(__name__)
Action = AuditEvent.Action
Role = Membership.Role
ROLES_REQUIRED = "Choose at least one role: nothing is ticked to begin with, so that nobody gets more than meant."

REVIEW_FIELDS = (
    "title", "question", "population", "intervention", "intervention_name", "comparator", "comparator_name",
    "outcomes_summary", "study_designs", "planned_databases", "search_from", "search_to",
    "search_update_months", "status",
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
    # Browsers send a textarea's lines with CRLF; stored text keeps LF, so saving the protocol
    # unchanged is no change (the browser walk saw "designs: A B -> A B" in the trail).
    fields = {k: v.replace("\r\n", "\n") if isinstance(v, str) else v for k, v in fields.items()}
    return audited_update(actor=actor, review=review, instance=review, fields=fields,
                          allowed=REVIEW_FIELDS, exclude=("updated_at",))


def outcome_name_clean(*, review: Review, name: str, outcome: Outcome | None = None) -> str:
    """An outcome's name as stored (trimmed), refused when another outcome of the review has it
    in any case: analyses, data rows and appraisals find outcomes by name."""
    name = (name or "").strip()
    taken = Outcome.objects.filter(review=review, name__iexact=name)
    if outcome is not None:
        taken = taken.exclude(pk=outcome.pk)
    if name and taken.exists():
        raise ApplicationError("This review already has an outcome of that name.", {"field": "name"})
    return name


@transaction.atomic
def outcome_create(*, actor, review: Review, name: str, direction: str = Outcome.Direction.HIGHER,
                   note: str = "") -> Outcome:
    name = outcome_name_clean(review=review, name=name)
    position = (review.outcomes.aggregate(m=Max("position"))["m"] or 0) + 1
    outcome = Outcome(review=review, name=name, direction=direction, note=note,
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
        fields["name"] = outcome_name_clean(review=outcome.review, name=fields["name"], outcome=outcome)
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
                               f"{ngettext('it', 'them', len(users))} first.")
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


# Invitations: how anyone joins a review -------------------------------------------------------

# The trail never holds anything that opens a link, nor the account a name or address matched
# (a lead reading the trail would learn which names and addresses have accounts).
INVITATION_SNAPSHOT_EXCLUDE = ("token_hash", "user")
IDENTIFIER_MAX_CHARS = 254


def _identifier_parse(identifier: str) -> tuple[str, bool]:
    """The identifier in lower case, and whether it is an e-mail address (else a username)."""
    identifier = identifier.strip().lower()
    if not identifier:
        raise ApplicationError("Give the username or e-mail address of the person to invite.",
                               {"field": "identifier"})
    if len(identifier) > IDENTIFIER_MAX_CHARS:
        raise ApplicationError(f"A username or e-mail address has at most {IDENTIFIER_MAX_CHARS} characters.",
                               {"field": "identifier"})
    try:
        validate_email(identifier)
        return identifier, True
    except ValidationError:
        pass
    try:
        UnicodeUsernameValidator()(identifier)
    except ValidationError:
        raise ApplicationError(f"“{identifier}” is neither a username nor an e-mail address.",
                               {"field": "identifier"}) from None
    return identifier, False


def _account_named(identifier: str, *, is_address: bool):
    """The one active account with this username, or else with this e-mail address; None when
    there is none or more than one (then the address gets a link like any other)."""
    active = get_user_model().objects.filter(is_active=True)
    matches = list(active.filter(username__iexact=identifier)[:2])
    if len(matches) != 1 and is_address:
        matches = list(active.filter(email__iexact=identifier)[:2])
    return matches[0] if len(matches) == 1 else None


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


def invitation_notice_send(*, invitation_id: int, site_url: str) -> bool:
    """E-mail the account an invitation by username names, if it has an address; whether one went.

    Runs as a task after the invitation is saved, for every invitation by username, named account
    or not, so that the lead's answer takes as long either way and never depends on the mail."""
    invitation = (Invitation.objects.select_related("review", "invited_by", "user")
                  .filter(pk=invitation_id).first())
    if invitation is None or invitation.user is None or not invitation.user.email:
        return False
    if invitation.state != Invitation.State.OPEN:
        return False
    context = {"invitation": invitation, "review": invitation.review, "inviter": invitation.invited_by,
               "link": site_url.rstrip("/") + reverse("home")}
    subject = " ".join(render_to_string("reviewapp/email/invitation_subject.txt", context).split())
    body = render_to_string("reviewapp/email/invitation_notice.txt", context)
    try:
        send_mail(subject, body, None, [invitation.user.email])
    except (OSError, smtplib.SMTPException):
        logger.warning("The notice of invitation %s could not be e-mailed; it waits on the home page.",
                       invitation_id, exc_info=True)
        return False
    return True


@transaction.atomic
def invitation_create(*, actor, review: Review, identifier: str, roles: Iterable[str],
                      site_url: str) -> Invitation:
    """Invite the person ``identifier`` names (a username or an e-mail address) to ``review`` with
    ``roles``; they join only when they accept (see ``invitation_rules``).

    The answer is the same whether or not the name or address belongs to an account, so that
    inviting cannot be used to find out who has one: an address always gets a link by e-mail
    (sent here: a failure saves nothing), a username its notice through a task after commit. An
    account the identifier names also sees the invitation on its home page. Inviting a pending
    invitee again re-sends it, with a new link (the old one stops working), the roles now asked
    for and a new expiry. ``site_url`` is the scheme and host links point to.
    """
    wanted = set(roles)
    if wanted - set(Role.values):
        raise ApplicationError(f"Unknown roles: {', '.join(sorted(wanted - set(Role.values)))}.",
                               {"field": "roles"})
    if not wanted:
        raise ApplicationError(ROLES_REQUIRED, {"field": "roles"})
    roles = [role for role in Role.values if role in wanted]
    identifier, is_address = _identifier_parse(identifier)
    # Members' usernames are on the team page already; their addresses are not, so an address
    # is invited even if a member has it (accepting adds roles, never takes any away).
    if not is_address and Membership.objects.filter(review=review, user__username__iexact=identifier).exists():
        raise ApplicationError(f"{identifier} is already a member of this review; change their roles in "
                               "the list above.", {"field": "identifier"})
    account = _account_named(identifier, is_address=is_address)
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    pending = Invitation.objects.select_for_update().pending().filter(review=review, invitee=identifier).first()
    if pending:
        invitation = audited_update(
            actor=actor, review=review, instance=pending,
            fields={"roles": roles, "expires_at": expires_at, "invited_by": actor, "user": account,
                    "token_hash": invitation_token_hash(token)},
            allowed=("roles", "expires_at", "invited_by", "user", "token_hash"), exclude=INVITATION_SNAPSHOT_EXCLUDE)
    else:
        invitation = Invitation(review=review, invitee=identifier, email=identifier if is_address else "",
                                user=account, roles=roles, invited_by=actor, expires_at=expires_at,
                                token_hash=invitation_token_hash(token))
        invitation.full_clean()
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:  # another lead invited the same person a moment ago
            raise ApplicationError(f"{identifier} was invited just now by someone else; "
                                   "send it again from the list if needed.", {"field": "identifier"}) from None
        audit_record(actor=actor, review=review, action=Action.CREATE, instance=invitation,
                     after=snapshot(invitation, exclude=INVITATION_SNAPSHOT_EXCLUDE))
    if is_address:
        _invitation_send(invitation=invitation, token=token, site_url=site_url)
    else:
        invitation_id = invitation.pk
        transaction.on_commit(lambda: _invitation_notice_queue(invitation_id, site_url))
    return invitation


def _invitation_notice_queue(invitation_id: int, site_url: str) -> None:
    """The e-mail about an invitation is a courtesy: a broker that is down loses it (the lead can
    send the invitation again from the list) but never fails the invitation, which has committed."""
    from .tasks import invitation_notice_send as invitation_notice_send_task

    try:
        invitation_notice_send_task.delay(invitation_id, site_url)
    except Exception as exc:  # noqa: BLE001 - kombu and redis raise their own kinds for an unreachable broker
        logger.warning("invitation %s: notice not queued: %s", invitation_id, exc)


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ApplicationError(f"The invitation of {invitation.invitee} was already accepted; "
                               "change their roles in the member list instead.")
    if invitation.revoked_at or invitation.declined_at:
        return invitation
    return audited_update(actor=actor, review=invitation.review, instance=invitation,
                          fields={"revoked_at": timezone.now(), "revoked_by": actor},
                          allowed=("revoked_at", "revoked_by"), exclude=INVITATION_SNAPSHOT_EXCLUDE)


class InvitationUnusable(ApplicationError):
    """The invitation cannot be used (unknown, expired, revoked, declined or already used);
    ``state`` says why."""

    def __init__(self, message: str, state: str):
        super().__init__(message, {"state": state})
        self.state = state


class InvitationRefused(ApplicationError):
    """The invitation is open, but not for the account signed in (``invitation_rules``)."""


INVITATION_REFUSALS = {
    "unknown": "This invitation link is not valid. Check that the whole link was copied from the e-mail.",
    Invitation.State.EXPIRED: "This invitation has expired. Ask the review's lead to invite you again.",
    Invitation.State.REVOKED: "This invitation was withdrawn by the review's lead.",
    Invitation.State.DECLINED: "This invitation was declined. Ask the review's lead to invite you again.",
    Invitation.State.ACCEPTED: "This invitation has already been used. If it was you, sign in to reach the review.",
}


def _invitation_lock_open(*, token: str | None = None, invitation_id: int | None = None) -> Invitation:
    """The open invitation of ``token`` (or of ``invitation_id``), locked for this transaction,
    or a refusal."""
    invitations = Invitation.objects.select_for_update().select_related("review")
    if token is not None:
        invitation = invitations.filter(token_hash=invitation_token_hash(token)).first()
    else:
        invitation = invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise InvitationUnusable(INVITATION_REFUSALS["unknown"], "unknown")
    state = invitation.state
    if state != Invitation.State.OPEN:
        raise InvitationUnusable(INVITATION_REFUSALS[state], state)
    return invitation


def _invitation_for(*, user, token: str | None, invitation_id: int | None) -> Invitation:
    """The open invitation, locked, if ``user`` is the one it invites (else a refusal)."""
    invitation = _invitation_lock_open(token=token, invitation_id=invitation_id)
    refusal = invitation_acceptance_refusal(invitation=invitation, user=user, holds_link=token is not None)
    if refusal:
        raise InvitationRefused(refusal)
    return invitation


def _invitation_close(*, invitation: Invitation, user, fields: dict) -> Invitation:
    """Set ``fields`` on a still-open invitation, once, audited as ``user``'s doing."""
    before = snapshot(invitation, exclude=INVITATION_SNAPSHOT_EXCLUDE)
    # Compare-and-set as well as the row lock: SQLite ignores SELECT ... FOR UPDATE, and two
    # clicks on the same link must still give one answer.
    closed = (Invitation.objects.pending().filter(pk=invitation.pk).update(**fields))
    if not closed:
        invitation.refresh_from_db()
        raise InvitationUnusable(INVITATION_REFUSALS[invitation.state], invitation.state)
    for name, value in fields.items():
        setattr(invitation, name, value)
    audit_record(actor=user, review=invitation.review, action=Action.UPDATE, instance=invitation, before=before,
                 after=snapshot(invitation, exclude=INVITATION_SNAPSHOT_EXCLUDE))
    return invitation


def _invitation_claim(*, invitation: Invitation, user) -> Invitation:
    invitation = _invitation_close(invitation=invitation, user=user,
                                   fields={"accepted_at": timezone.now(), "accepted_by": user})
    review = invitation.review
    have = set(Membership.objects.filter(review=review, user=user).values_list("role", flat=True))
    # Roles are added, never taken away: someone already in the review keeps what they had.
    member_roles_set(actor=user, review=review, user=user, roles=have | set(invitation.roles))
    notify(review=review, kind=Kind.INVITATION, recipients=[invitation.invited_by_id],
           params={"person": user.get_username(), "roles": ", ".join(invitation.role_labels)},
           link=reverse("review_members", args=[review.pk]))
    return invitation


@transaction.atomic
def invitation_accept(*, user, token: str | None = None, invitation_id: int | None = None) -> Invitation:
    """``user`` (signed in) joins the invited review with the invitation's roles, if the invitation
    is theirs: by the e-mailed link's ``token``, or by its id (from their home page or the API)."""
    return _invitation_claim(invitation=_invitation_for(user=user, token=token, invitation_id=invitation_id),
                             user=user)


@transaction.atomic
def invitation_decline(*, user, token: str | None = None, invitation_id: int | None = None) -> Invitation:
    """``user`` says no to an invitation of theirs; it can no longer be accepted."""
    invitation = _invitation_for(user=user, token=token, invitation_id=invitation_id)
    return _invitation_close(invitation=invitation, user=user, fields={"declined_at": timezone.now()})


@transaction.atomic
def invitation_accept_new_account(*, token: str, username: str, password: str):
    """Create an account with the invited address and join the review; returns the new user.

    Only for an invitation to an address that had no account (``invitation_rules``). The form
    has checked the password against the validators; the account and the membership come into
    being together or not at all.
    """
    invitation = _invitation_lock_open(token=token)
    User = get_user_model()
    if not invitation_new_account_allowed(invitation=invitation) or \
            User.objects.filter(email__iexact=invitation.email).exists():
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
