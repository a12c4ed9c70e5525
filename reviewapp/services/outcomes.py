"""The review's outcomes: their names, directions and removal. Each change is audited in the same transaction."""
from __future__ import annotations

from typing import Any

from django.db import router, transaction
from django.db.models import Max, ProtectedError
from django.db.models.deletion import Collector
from django.utils.translation import ngettext

from ..audit import audit_record, audited_update, snapshot
from ..exceptions import ApplicationError
from ..models import AuditEvent, Outcome, Review
from ..outcome_references import registered_outcome_references

Action = AuditEvent.Action


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
