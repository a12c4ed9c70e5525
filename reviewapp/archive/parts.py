"""reviewapp's part of the archive: the review, its outcomes and members, and its audit trail.

The audit trail comes last (phase 1): its snapshots name objects of every app by id, as they were
when recorded. On import those ids are translated like foreign keys; an id the archive does not
hold (an object deleted since, or one the archive leaves out, such as a webhook) becomes null, so
no snapshot points to an unrelated object of the target site.
"""
from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model

from ..models import AuditEvent, Membership, Outcome, Review
from ..selectors import audit_csv_rows
from . import fields as F
from .format import ArchiveError
from .registry import ArchivePart, IdLookup, ModelPart, model_parts


def _parts_by_label() -> dict[str, ModelPart]:
    return {p.label: p for p in model_parts()}


def _object_id(value, lookup: IdLookup, row: dict):
    new = lookup(row.get("object_type") or "", value) if value not in (None, "") else None
    return "" if new is None else str(new)


def _snapshot(value, lookup: IdLookup, row: dict):
    """A snapshot of an audited object (`reviewapp.audit.snapshot`: attnames to values) with its ids
    translated: the primary key, foreign keys, people, and the fields the model's own part says
    embed ids. Objects of models the archive leaves out (webhooks, invitations) have no new id,
    so their ids become null too."""
    label = row.get("object_type") or ""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return value
    if not isinstance(value, dict):
        return value
    part = _parts_by_label().get(label)
    users = get_user_model()._meta.label
    out = dict(value)

    def translate(key: str, target: str) -> None:
        if out.get(key) is not None:
            out[key] = lookup(target, out[key])

    translate("id", label)
    for p in F.plan(model):
        key = p.field.attname
        if p.kind == F.REF:
            translate(key, p.target)
        elif p.kind == F.USER:
            translate(key, users)
        elif p.kind == F.REVIEW:
            translate(key, Review._meta.label)
        elif part is not None and p.name in part.embedded_ids and key in out:
            try:
                out[key] = part.embedded_ids[p.name](out[key], lookup, out)
            except ArchiveError:  # history may name objects deleted since: they stay as recorded
                pass
    for key, target in (part.audit_ids.items() if part is not None else ()):
        translate(key, target)
    return out


def _not_the_demo(row: dict) -> dict:
    return {**row, "is_demo": False}


def parts() -> list[ArchivePart]:
    """reviewapp's parts of an archive (``archive_parts`` on its AppConfig)."""
    return [ArchivePart(app="reviewapp", models=(
        # An imported review is never the site's demo: load_demo takes the demo review by its flag
        # and title, and must not fill (and add its people to) a review an archive brought in.
        ModelPart(Review, lambda review: Review.objects.filter(pk=review.pk), adjust=_not_the_demo),
        ModelPart(Outcome, lambda review: Outcome.objects.filter(review=review)),
        ModelPart(Membership, lambda review: Membership.objects.filter(review=review)),
    )), ArchivePart(
        app="reviewapp", phase=1,
        models=(ModelPart(AuditEvent, lambda review: AuditEvent.objects.filter(review=review),
                          embedded_ids={"object_id": _object_id, "before": _snapshot, "after": _snapshot}),),
        csvs={"audit.csv": lambda review: audit_csv_rows(
            AuditEvent.objects.filter(review=review).order_by("created_at", "id"))},
    )]
