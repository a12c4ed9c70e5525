"""Who may accept an invitation: the one rule that the service enforces and that the pages and the
API show (they ask it, and never re-derive it).

- An invitation that names an account (the lead gave its username, or an address only it has) is
  that account's: only it accepts, signed in, from its home page, the API or the e-mailed link.
- An invitation to an address without an account is accepted only with the link e-mailed to that
  address (holding it proves the mailbox), by an account whose e-mail is that address, or by the
  account created for that address from the link. Account addresses are set only by staff or by
  such a link (people cannot change their own here), so an account's address is its own.

Someone else holding a forwarded link therefore cannot join with their own account.
"""
from __future__ import annotations

WRONG_PERSON = ("This invitation is for someone else, not for the account you are signed in with. Sign in "
                "with the account or address it was sent to; to join with this account, ask the review's "
                "lead to invite it.")


def invitation_acceptance_refusal(*, invitation, user, holds_link: bool) -> str | None:
    """Why ``user`` may not accept ``invitation`` (None: they may). ``holds_link``: the request
    carries the e-mailed token, not only the invitation's id."""
    if invitation.user_id is not None:
        return None if invitation.user_id == user.pk else WRONG_PERSON
    address = (getattr(user, "email", "") or "").strip().lower()
    if holds_link and invitation.email and address == invitation.email:
        return None
    return WRONG_PERSON


def invitation_new_account_allowed(*, invitation) -> bool:
    """Whether the link may create an account: only for an address that had none."""
    return invitation.user_id is None and bool(invitation.email)
