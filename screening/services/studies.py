"""Included studies and their reports: a full text that is included becomes a study; a lead links
further reports (records) of the same study to it. A study keeps every report it ever had."""
from __future__ import annotations

from django.db import transaction

from reviewapp.audit import audit_record, audited_update, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent

from ..models import Record, Study, StudyDesign

Action = AuditEvent.Action


def study_label(record: Record) -> str:
    """“Surname Year”, as forest plots and tables name a study; a letter tells same-named ones apart."""
    first = (record.authors or [""])[0]
    surname = first.split(",")[0].strip() or (record.title[:40] or f"Record {record.pk}")
    base = f"{surname} {record.year}" if record.year else surname
    taken = set(Study.objects.filter(review_id=record.review_id, label__startswith=base)
                .values_list("label", flat=True))
    if base not in taken:
        return base
    for letter in "bcdefghijklmnopqrstuvwxyz":
        if f"{base}{letter}" not in taken:
            return f"{base}{letter}"
    return f"{base} ({record.pk})"


def study_for_included_record(*, actor, record: Record) -> Study:
    """The study of a record whose full text was included: its own new study unless already linked."""
    record = Record.objects.select_for_update().get(pk=record.pk)
    if record.study_id:
        return record.study
    study = Study.objects.create(review_id=record.review_id, label=study_label(record))
    record.study = study
    record.save(update_fields=["study"])
    audit_record(actor=actor, review=record.review, action=Action.CREATE, instance=study,
                 after={**snapshot(study, exclude=("created_at",)), "report": record.pk},
                 label=f"study {study.label}")
    return study


@transaction.atomic
def study_link_report(*, actor, record: Record, study: Study) -> Study:
    """Make ``record`` a report of ``study``. A study left without reports by the move is removed."""
    if record.review_id != study.review_id:
        raise ApplicationError("The record and the study belong to different reviews.")
    if record.duplicate_of_id:
        raise ApplicationError("This record was merged as a duplicate; link the record it was merged into.")
    record = Record.objects.select_for_update().get(pk=record.pk)
    old = record.study
    if old is not None and old.pk == study.pk:
        return study
    record.study = study
    record.save(update_fields=["study"])
    audit_record(actor=actor, review=study.review, action=Action.UPDATE, instance=record,
                 before={"study": old.label if old else None}, after={"study": study.label},
                 label=f"record {record.pk} linked to study {study.label}")
    if old is not None and not old.reports.exists():
        audit_record(actor=actor, review=study.review, action=Action.DELETE, instance=old,
                     before=snapshot(old, exclude=("created_at",)), label=f"study {old.label} (its report moved)")
        old.delete()
    return study


@transaction.atomic
def study_rename(*, actor, study: Study, label: str) -> Study:
    label = label.strip()
    if not label:
        raise ApplicationError("A study needs a name.")
    study = Study.objects.select_for_update().get(pk=study.pk)
    return audited_update(actor=actor, review=study.review, instance=study, fields={"label": label},
                          allowed=("label",), exclude=("created_at",))


@transaction.atomic
def study_design_set(*, actor, study: Study, design: str) -> Study:
    """The lead sets a study's design (a `StudyDesign` value), or clears it ("") so the review's
    design mapping reads it from the extraction again."""
    if design and design not in StudyDesign.values:
        raise ApplicationError(f"Unknown design “{design}”; choose one of: {', '.join(StudyDesign.values)}.",
                               {"field": "design"})
    study = Study.objects.select_for_update().get(pk=study.pk)
    return audited_update(actor=actor, review=study.review, instance=study, fields={"design": design},
                          allowed=("design",), exclude=("created_at",))
