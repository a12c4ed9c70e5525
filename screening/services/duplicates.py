"""A lead's decisions on duplicate pairs: merge, keep apart, un-merge, back to the queue. Each is
audited and reversible."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from reviewapp.audit import audit_record, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent

from ..models import DuplicatePair, Record
from .decisions import screening_items_sync

Status = DuplicatePair.Status
_SNAPSHOT_EXCLUDE = ("created_at",)


def _primary(record: Record) -> Record:
    # Merges always point at a primary (never at another duplicate), so one step suffices.
    return record.duplicate_of if record.duplicate_of_id else record


def _locked(pair: DuplicatePair) -> DuplicatePair:
    return (DuplicatePair.objects.select_for_update(of=("self",))
            .select_related("record_a__duplicate_of", "record_b__duplicate_of", "review").get(pk=pair.pk))


def _label(pair: DuplicatePair) -> str:
    return f"records {pair.record_a_id} and {pair.record_b_id}"


@transaction.atomic
def duplicate_merge(*, actor, pair: DuplicatePair) -> DuplicatePair:
    """Merge record_b's group into record_a's: the earlier record stays primary, every source is kept."""
    pair = _locked(pair)
    if pair.status == Status.MERGED:
        raise ApplicationError("These records are already merged.")
    before = snapshot(pair, exclude=_SNAPSHOT_EXCLUDE)
    primary, secondary = _primary(pair.record_a), _primary(pair.record_b)
    if secondary.pk < primary.pk:
        primary, secondary = secondary, primary
    moved: list[int] = []
    if primary.pk != secondary.pk:
        moved = [secondary.pk, *Record.objects.filter(duplicate_of=secondary).order_by("id")
                 .values_list("id", flat=True)]
        Record.objects.filter(pk__in=moved).update(duplicate_of=primary)
    pair.status = Status.MERGED
    pair.moved_ids = moved
    pair.decided_by = actor
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "moved_ids", "decided_by", "decided_at"])
    after = snapshot(pair, exclude=_SNAPSHOT_EXCLUDE)
    after["primary_id"] = primary.pk
    audit_record(actor=actor, review=pair.review, action=AuditEvent.Action.UPDATE, instance=pair,
                 before=before, after=after, label=f"merge of {_label(pair)}")
    screening_items_sync(review_id=pair.review_id)
    return pair


@transaction.atomic
def duplicate_keep_apart(*, actor, pair: DuplicatePair) -> DuplicatePair:
    """Decide that the two records are different reports; the pair leaves the queue."""
    pair = _locked(pair)
    if pair.status == Status.MERGED:
        raise ApplicationError("These records are merged; un-merge them to keep them apart.")
    if pair.status == Status.KEPT_APART:
        raise ApplicationError("These records are already kept apart.")
    before = snapshot(pair, exclude=_SNAPSHOT_EXCLUDE)
    pair.status = Status.KEPT_APART
    pair.decided_by = actor
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=actor, review=pair.review, action=AuditEvent.Action.UPDATE, instance=pair,
                 before=before, after=snapshot(pair, exclude=_SNAPSHOT_EXCLUDE),
                 label=f"keep apart {_label(pair)}")
    return pair


@transaction.atomic
def duplicate_unmerge(*, actor, pair: DuplicatePair, keep_apart: bool = True) -> DuplicatePair:
    """Undo a merge (automatic or by a lead): the moved records become their own group again.

    The pair is then kept apart, so a later import does not merge them back silently; or, with
    ``keep_apart=False``, it waits in the queue for a fresh decision.
    """
    pair = _locked(pair)
    if pair.status != Status.MERGED:
        raise ApplicationError("These records are not merged.")
    before = snapshot(pair, exclude=_SNAPSHOT_EXCLUDE)
    moved = list(pair.moved_ids or [])
    if moved:
        head, rest = moved[0], moved[1:]
        primary_id = _primary(pair.record_a).pk
        if primary_id == head:  # record_a was the one moved (it was the later record)
            primary_id = _primary(pair.record_b).pk
        # Only records still under that primary: a later decision may have moved some elsewhere.
        Record.objects.filter(pk=head, duplicate_of_id=primary_id).update(duplicate_of=None)
        Record.objects.filter(pk__in=rest, duplicate_of_id=primary_id).update(duplicate_of_id=head)
    pair.moved_ids = []
    if keep_apart:
        pair.status = Status.KEPT_APART
        pair.decided_by = actor
        pair.decided_at = timezone.now()
    else:
        _undecided(pair)
    pair.save(update_fields=["status", "moved_ids", "decided_by", "decided_at"])
    audit_record(actor=actor, review=pair.review, action=AuditEvent.Action.UPDATE, instance=pair,
                 before=before, after=snapshot(pair, exclude=_SNAPSHOT_EXCLUDE),
                 label=f"un-merge of {_label(pair)}")
    screening_items_sync(review_id=pair.review_id)
    return pair


def duplicate_unmerge_to_queue(*, actor, pair: DuplicatePair) -> DuplicatePair:
    """Undo a merge and put the pair back in the queue, waiting for a decision."""
    return duplicate_unmerge(actor=actor, pair=pair, keep_apart=False)


@transaction.atomic
def duplicate_reopen(*, actor, pair: DuplicatePair) -> DuplicatePair:
    """Take back "kept apart": the pair waits in the queue for a decision again."""
    pair = _locked(pair)
    if pair.status == Status.POSSIBLE:
        raise ApplicationError("This pair is already waiting for a decision.")
    if pair.status == Status.MERGED:
        raise ApplicationError("These records are merged; un-merge them to put the pair back in the queue.")
    before = snapshot(pair, exclude=_SNAPSHOT_EXCLUDE)
    _undecided(pair)
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=actor, review=pair.review, action=AuditEvent.Action.UPDATE, instance=pair,
                 before=before, after=snapshot(pair, exclude=_SNAPSHOT_EXCLUDE),
                 label=f"back to the queue: {_label(pair)}")
    return pair


def _undecided(pair: DuplicatePair) -> None:
    # Who reopened it, and when, stays in the audit trail; the pair itself is undecided again.
    pair.status = Status.POSSIBLE
    pair.decided_by = None
    pair.decided_at = None


# The decisions a lead may take on a pair, by the name the page and the API send: one table, so the
# page and its API twin offer the same.
DUPLICATE_ACTIONS = {
    "merge": duplicate_merge,
    "keep_apart": duplicate_keep_apart,
    "unmerge": duplicate_unmerge,
    "unmerge_to_queue": duplicate_unmerge_to_queue,
    "reopen": duplicate_reopen,
}
