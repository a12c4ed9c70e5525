"""The audit trail in the words of the people who use it.

The stored events keep model labels and JSON snapshots (evidence, never rewritten); this
module turns one into a summary line ("Import of EMBASE file embase.ris") and a
field-by-field difference with the fields' own names ("Searches cover from: 2000-01-01 ->
—"). Stage apps register summaries for their kinds of object, as they register dashboard
stages, so reviewapp does not need to know their models.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

from .extensions import declared_mapping
from .models import AuditEvent, Membership
from .people import display_name

EMPTY = "—"
# Snapshot keys that say nothing to a reader: every event of a review has the same review, and a
# background job's bookkeeping (which process took it, its attempt, its progress, its inputs' hash)
# is the operator's, not the review's (manage.py jobs shows it).
HIDDEN = {"id", "review_id", "claimed_by", "claimed_at", "attempts", "progress", "input_hash"}
_BLANK = (None, "", [], {})
# Values longer than this are cut on the page; the CSV keeps them whole.
SHORT = 300


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class EventDisplay:
    summary: str
    kind: str
    changes: list[Change] = field(default_factory=list)
    who: str = ""


Summary = Callable[[AuditEvent], "str | None"]


# (model label, field name) -> words for a stored value that holds keys people do not know, such as
# the extraction fields an analysis names; declared by the app that owns the model.
ValueWords = Callable[[AuditEvent, Any], "str | None"]


@cache
def _summaries() -> dict[str, Summary]:
    """Model label -> ``summary(event)`` wording its events (None falls back), from every app's
    ``audit_summaries`` (extensions.py)."""
    return declared_mapping("audit_summaries")


@cache
def _value_words() -> dict[tuple[str, str], ValueWords]:
    """(model label, field) -> ``words(event, value)`` (None falls back), from ``audit_values``."""
    return declared_mapping("audit_values")


def model_of(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None  # a model since removed: the trail still shows its events


def kind_name(object_type: str) -> str:
    model = model_of(object_type)
    if model is None:
        return object_type.rsplit(".", 1)[-1].lower()
    return str(model._meta.verbose_name)


def _fields_by_key(model: type[models.Model] | None) -> dict[str, models.Field]:
    if model is None:
        return {}
    return {f.attname: f for f in model._meta.concrete_fields}


def field_label(key: str, model_field: models.Field | None) -> str:
    if model_field is not None:
        name = str(model_field.verbose_name)
        return name[:1].upper() + name[1:]
    name = key.removesuffix("_id").replace("_", " ")
    return name[:1].upper() + name[1:]


def _related_name(model_field: models.Field, value: Any, names: dict) -> str:
    """What a stored foreign key points at, by name: a person's name, an object's own wording.
    ``names`` remembers each answer for the rest of the page or download."""
    related = model_field.related_model
    key = (related._meta.label, value)
    if key not in names:
        obj = related._default_manager.filter(pk=value).first()
        if obj is None:
            names[key] = f"{related._meta.verbose_name} #{value} (since deleted)"
        elif hasattr(obj, "get_username"):
            names[key] = display_name(obj)
        elif type(obj).__str__ is not models.Model.__str__:
            names[key] = str(obj)
        else:
            names[key] = f"{related._meta.verbose_name} #{value}"
    return names[key]


def _moment(value: str) -> str:
    """A stored ISO timestamp in the reader's time zone, naming the zone."""
    moment = parse_datetime(value)
    if moment is None:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return date_format(timezone.localtime(moment), "Y-m-d H:i T")


def format_value(value: Any, model_field: models.Field | None = None, names: dict | None = None) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if model_field is not None and model_field.is_relation:
        return _related_name(model_field, value, {} if names is None else names)
    if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
        return _moment(value)
    if isinstance(value, list):
        return "; ".join(format_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    return str(value)


def event_changes(event: AuditEvent, names: dict | None = None) -> list[Change]:
    """Field by field: what changed (an update), what was set (a create), what was there (a delete)."""
    by_key = _fields_by_key(model_of(event.object_type))
    before, after = event.before or {}, event.after or {}
    if event.action == AuditEvent.Action.UPDATE:
        keys = [k for k in _ordered(by_key, before, after)
                if before.get(k) != after.get(k) and not (before.get(k) in _BLANK and after.get(k) in _BLANK)]
    else:
        values = after if event.action == AuditEvent.Action.CREATE else before
        keys = [k for k in _ordered(by_key, values) if values.get(k) not in _BLANK]
    changes = []
    names = {} if names is None else names
    for key in keys:
        if key in HIDDEN:
            continue
        model_field = by_key.get(key)
        words = _value_words().get((event.object_type, key))

        def shown(value, model_field=model_field, words=words) -> str:
            if words is not None and value not in (None, "", []):
                try:
                    worded = words(event, value)
                except (KeyError, TypeError, ValueError, AttributeError):
                    worded = None  # a value stored in an older shape: shown as stored
                if worded:
                    return worded
            return format_value(value, model_field, names)

        changes.append(Change(
            label=field_label(key, model_field),
            before=shown(before.get(key)) if key in before else EMPTY,
            after=shown(after.get(key)) if key in after else EMPTY))
    return changes


def _ordered(by_key: dict, *snapshots: dict) -> list[str]:
    """The model's field order first, then any extra keys a service added."""
    present = set().union(*snapshots)
    return [k for k in by_key if k in present] + sorted(present - set(by_key))


VERBS = {AuditEvent.Action.CREATE: "added", AuditEvent.Action.UPDATE: "changed", AuditEvent.Action.DELETE: "deleted"}


def default_summary(event: AuditEvent) -> str:
    kind = kind_name(event.object_type)
    label = f" “{event.object_label}”" if event.object_label else ""
    return f"{kind[:1].upper()}{kind[1:]}{label} {VERBS.get(event.action, event.action)}"


def describe(event: AuditEvent, names: dict | None = None) -> EventDisplay:
    """``names``: a dict shared by the events of one page or download, so each person or object
    named in them is looked up once."""
    summary = None
    wording = _summaries().get(event.object_type)
    if wording is not None:
        try:
            summary = wording(event)
        except (KeyError, TypeError, ValueError, AttributeError):
            summary = None  # an event stored in an older shape: fall back to the plain wording
    return EventDisplay(summary=summary or default_summary(event), kind=kind_name(event.object_type),
                        changes=event_changes(event, names),
                        who=display_name(event.actor) if event.actor_id and event.actor else event.actor_label)


# The review's own kinds of object.

def _review_summary(event: AuditEvent) -> str | None:
    if event.action == AuditEvent.Action.CREATE:
        return f"Review “{event.object_label}” created"
    if event.action == AuditEvent.Action.UPDATE:
        return "Protocol changed"
    return None


def _outcome_summary(event: AuditEvent) -> str | None:
    return f"Outcome “{event.object_label}” {VERBS[event.action]}"


def _membership_summary(event: AuditEvent) -> str | None:
    # Labelled "<username> as <role>" by the services.
    username, _, role = event.object_label.rpartition(" as ")
    if not username:
        return None
    role_label = Membership.Role(role).label
    if event.action == AuditEvent.Action.CREATE:
        return f"Role of {username} changed: {role_label} added"
    if event.action == AuditEvent.Action.DELETE:
        return f"Role of {username} changed: {role_label} removed"
    return f"Role of {username} changed"

