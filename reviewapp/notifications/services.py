"""Writes of notifications: telling members of a review (`notify`), marking read, each person's
e-mail choices, the signed unsubscribe link, and the e-mails themselves (`notifications_email`).

Reading one's notifications and choosing one's e-mail are personal, not changes of a review,
so they are not in a review's audit trail.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from ..exceptions import ApplicationError
from ..models import Membership, Review
from . import texts
from .models import EmailMode, Kind, Notification, NotificationPreference

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "reviewapp.notifications.unsubscribe"
DEFAULT_EMAIL = EmailMode.DAILY


# ---------------------------------------------------------------- telling people

def notify(*, review: Review | int, kind: str, recipients: Iterable, link: str, params: dict | None = None,
           group: str = "", count: int = 1, link_many: str = "") -> list[Notification]:
    """Tell each of ``recipients`` (users or ids) who is an active member of ``review``. With a
    ``group``, an unread notice of that group not yet e-mailed grows by ``count`` instead of a new
    one appearing (ten conflicts in a minute are one line), and then points to ``link_many`` (a
    list) if given. Call inside the event's transaction."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    review_id = review if isinstance(review, int) else review.pk
    wanted = {getattr(r, "pk", r) for r in recipients if r is not None}
    members = set(Membership.objects.filter(review_id=review_id, user_id__in=wanted, user__is_active=True)
                  .values_list("user_id", flat=True))
    made = []
    with transaction.atomic():  # the lock on a notice that grows holds until the event commits
        for user_id in sorted(members):
            made.append(_notice_for(user_id, review_id, kind=kind, params=params or {}, group=group, count=count,
                                    link=link, link_many=link_many))
    return made


def _notice_for(user_id: int, review_id: int, *, kind: str, params: dict, group: str, count: int, link: str,
                link_many: str) -> Notification:
    existing = None
    if group:
        existing = (Notification.objects.select_for_update()
                    .filter(recipient_id=user_id, review_id=review_id, kind=kind, group=group,
                            read_at__isnull=True, emailed_at__isnull=True).order_by("-id").first())
    if existing is None:
        return Notification.objects.create(recipient_id=user_id, review_id=review_id, kind=kind, params=params,
                                           group=group, count=count, link=link)
    existing.count += count
    existing.params = {**existing.params, **params}
    existing.link = link_many or link
    existing.save(update_fields=["count", "params", "link", "updated_at"])
    return existing


# ---------------------------------------------------------------- reading

def notification_mark_read(*, user, notification_id: int, review_id: int | None = None) -> Notification:
    rows = Notification.objects.filter(pk=notification_id, recipient=user)
    notification = (rows.filter(review_id=review_id) if review_id is not None else rows).first()
    if notification is None:
        raise ApplicationError("No such notification of yours.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user, review_id: int | None = None) -> int:
    """Mark every unread notification of ``user`` (in one review, if ``review_id``) read; how many were."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if review_id is not None:
        rows = rows.filter(review_id=review_id)
    return rows.update(read_at=timezone.now())


# ---------------------------------------------------------------- e-mail choices

def email_modes(*, user) -> dict[str, str]:
    """Each kind -> how ``user`` hears of it by e-mail (off, immediate, daily)."""
    rows = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    default = rows.get("", DEFAULT_EMAIL)
    return {kind: rows.get(kind, default) for kind in Kind.values}


def _mode_check(mode: str) -> str:
    if mode not in EmailMode.values:
        raise ApplicationError(f"“{mode}” is no e-mail choice; choose one of {', '.join(EmailMode.values)}.",
                               {"field": "email"})
    return mode


@transaction.atomic
def preferences_set(*, user, modes: dict[str, str]) -> dict[str, str]:
    """Set how ``user`` hears of each kind named in ``modes`` (a kind -> off/immediate/daily)."""
    unknown = sorted(set(modes) - set(Kind.values))
    if unknown:
        raise ApplicationError(f"No such kind of notification: {', '.join(unknown)}.", {"field": unknown[0]})
    for kind, mode in modes.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": _mode_check(mode)})
    return email_modes(user=user)


def unsubscribe_token(*, user, kind: str = "") -> str:
    """The secret of a link that turns off ``user``'s e-mail of ``kind`` ("" for every kind).
    Signed with the site's key: it names its person, so it works without signing in and for them only."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple:
    """(user, kind) of a link's secret; ApplicationError when it was not made here or was altered."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = get_user_model().objects.get(pk=int(data["u"]))
        kind = str(data.get("k", ""))
    except (signing.BadSignature, KeyError, TypeError, ValueError, get_user_model().DoesNotExist):
        raise ApplicationError("This unsubscribe link is not valid (it may have been cut short when copied); "
                               "sign in and choose your e-mail on the notifications page.") from None
    if kind and kind not in Kind.values:
        raise ApplicationError("This unsubscribe link names no kind of notification this site sends.")
    return user, kind


@transaction.atomic
def unsubscribe(*, token: str) -> tuple:
    """Turn off the e-mail the link names (one kind, or all); (user, kind)."""
    user, kind = unsubscribe_read(token)
    if kind:
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": EmailMode.OFF})
    else:
        NotificationPreference.objects.filter(user=user).exclude(kind="").delete()
        NotificationPreference.objects.update_or_create(user=user, kind="", defaults={"email": EmailMode.OFF})
    return user, kind


# ---------------------------------------------------------------- e-mail

def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _unsubscribe_url(user, kind: str = "") -> str:
    return _site(reverse("notifications_unsubscribe", args=[unsubscribe_token(user=user, kind=kind)]))


def _message(user, rows: list[Notification], mode: str) -> EmailMessage:
    titles = dict(Review.objects.filter(pk__in={n.review_id for n in rows}).values_list("pk", "title"))
    items = [{"review": titles.get(n.review_id, ""), "text": texts.text_of(n), "link": _site(n.link)} for n in rows]
    labels = dict(Kind.choices)
    kinds = sorted({n.kind for n in rows}, key=Kind.values.index)
    context = {"user": user, "items": items, "mode": mode, "page": _site(reverse("notifications")),
               "unsubscribe_all": _unsubscribe_url(user),
               "unsubscribe_kinds": [(labels[k], _unsubscribe_url(user, k)) for k in kinds]}
    if mode == EmailMode.DAILY:
        subject = ngettext("Your daily digest: %(count)d new notification",
                           "Your daily digest: %(count)d new notifications", len(rows)) % {"count": len(rows)}
    elif len(rows) == 1:
        subject = f"{items[0]['review']}: {items[0]['text']}"[:200]
    else:
        subject = texts.items_phrase(len(rows))
    body = render_to_string("reviewapp/email/notifications.txt", context)
    # One-click unsubscribe (RFC 8058): mail programs offer it beside the sender.
    headers = {"List-Unsubscribe": f"<{context['unsubscribe_all']}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return EmailMessage(" ".join(subject.split()), body, None, [user.email], headers=headers)


def _due(user, mode: str):
    kinds = [kind for kind, chosen in email_modes(user=user).items() if chosen == mode]
    return (Notification.objects.select_for_update(skip_locked=True)
            .filter(recipient=user, kind__in=kinds, emailed_at__isnull=True, read_at__isnull=True,
                    review__in=Review.objects.filter(memberships__user=user).values("pk"))
            .order_by("review_id", "created_at", "id"))


def _email_one(user, mode: str) -> bool:
    """E-mail ``user`` what is due under ``mode``, marking it e-mailed in the same transaction:
    a failed send leaves it due, and a second run finds nothing to send again."""
    with transaction.atomic():
        rows = list(_due(user, mode))
        if not rows:
            return False
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
        _message(user, rows, mode).send()
    return True


def notifications_email(*, mode: str) -> int:
    """Send each person with something due one e-mail (``mode`` immediate: every few minutes;
    daily: the digest); how many e-mails went. A person whose send fails is tried next time."""
    if mode not in (EmailMode.IMMEDIATE, EmailMode.DAILY):
        raise ValueError(f"nothing is e-mailed in mode {mode!r}")
    waiting = (Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True)
               .exclude(recipient__email="").values("recipient_id"))
    sent = 0
    for user in get_user_model().objects.filter(pk__in=waiting, is_active=True).order_by("pk"):
        try:
            sent += _email_one(user, mode)
        except (OSError, smtplib.SMTPException):
            logger.warning("Notifications for user %s could not be e-mailed; they wait for the next run.",
                           user.pk, exc_info=True)
    return sent
