"""Recording the audit trail: every create, change and delete of review data goes through here."""
from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from .models import AuditEvent, Review


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "url"):  # a FieldFile
        return value.name or None
    return value


def snapshot(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The concrete field values of ``instance`` as JSON-safe data (foreign keys as ids)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.attname] = _json_value(getattr(instance, field.attname))
    return data


def _without_stamps(instance: models.Model, values: dict | None) -> dict | None:
    stamps = {f.attname for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)}
    return None if values is None else {k: v for k, v in values.items() if k not in stamps}


def audit_record(
    *,
    actor,
    review: Review | None,
    action: str,
    instance: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    label: str | None = None,
) -> AuditEvent | None:
    """Store one audit event; an update that changed nothing is not recorded.

    A save moves the row's auto_now stamp (updated_at) even when nothing else changed; such a
    save alone is not a change anyone made, so it is left out too.
    """
    event = audit_record_event(actor=actor, review=review, action=action, instance=instance, before=before,
                               after=after, label=label)
    if event is not None:
        event.save(force_insert=True)
    return event


def audit_record_event(
    *,
    actor,
    review: Review | None,
    action: str,
    instance: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    label: str | None = None,
) -> AuditEvent | None:
    """The event `audit_record` stores, not yet saved (None for an update that changed nothing)."""
    if action == AuditEvent.Action.UPDATE and _without_stamps(instance, before) == _without_stamps(instance, after):
        return None
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        review=review,
        review_label=str(review)[:300] if review else "",
        actor=actor_obj,
        actor_label=actor_obj.get_username() if actor_obj else "system",
        action=action,
        object_type=instance._meta.label,
        object_id=str(instance.pk or ""),
        object_label=(label or str(instance))[:300],
        before=before,
        after=after,
    )


def audit_events_create(events: list[AuditEvent | None]) -> list[AuditEvent]:
    """Store many events from `audit_record_event` at once, in their order (ids and times ascending,
    as one `audit_record` after another would give them)."""
    return AuditEvent.objects.bulk_create([e for e in events if e is not None], batch_size=1000)


def audited_update(
    *,
    actor,
    review: Review,
    instance: models.Model,
    fields: dict[str, Any],
    allowed: tuple[str, ...],
    exclude: tuple[str, ...] = (),
) -> models.Model:
    """Set ``fields`` on a row locked for update, validate, save and audit the change.

    Call it inside a transaction, with ``instance`` fetched by ``select_for_update``, so two
    people saving at once cannot both base their change on the same old values.
    """
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {instance._meta.model_name} fields: {sorted(unknown)}")
    before = snapshot(instance, exclude=exclude)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    audit_record(actor=actor, review=review, action=AuditEvent.Action.UPDATE, instance=instance,
                 before=before, after=snapshot(instance, exclude=exclude))
    return instance
