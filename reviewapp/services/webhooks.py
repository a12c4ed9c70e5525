"""A review's webhooks. Each change is audited in the same transaction."""
from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction

from ..audit import audit_record, audited_update, snapshot
from ..exceptions import ApplicationError
from ..models import AuditEvent, Review, Webhook

Action = AuditEvent.Action


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
    from ..webhooks import webhook_url_check

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
    from ..webhooks import webhook_url_check

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
