"""Invitations: how anyone joins a review (sent, revoked, accepted or declined, or a new account made
from one). Each change is audited in the same transaction."""
from __future__ import annotations

import logging
import secrets
import smtplib
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..audit import audit_record, audited_update, snapshot
from ..exceptions import ApplicationError
from ..invitation_rules import invitation_acceptance_refusal, invitation_new_account_allowed
from ..models import AuditEvent, Invitation, Membership, Review, invitation_token_hash
from ..notifications.models import Kind
from ..notifications.services import notify
from ..people import display_name
from .members import ROLES_REQUIRED, member_roles_set

logger = logging.getLogger(__name__)
Action = AuditEvent.Action
Role = Membership.Role


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
    from ..tasks import invitation_notice_send as invitation_notice_send_task

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
           params={"person": display_name(user), "roles": ", ".join(invitation.role_labels)},
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
