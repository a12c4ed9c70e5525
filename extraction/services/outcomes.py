"""The outcome names stored in answers follow the protocol's outcomes (see reviewapp.outcome_references).

A rename carries the name into every entry (answers and the draft a refused save kept), every
consensus, every settled value and every appraisal of one of the outcome's results, in the rename's
transaction and audited; an outcome that any of them names is not deleted.
"""
from __future__ import annotations

from django.db import transaction

from reviewapp.audit import audit_record
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Outcome
from reviewapp.outcome_references import OutcomeReferences

from .. import outcome_names as names
from ..appraisal import tools
from ..models import Entry, Extraction, Settlement


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def outcome_uses(*, outcome: Outcome) -> list[str]:
    """What names the outcome: the answers of studies (extraction forms) and appraisals of its results."""
    studies: set[int] = set()
    appraisals = 0
    extractions = (Extraction.objects.filter(review_id=outcome.review_id).select_related("version")
                   .prefetch_related("entries__version"))
    for extraction in extractions:
        if extraction.target:
            appraisals += names.same_name(tools.target_parse(extraction.target)[0], outcome.name)
            continue
        stored = [(extraction.version.definition, extraction.consensus)]
        stored += [(e.version.definition, e.answers) for e in extraction.entries.all()]
        if any(names.same_name(n, outcome.name) for definition, answers in stored
               for n in names.names_in_answers(definition, answers)):
            studies.add(extraction.study_id)
    out = []
    if studies:
        out.append(f"the extracted data of {_plural(len(studies), 'study', 'studies')}")
    if appraisals:
        out.append(f"{_plural(appraisals, 'risk-of-bias appraisal', 'risk-of-bias appraisals')} of its results")
    return out


@transaction.atomic
def outcome_rename_carry(*, actor, outcome: Outcome, old: str) -> int:
    """Rewrite every stored ``old`` name (case and spacing aside) to the outcome's name; returns how
    many values changed. Versions' retired answers stay as they were: they record the past."""
    new = outcome.name

    def change(name: str) -> str | None:
        return new if names.same_name(name, old) else None

    counts = {"answers": 0, "consensus": 0, "settled": 0, "appraisals": 0}
    extractions = (Extraction.objects.select_for_update().filter(review_id=outcome.review_id)
                   .select_related("version", "template"))
    for extraction in extractions:
        definition = extraction.version.definition
        fields = ["updated_at"]
        if extraction.consensus is not None and names.rename_in_answers(definition, extraction.consensus, change):
            counts["consensus"] += 1
            fields.append("consensus")
        target_outcome, effect = tools.target_parse(extraction.target)
        if extraction.target and names.same_name(target_outcome, old):
            target = tools.target_make(new, effect)
            if Extraction.objects.filter(template=extraction.template, study=extraction.study_id,
                                         target=target).exists():
                raise ApplicationError(f"An appraisal of “{new}” exists already for a study that has one of "
                                       f"“{old}”; delete one of the two first.")
            extraction.target = target
            counts["appraisals"] += 1
            fields.append("target")
        if len(fields) > 1:
            extraction.save(update_fields=fields)
        for entry in Entry.objects.select_for_update().filter(extraction=extraction).select_related("version"):
            changed = names.rename_in_answers(entry.version.definition, entry.answers, change)
            changed += names.rename_in_draft(entry.version.definition, entry.draft, change)
            if changed:
                entry.save(update_fields=["answers", "draft", "updated_at"])
                counts["answers"] += 1
        for settlement in Settlement.objects.select_for_update().filter(extraction=extraction):
            if names.is_outcome_path(definition, settlement.path):
                settlement.value, n = names.changed(settlement.value, change)
                if n:
                    settlement.save(update_fields=["value"])
                    counts["settled"] += 1
    total = sum(counts.values())
    if total:
        audit_record(actor=actor, review=outcome.review, action=AuditEvent.Action.UPDATE, instance=outcome,
                     before={"name in stored answers": old}, after={"name in stored answers": new, **counts},
                     label=f"outcome “{old}” renamed “{new}” in {total} stored answers")
    return total


def references() -> OutcomeReferences:
    """What extraction holds of outcomes (``outcome_references`` on its AppConfig)."""
    return OutcomeReferences(uses=outcome_uses, rename=outcome_rename_carry)
