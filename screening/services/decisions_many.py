"""Many reviewers' first decisions on title/abstract records at once, as `decision_record` one after
another would store them, in a few statements instead of a dozen round trips each.

For a caller that has the decisions already (the demo's 6,800 title/abstract decisions were about
two thirds of `load_demo`'s time, nearly all of it round trips to the database). The same rows
come out, in the same order, with the same audit trail, conflict notices, webhooks and full-text
items (tests/screening/screening/test_decisions_many.py compares the two ways); only the clock
times are closer together. Every decision must be a new one on a waiting record: anything else
(a change, a settled record, a full text with its reasons and studies) goes through
`decision_record`, and a batch holding one is refused whole.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from reviewapp.audit import audit_events_create, audit_record_event
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Review

from ..models import Claim, Decision, ScreeningItem, ScreeningStage
from .decisions import (
    _announce_conflict,
    _announce_if_stage_finished,
    _decision_snapshot,
    _outcome,
    _retrain_when_settled,
    _validate,
    screening_settings,
)

Status = ScreeningItem.Status
BATCH = 500


@transaction.atomic
def decisions_record_many(*, review: Review, decisions: Sequence[tuple[Any, int, str]]) -> list[Decision]:
    """Store ``decisions``, each (reviewer, title/abstract item id, value), in this order; each reviewer
    is the actor of their own decision. Returns the decisions stored."""
    if not decisions:
        return []
    cfg = screening_settings(review)
    ids = sorted({item_id for _, item_id, _ in decisions})
    items = {item.pk: item for item in ScreeningItem.objects.select_for_update()
             .filter(pk__in=ids, review=review).order_by("id")}
    made: list[Decision] = []
    seen: set[tuple[int, int]] = set(Decision.objects.filter(item_id__in=ids).values_list("item_id", "reviewer_id"))
    counts = {item_id: item.decisions_count for item_id, item in items.items()}
    for reviewer, item_id, value in decisions:
        item = items.get(item_id)
        if item is None:
            raise ApplicationError("No such record to screen in this review.")
        if item.stage != ScreeningStage.TITLE_ABSTRACT or item.status != Status.PENDING or item.resolved_by_id:
            raise ApplicationError(f"Record {item.record_id} is not waiting for title/abstract decisions.")
        _validate(stage=item.stage, value=value, reason="", cfg=cfg)
        if (item_id, reviewer.pk) in seen:
            raise ApplicationError(f"{reviewer.get_username()} has decided record {item.record_id} already.")
        if counts[item_id] >= cfg.reviewers_per_record:
            raise ApplicationError("This record already has all the decisions it needs.")
        seen.add((item_id, reviewer.pk))
        counts[item_id] += 1
        made.append(Decision(review=review, item=item, stage=item.stage, reviewer=reviewer, value=value,
                             reason="", note="", tags=[]))
    Decision.objects.bulk_create(made, batch_size=BATCH)  # ids in this order, as one insert each would give
    audit_events_create([
        audit_record_event(actor=d.reviewer, review=review, action=AuditEvent.Action.CREATE, instance=d,
                           after=_decision_snapshot(d),
                           label=f"{d.get_value_display()} of record {d.item.record_id} "
                                 f"({d.item.get_stage_display().lower()})")
        for d in made])
    for reviewer_id, mine in _by_reviewer(made).items():
        Claim.objects.filter(reviewer_id=reviewer_id, item_id__in=mine).delete()
    _settle_in_rounds(made, items=items, cfg=cfg)
    return made


def _by_reviewer(made: Iterable[Decision]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for d in made:
        found.setdefault(d.reviewer_id, []).append(d.item_id)
    return found


def _settle_in_rounds(made: list[Decision], *, items: dict[int, ScreeningItem], cfg) -> None:
    """What `decision_record` does to the records, step by step: each decision adds one to its record's
    count, then a record at its last seat settles (`_settle`). Round k holds every record's k-th new
    decision, so the progress tallies the triggers keep go through the same steps; full-text items and
    conflict notices follow in the order the records settled."""
    decided: dict[int, list[Decision]] = {}
    for d in Decision.objects.filter(item_id__in=items).exclude(pk__in=[d.pk for d in made]):
        decided.setdefault(d.item_id, []).append(d)
    rounds: list[tuple[list[ScreeningItem], list[ScreeningItem]]] = []  # (counted, settled) in each
    taken: dict[int, int] = {}
    settled: list[ScreeningItem] = []
    for d in made:
        item = items[d.item_id]
        k = taken[item.pk] = taken.get(item.pk, 0) + 1
        if k > len(rounds):
            rounds.append(([], []))
        item.decisions_count += 1
        rounds[k - 1][0].append(ScreeningItem(pk=item.pk, decisions_count=item.decisions_count))
        decided.setdefault(item.pk, []).append(d)
        if item.decisions_count >= cfg.reviewers_per_record:
            item.status, item.reason = _outcome(decided[item.pk], item.stage)
            item.settled_at = timezone.now() if item.is_settled else None
            rounds[k - 1][1].append(item)
            settled.append(item)
    for counted, settling in rounds:
        by_count: dict[int, list[int]] = {}  # one UPDATE per count (bulk_update's CASE is slower)
        for item in counted:
            by_count.setdefault(item.decisions_count, []).append(item.pk)
        for count, pks in by_count.items():
            ScreeningItem.objects.filter(pk__in=pks).update(decisions_count=count)
        ScreeningItem.objects.bulk_update(settling, ["status", "reason", "settled_at"], batch_size=BATCH)
    # Full text next for the included (`_after_settled`'s get_or_create: a record that has its item keeps it).
    included = [item.record_id for item in settled if item.status == Status.INCLUDED]
    have = set(ScreeningItem.objects.filter(record_id__in=included, stage=ScreeningStage.FULL_TEXT)
               .values_list("record_id", flat=True))
    ScreeningItem.objects.bulk_create(
        [ScreeningItem(review_id=cfg.review_id, record_id=record_id, stage=ScreeningStage.FULL_TEXT)
         for record_id in included if record_id not in have],
        batch_size=BATCH)
    for item in settled:
        if item.status == Status.CONFLICT:
            _announce_conflict(item, cfg)
    done = [item for item in settled if item.is_settled]
    if done:  # a retraining queued once if due, as after each settled record; the stage's end at its last
        _retrain_when_settled(done[-1], cfg)
        _announce_if_stage_finished(done[-1])
