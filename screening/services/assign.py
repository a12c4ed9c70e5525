"""A lead assigns a selection of records to a reviewer's queue at a stage.

Semantics (Covidence's "assigned to me first", not a private list): an assigned record comes first in
the assignee's queue, and one of its places (`reviewers_per_record`) is kept for them until they
decide it, so no two other reviewers can settle it meanwhile. The other place is taken from the pool
as before: blind dual screening still has two different reviewers, and a record is never reserved
whole for one person."""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef

from reviewapp.audit import audit_record
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Review
from reviewapp.permissions import roles_of

from .. import rules
from ..models import Assignment, Decision, ScreeningItem, ScreeningStage
from .decisions import screening_settings

Status = ScreeningItem.Status


def _refusal_for(item: ScreeningItem, *, decided: set[int], seats_taken: dict[int, int],
                 required: int) -> str | None:
    if item.status != Status.PENDING:
        return f"already {item.get_status_display().lower()}"
    if item.pk in decided:
        return "the reviewer has decided it already"
    if seats_taken.get(item.pk, 0) + item.decisions_count >= required:
        return "its places are kept for other reviewers or decided"
    return None


@transaction.atomic
def records_assign(*, actor, review: Review, stage: str, record_ids: Iterable[int], reviewer_id: int) -> dict:
    """Assign the selected records at ``stage`` to the reviewer's queue, in one audited action listing
    their numbers. Records that cannot take the assignment (settled, decided by that reviewer, or with
    every place already kept) are left out and counted, not refused as a whole. Returns
    {"assigned": n, "already": n, "skipped": {record number: why}}."""
    refusal = rules.bulk_assign_refusal(roles=roles_of(user=actor, review=review))
    if refusal:
        raise ApplicationError(refusal)
    if stage not in ScreeningStage.values:
        raise ApplicationError(f"“{stage}” is not a screening stage; choose ta or ft.")
    reviewer = rules.screeners_of(review=review).filter(pk=reviewer_id).first()
    if reviewer is None:
        raise ApplicationError("Assign to a member of this review who screens (a lead or a reviewer).")
    ids = sorted({int(i) for i in record_ids})
    if not ids:
        raise ApplicationError("Select at least one record to assign.")
    if len(ids) > rules.BULK_EXCLUDE_LIMIT:
        raise ApplicationError(f"{len(ids)} records selected; at most {rules.BULK_EXCLUDE_LIMIT} at once.")
    items = list(ScreeningItem.objects.select_for_update().filter(review=review, stage=stage, record_id__in=ids)
                 .select_related("record").order_by("record__number"))
    if len(items) != len(ids):
        raise ApplicationError(f"{len(ids) - len(items)} of the selected records have not reached "
                               f"{ScreeningStage(stage).label.lower()} screening (or are not in this review).")
    item_ids = [i.pk for i in items]
    already = set(Assignment.objects.filter(item_id__in=item_ids, reviewer=reviewer).values_list("item_id", flat=True))
    decided = set(Decision.objects.filter(item_id__in=item_ids, reviewer=reviewer).values_list("item_id", flat=True))
    seats_taken: dict[int, int] = {}
    others = Assignment.objects.filter(item_id__in=item_ids).exclude(reviewer=reviewer).exclude(
        Exists(Decision.objects.filter(item_id=OuterRef("item_id"), reviewer_id=OuterRef("reviewer_id"))))
    for item_id in others.values_list("item_id", flat=True):
        seats_taken[item_id] = seats_taken.get(item_id, 0) + 1
    required = screening_settings(review).reviewers_per_record
    new, skipped = [], {}
    for item in items:
        if item.pk in already:
            continue
        why = _refusal_for(item, decided=decided, seats_taken=seats_taken, required=required)
        if why:
            skipped[item.record.number] = why
        else:
            new.append(item)
    Assignment.objects.bulk_create([Assignment(review=review, item=item, reviewer=reviewer, assigned_by=actor)
                                    for item in new])
    if new:
        numbers = [item.record.number for item in new]
        audit_record(actor=actor, review=review, action=AuditEvent.Action.UPDATE, instance=review, before=None,
                     after={"stage": stage, "assigned to": reviewer.get_username(), "records": numbers},
                     label=f"{len(numbers)} records assigned to {reviewer.get_username()} at "
                           f"{ScreeningStage(stage).label.lower()}: " + ", ".join(f"#{n}" for n in numbers))
    return {"assigned": len(new), "already": len(already), "skipped": skipped}
