"""A lead's actions on a selection of records: tagging and untagging them, and excluding them at a
stage with one reason."""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from reviewapp.audit import audit_record
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Review
from reviewapp.permissions import roles_of

from .. import rules
from ..models import Claim, Decision, Record, RecordTag, ScreeningItem, ScreeningStage
from .decisions import _announce_if_stage_finished, _retrain_when_settled, _validate, screening_settings

Status = ScreeningItem.Status


@transaction.atomic
def records_exclude(*, actor, review: Review, stage: str, record_ids: Iterable[int], reason: str) -> int:
    """Exclude the selected records at ``stage`` with ``reason``, as the lead's resolution, in one
    audited action that lists their numbers. All or nothing: if any record cannot be excluded
    (`rules.bulk_exclude_item_refusal`), nothing changes and the refusal names each such record."""
    refusal = rules.bulk_exclude_refusal(roles=roles_of(user=actor, review=review))
    if refusal:
        raise ApplicationError(refusal)
    if stage not in ScreeningStage.values:
        raise ApplicationError(f"“{stage}” is not a screening stage; choose ta or ft.")
    ids = sorted({int(i) for i in record_ids})
    if not ids:
        raise ApplicationError("Select at least one record to exclude.")
    if len(ids) > rules.BULK_EXCLUDE_LIMIT:
        raise ApplicationError(f"{len(ids)} records selected; at most {rules.BULK_EXCLUDE_LIMIT} at once.")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Give the reason these records are excluded.")
    if len(reason) > 200:
        raise ApplicationError(f"The reason is {len(reason)} characters long; at most 200.")
    cfg = screening_settings(review)
    _validate(stage=stage, value=Decision.Value.EXCLUDE, reason=reason, cfg=cfg)
    items = list(ScreeningItem.objects.select_for_update().filter(review=review, stage=stage, record_id__in=ids)
                 .select_related("record").order_by("record__number"))
    missing = set(ids) - {item.record_id for item in items}
    if missing:
        raise ApplicationError(f"{len(missing)} of the selected records have not reached "
                               f"{ScreeningStage(stage).label.lower()} screening (or are not in this review).")
    refused = [(item.record.number, why) for item in items if (why := rules.bulk_exclude_item_refusal(item=item))]
    if refused:
        listed = "; ".join(f"#{number}: {why}" for number, why in refused[:20])
        more = f" and {len(refused) - 20} more" if len(refused) > 20 else ""
        raise ApplicationError(f"Nothing was excluded: {len(refused)} of the selected records cannot be "
                               f"({listed}{more}).")
    now = timezone.now()
    ScreeningItem.objects.filter(pk__in=[i.pk for i in items]).update(
        status=Status.EXCLUDED, reason=reason, resolved_by=actor, settled_at=now,
        resolution_note="Excluded by the lead with a selection of records.")
    Claim.objects.filter(item__in=[i.pk for i in items]).delete()
    numbers = [item.record.number for item in items]
    audit_record(actor=actor, review=review, action=AuditEvent.Action.UPDATE, instance=review, before=None,
                 after={"stage": stage, "reason": reason, "records": numbers},
                 label=f"{len(numbers)} records excluded at {ScreeningStage(stage).label.lower()} "
                       f"by the lead: " + ", ".join(f"#{n}" for n in numbers))
    last = items[-1]
    last.refresh_from_db()
    _retrain_when_settled(last, cfg)
    _announce_if_stage_finished(last)
    return len(items)


@transaction.atomic
def records_tag(*, actor, review: Review, record_ids: Iterable[int], name: str, add: bool = True) -> int:
    """Put the tag ``name`` on the selected records (``add``) or take it off, in one audited action
    listing the records it changed; returns how many changed."""
    refusal = rules.bulk_tag_refusal(roles=roles_of(user=actor, review=review))
    if refusal:
        raise ApplicationError(refusal)
    name = name.strip()
    if not name:
        raise ApplicationError("Give the tag's name.")
    if len(name) > 50:
        raise ApplicationError(f"The tag is {len(name)} characters long; at most 50.")
    ids = sorted({int(i) for i in record_ids})
    if not ids:
        raise ApplicationError("Select at least one record.")
    if len(ids) > rules.BULK_EXCLUDE_LIMIT:
        raise ApplicationError(f"{len(ids)} records selected; at most {rules.BULK_EXCLUDE_LIMIT} at once.")
    records = dict(Record.objects.filter(review=review, pk__in=ids).values_list("pk", "number"))
    if len(records) != len(ids):
        raise ApplicationError(f"{len(ids) - len(records)} of the selected records are not in this review.")
    tagged = set(RecordTag.objects.filter(record_id__in=ids, name=name).values_list("record_id", flat=True))
    if add:
        changed = [pk for pk in ids if pk not in tagged]
        RecordTag.objects.bulk_create([RecordTag(review=review, record_id=pk, name=name) for pk in changed])
    else:
        changed = [pk for pk in ids if pk in tagged]
        RecordTag.objects.filter(record_id__in=changed, name=name).delete()
    if changed:
        numbers = sorted(records[pk] for pk in changed)
        audit_record(actor=actor, review=review, action=AuditEvent.Action.UPDATE, instance=review, before=None,
                     after={"tag": name, "added" if add else "removed": numbers},
                     label=f"tag “{name}” {'put on' if add else 'taken off'} {len(numbers)} records: "
                           + ", ".join(f"#{n}" for n in numbers))
    return len(changed)
