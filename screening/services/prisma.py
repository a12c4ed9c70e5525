"""The lead's answers to the PRISMA 2020 checklist; each changed entry is audited."""
from __future__ import annotations

from django.db import transaction

from reviewapp.audit import audit_record, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Review

from ..models import ChecklistEntry
from ..prisma_checklist import ITEM_KEYS


@transaction.atomic
def checklist_save(*, actor, review: Review, answers: dict[str, tuple[str, str]]) -> int:
    """Store (where reported, note) per item; returns how many entries changed."""
    unknown = set(answers) - set(ITEM_KEYS)
    if unknown:
        raise ApplicationError(f"Unknown checklist items: {', '.join(sorted(unknown))}.")
    current = {e.item: e for e in ChecklistEntry.objects.select_for_update().filter(review=review)}
    changed = 0
    for item, (location, note) in answers.items():
        location, note = location.strip()[:300], note.strip()
        entry = current.get(item)
        if entry is None:
            if not location and not note:
                continue
            entry = ChecklistEntry.objects.create(review=review, item=item, location=location, note=note)
            audit_record(actor=actor, review=review, action=AuditEvent.Action.CREATE, instance=entry,
                         after=snapshot(entry, exclude=("updated_at",)), label=f"PRISMA checklist item {item}")
        elif (entry.location, entry.note) != (location, note):
            before = snapshot(entry, exclude=("updated_at",))
            entry.location, entry.note = location, note
            entry.save()
            audit_record(actor=actor, review=review, action=AuditEvent.Action.UPDATE, instance=entry,
                         before=before, after=snapshot(entry, exclude=("updated_at",)),
                         label=f"PRISMA checklist item {item}")
        else:
            continue
        changed += 1
    return changed
