"""Screening: the queue, decisions, conflicts and their resolution.

The decisions are the log: a record's place (waiting, in conflict, included, excluded, not
retrieved) is recomputed from them after every change, inside the same transaction and with
the record's row locked, so two reviewers deciding at once can never both take the last
place, and a double submit can never store two decisions (a database constraint holds one
decision per reviewer and record and stage in any case).
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from reviewapp.audit import audit_record, audited_update, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Review, Webhook
from reviewapp.notifications.models import Kind
from reviewapp.notifications.services import notify
from reviewapp.permissions import roles_of
from reviewapp.webhooks import emit

from .. import rules
from ..highlight import keyword_list_problem
from ..identifiers import resolver_problem
from ..models import Assignment, Claim, Decision, Record, ScreeningItem, ScreeningSettings, ScreeningStage
from .studies import study_for_included_record

Action = AuditEvent.Action
Status = ScreeningItem.Status
Stage = ScreeningStage
V = Decision.Value

# How long a record shown to a reviewer stays theirs: long enough to read a full text, short
# enough that a closed tab does not keep a record from others for long.
CLAIM_MINUTES = 30
VALUES_BY_STAGE = {
    Stage.TITLE_ABSTRACT: (V.INCLUDE, V.MAYBE, V.EXCLUDE),
    Stage.FULL_TEXT: (V.INCLUDE, V.EXCLUDE, V.NOT_RETRIEVED),
}


def decisions_values(stage: str) -> tuple[str, ...]:
    """The decisions a reviewer can make at this stage, in the order the page offers them."""
    return VALUES_BY_STAGE[stage]


SETTINGS_FIELDS = ("reviewers_per_record", "blind", "criteria", "include_keywords", "exclude_keywords",
                   "exclusion_reasons", "conflict_resolver", "prioritise", "fulltext_resolver")


def screening_settings(review: Review) -> ScreeningSettings:
    """The review's settings row, created with the defaults the first time it is needed."""
    cfg, _ = ScreeningSettings.objects.get_or_create(review=review)
    return cfg


# A decision's exclusion reason is one of the review's list (Decision.reason holds this much).
EXCLUSION_REASON_MAX = Decision._meta.get_field("reason").max_length


def exclusion_reasons_clean(reasons: Iterable[str]) -> list[str]:
    """The full-text exclusion reasons as stored, from the page's lines or the API's list alike:
    each trimmed, blank ones and repeats dropped; refused when none is left or one is longer than a
    decision's reason holds (naming it)."""
    cleaned: list[str] = []
    for number, reason in enumerate(reasons, start=1):
        reason = reason.strip()
        if len(reason) > EXCLUSION_REASON_MAX:
            raise ApplicationError(f"Exclusion reason {number} has {len(reason)} characters; each may have at most "
                                   f"{EXCLUSION_REASON_MAX}.", {"field": "exclusion_reasons"})
        if reason and reason not in cleaned:
            cleaned.append(reason)
    if not cleaned:
        raise ApplicationError("Give at least one exclusion reason.", {"field": "exclusion_reasons"})
    return cleaned


@transaction.atomic
def screening_settings_update(*, actor, review: Review, **fields) -> ScreeningSettings:
    if "exclusion_reasons" in fields:
        fields["exclusion_reasons"] = exclusion_reasons_clean(fields["exclusion_reasons"])
    for name in ("include_keywords", "exclude_keywords"):
        problem = keyword_list_problem(fields[name]) if name in fields else None
        if problem:
            raise ApplicationError(f"{name.replace('_', ' ').capitalize()}: {problem}", {"field": name})
    screening_settings(review)
    if "fulltext_resolver" in fields:
        fields["fulltext_resolver"] = (fields["fulltext_resolver"] or "").strip()
        problem = resolver_problem(fields["fulltext_resolver"])
        if problem:
            raise ApplicationError(problem, {"field": "fulltext_resolver"})
    if "conflict_resolver" in fields:
        refusal = rules.conflict_resolver_refusal(review=review, user=fields["conflict_resolver"])
        if refusal:
            raise ApplicationError(refusal, {"field": "conflict_resolver"})
    cfg = ScreeningSettings.objects.select_for_update().get(review=review)
    before_required, before_prioritise = cfg.reviewers_per_record, cfg.prioritise
    cfg = audited_update(actor=actor, review=review, instance=cfg, fields=fields, allowed=SETTINGS_FIELDS,
                         exclude=("updated_at",))
    if cfg.reviewers_per_record < before_required:
        # Records that now have enough decisions are settled at once.
        for item in (ScreeningItem.objects.select_for_update()
                     .filter(review=review, status=Status.PENDING, decisions_count__gte=cfg.reviewers_per_record)):
            _settle(item, actor=actor, cfg=cfg)
    if cfg.prioritise and not before_prioritise:
        from .ranking import ranking_queue_if_due

        transaction.on_commit(lambda: ranking_queue_if_due(review_id=review.pk))
    elif before_prioritise and not cfg.prioritise:  # back to import order
        (ScreeningItem.objects.filter(review=review, stage=Stage.TITLE_ABSTRACT, status=Status.PENDING)
         .update(priority=0))
    return cfg


# ---------------------------------------------------------------- the items behind the queue

def screening_items_sync(*, review_id: int) -> int:
    """Give every unique record a title/abstract item; withdraw items of records merged away,
    and bring back those of records un-merged. Returns the number of items created."""
    created = _items_create_missing(review_id=review_id)
    (ScreeningItem.objects.filter(review_id=review_id, record__duplicate_of__isnull=False)
     .exclude(status=Status.WITHDRAWN).update(status=Status.WITHDRAWN))
    back = ScreeningItem.objects.filter(review_id=review_id, status=Status.WITHDRAWN,
                                        record__duplicate_of__isnull=True)
    if back.exists():
        cfg = ScreeningSettings.objects.filter(review_id=review_id).first() or ScreeningSettings()
        for item in back.select_for_update():
            item.status, item.settled_at = Status.PENDING, None
            item.save(update_fields=["status", "settled_at"])
            _settle(item, actor=None, cfg=cfg)
    return created


def _items_create_missing(*, review_id: int) -> int:
    """One title/abstract item for each unique record of the review that has none, in record order.

    One ``INSERT ... SELECT`` inside the database: after an import of a million records, reading
    their ids out and writing items back in batches of 2,000 took about a minute (500 statements,
    each firing the tallies' statement triggers); one statement fires them once.

    The records without an item are found by ``EXCEPT``, not ``NOT EXISTS``: a set operation reads
    both sides whole before its first row, so the read is over before any item is written. An
    anti-join is read row by row while the items go in, and after a fresh import (statistics of an
    empty item table) PostgreSQL probed the items by review for every record, reading the new
    ones again each time: minutes at 100,000 records, quadratic in them.
    """
    item_table, record_table = ScreeningItem._meta.db_table, Record._meta.db_table
    # Every other column gets the model's default, as bulk_create would give it.
    given = {"review": review_id, "stage": Stage.TITLE_ABSTRACT, "created_at": timezone.now()}
    columns, values, params = [], [], []
    for field in ScreeningItem._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name == "record":
            values.append("m.id")
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(given.get(field.name, field.get_default()), connection))
    sql = (f"INSERT INTO {item_table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM ("
           f"SELECT id FROM {record_table} WHERE review_id = %s AND duplicate_of_id IS NULL "
           f"EXCEPT SELECT record_id FROM {item_table} WHERE review_id = %s AND stage = %s"
           # (WHERE: SQLite's parser needs one before ON CONFLICT.)
           ") AS m WHERE true ORDER BY m.id ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, review_id, review_id, Stage.TITLE_ABSTRACT])
        return max(cursor.rowcount, 0)


# ---------------------------------------------------------------- the queue

@transaction.atomic
def screening_next(*, reviewer, review: Review, stage: str, skip: Iterable[int] = ()) -> ScreeningItem | None:
    """The record this reviewer screens next, held for them so that no one else takes a record
    that needs only one more decision. The record already on their screen comes back first."""
    cfg = screening_settings(review)
    now = timezone.now()
    skip = [int(i) for i in skip]
    # One claim per reviewer and stage on this page; a reviewer coming from list mode may hold several
    # (services/batch.py): the one renewed last comes back first, the others once it is decided.
    claims = list(Claim.objects.select_for_update().filter(review=review, stage=stage, reviewer=reviewer)
                  .select_related("item").order_by("-expires_at", "-id"))
    for held in claims:
        if (held.item.status == Status.PENDING and held.item_id not in skip
                and not Decision.objects.filter(item_id=held.item_id, reviewer=reviewer).exists()):
            held.expires_at = now + datetime.timedelta(minutes=CLAIM_MINUTES)
            held.save(update_fields=["expires_at"])
            return held.item
    found = claim_free_items(reviewer=reviewer, review=review, stage=stage, cfg=cfg, now=now, passed_over=skip,
                             want=1)
    # The record on screen replaces whatever this reviewer held at this stage.
    Claim.objects.filter(review=review, stage=stage, reviewer=reviewer).delete()
    if not found:
        return None
    Claim.objects.create(review=review, stage=stage, reviewer=reviewer, item=found[0],
                         expires_at=now + datetime.timedelta(minutes=CLAIM_MINUTES))
    return found[0]


def claim_free_items(*, reviewer, review: Review, stage: str, cfg: ScreeningSettings, now: datetime.datetime,
                     passed_over: Iterable[int], want: int) -> list[ScreeningItem]:
    """Up to ``want`` records this reviewer may take next, in queue order (the records a lead assigned
    to them first, then by priority and import order), each with a seat free: fewer reviewers hold or
    have decided it than `reviewers_per_record`. The caller claims them in the same transaction."""
    required = cfg.reviewers_per_record
    passed_over = list(passed_over)
    chosen: list[ScreeningItem] = []
    # Records a lead assigned to this reviewer come first (see services/assign.py).
    mine = list(Assignment.objects.filter(review=review, item__stage=stage, reviewer=reviewer,
                                          item__status=Status.PENDING).values_list("item_id", flat=True))
    while len(chosen) < want:
        # The few records others hold (on screen, or kept for them by an assignment) are looked up once,
        # not per candidate row: the queue query then walks the index with one cheap check per record
        # (see BENCHMARKS.md, "Screening").
        held_by_others = _held_by_others(review=review, stage=stage, reviewer=reviewer, now=now)
        full = [item_id for item_id, (holders, decided) in held_by_others.items() if holders >= required - decided]
        # SKIP LOCKED: a record another reviewer is claiming this very moment is passed over, not waited for.
        candidates = (ScreeningItem.objects.filter(review=review, stage=stage, status=Status.PENDING,
                                                   decisions_count__lt=required)
                      .exclude(pk__in=passed_over + full + [i.pk for i in chosen])
                      .filter(~Exists(Decision.objects.filter(item=OuterRef("pk"), reviewer=reviewer)))
                      .order_by("-priority", "id"))
        need = want - len(chosen)
        rows: list[ScreeningItem] = []
        if mine:
            rows = list(candidates.filter(pk__in=mine).select_for_update(skip_locked=True, of=("self",))[:need])
        if len(rows) < need:
            rows += list(candidates.exclude(pk__in=[i.pk for i in rows])
                         .select_for_update(skip_locked=True, of=("self",))[:need - len(rows)])
        if not rows:
            break
        # Now that the rows are locked, look again (once for them all): a reviewer whose claim on one was
        # committed after our query began (so the query did not see it) has let go of the lock by now, and
        # is seen here.
        occupants = _occupants_of(item_ids=[item.pk for item in rows], reviewer=reviewer, now=now)
        for item in rows:
            holders = len(occupants.get(item.pk, ()))
            if holders < required - item.decisions_count:
                chosen.append(item)
            else:
                passed_over.append(item.pk)
    return chosen


def _held_by_others(*, review: Review, stage: str, reviewer, now: datetime.datetime) -> dict[int, tuple[int, int]]:
    """{item id: (reviewers other than this one holding it, decisions it has)} for the records on others'
    screens or kept for another reviewer by a lead's assignment they have not decided yet."""
    people: dict[int, set[int]] = {}
    decided: dict[int, int] = {}
    claims = (Claim.objects.filter(review=review, stage=stage, expires_at__gt=now).exclude(reviewer=reviewer)
              .values_list("item_id", "reviewer_id", "item__decisions_count"))
    kept = (_undecided_assignments().filter(review=review, item__stage=stage, item__status=Status.PENDING)
            .exclude(reviewer=reviewer).values_list("item_id", "reviewer_id", "item__decisions_count"))
    for rows in (claims, kept):
        for item_id, person, count in rows:
            people.setdefault(item_id, set()).add(person)
            decided[item_id] = count
    return {item_id: (len(who), decided[item_id]) for item_id, who in people.items()}


def _undecided_assignments():
    return Assignment.objects.filter(~Exists(Decision.objects.filter(item_id=OuterRef("item_id"),
                                                                     reviewer_id=OuterRef("reviewer_id"))))


def _occupants_of(*, item_ids: list[int], reviewer, now: datetime.datetime) -> dict[int, set[int]]:
    """{item id: the other reviewers holding it on screen or kept a place on it by an assignment}, for
    these records (two queries however many)."""
    found: dict[int, set[int]] = {}
    if not item_ids:
        return found
    on_screen = Claim.objects.filter(item_id__in=item_ids, expires_at__gt=now).exclude(reviewer=reviewer)
    kept = _undecided_assignments().filter(item_id__in=item_ids).exclude(reviewer=reviewer)
    for rows in (on_screen, kept):
        for item_id, person in rows.values_list("item_id", "reviewer_id"):
            found.setdefault(item_id, set()).add(person)
    return found


@transaction.atomic
def claims_release(*, actor, review: Review, reviewer) -> int:
    """Give back the records a reviewer holds (e.g. someone leaving the team): others can take them."""
    count, _ = Claim.objects.filter(review=review, reviewer=reviewer).delete()
    if count:
        audit_record(actor=actor, review=review, action=Action.DELETE, instance=reviewer,
                     before={"records held": count}, label=f"records held by {reviewer.get_username()} released")
    return count


# ---------------------------------------------------------------- decisions

def _validate(*, stage: str, value: str, reason: str, cfg: ScreeningSettings) -> None:
    if value not in VALUES_BY_STAGE.get(stage, ()):
        allowed = ", ".join(V(v).label.lower() for v in VALUES_BY_STAGE.get(stage, ()))
        raise ApplicationError(f"“{value}” is not a decision at this stage; choose one of: {allowed}.")
    if stage == Stage.FULL_TEXT and value == V.EXCLUDE:
        if not reason:
            raise ApplicationError("Excluding a full text needs a reason.")
        if reason not in cfg.exclusion_reasons:
            raise ApplicationError(f"“{reason}” is not one of this review's exclusion reasons.")


def _decision_snapshot(decision: Decision) -> dict:
    return snapshot(decision, exclude=("created_at", "updated_at"))


def _clean_tags(tags: Iterable[str]) -> list[str]:
    return sorted({t.strip()[:50] for t in tags if t and t.strip()})


@transaction.atomic
def decision_record(*, actor, review: Review, item_id: int, value: str, reason: str = "", note: str = "",
                    tags: Iterable[str] = ()) -> Decision:
    """Store a reviewer's decision on a record, or change it while the other decision is not in
    (`rules.decision_change_refusal`: once both are in, the record is settled or in conflict).

    The same decision sent twice (two tabs, a retried request) is stored once.
    """
    cfg = screening_settings(review)
    item = ScreeningItem.objects.select_for_update().filter(pk=item_id, review=review).first()
    if item is None:
        raise ApplicationError("No such record to screen in this review.")
    reason = reason.strip() if value == V.EXCLUDE else ""
    _validate(stage=item.stage, value=value, reason=reason, cfg=cfg)
    fields = {"value": value, "reason": reason, "note": note.strip(), "tags": _clean_tags(tags)}
    existing = Decision.objects.filter(item=item, reviewer=actor).first()
    if existing is not None:
        if all(getattr(existing, k) == v for k, v in fields.items()):
            return existing  # a repeat of what is stored already
        refusal = rules.decision_change_refusal(item=item)
        if refusal:
            raise ApplicationError(refusal)
        decision = audited_update(actor=actor, review=review, instance=existing, fields=fields,
                                  allowed=tuple(fields), exclude=("created_at", "updated_at"))
    else:
        if item.is_settled or item.status == Status.WITHDRAWN:
            raise ApplicationError("This record was settled by other decisions meanwhile; yours is not needed.")
        if item.decisions_count >= cfg.reviewers_per_record:
            raise ApplicationError("This record already has all the decisions it needs.")
        try:
            with transaction.atomic():
                decision = Decision.objects.create(review=review, item=item, stage=item.stage, reviewer=actor,
                                                   **fields)
        except IntegrityError:  # the same reviewer's decision, stored by a concurrent request
            return Decision.objects.get(item=item, reviewer=actor)
        item.decisions_count += 1  # the row is locked (select_for_update above): no re-read needed
        item.save(update_fields=["decisions_count"])
        audit_record(actor=actor, review=review, action=Action.CREATE, instance=decision,
                     after=_decision_snapshot(decision),
                     label=f"{decision.get_value_display()} of record {item.record_id} "
                           f"({item.get_stage_display().lower()})")
    Claim.objects.filter(item=item, reviewer=actor).delete()
    _settle(item, actor=actor, cfg=cfg)
    _retrain_when_settled(item, cfg)
    return decision


@transaction.atomic
def decision_undo(*, actor, review: Review, stage: str) -> ScreeningItem:
    """Take back the reviewer's latest decision at this stage; the record is theirs to screen again.
    Refused once the other decision is in (`rules.decision_change_refusal`)."""
    last = (Decision.objects.filter(review=review, stage=stage, reviewer=actor)
            .order_by("-updated_at", "-id").first())
    if last is None:
        raise ApplicationError("There is no decision of yours to undo at this stage.")
    item = ScreeningItem.objects.select_for_update().get(pk=last.item_id)
    refusal = rules.decision_change_refusal(item=item)
    if refusal:
        raise ApplicationError(f"Your last decision cannot be undone. {refusal}")
    audit_record(actor=actor, review=review, action=Action.DELETE, instance=last, before=_decision_snapshot(last),
                 label=f"undo of {last.get_value_display().lower()} on record {item.record_id}")
    last.delete()
    item.decisions_count -= 1  # the row is locked: no re-read needed
    item.save(update_fields=["decisions_count"])
    _settle(item, actor=actor, cfg=screening_settings(review))
    # Back on the reviewer's screen, ahead of what else they hold (screening_next renews the latest first).
    Claim.objects.update_or_create(
        item=item, reviewer=actor,
        defaults={"review": review, "stage": stage,
                  "expires_at": timezone.now() + datetime.timedelta(minutes=CLAIM_MINUTES)})
    return item


# ---------------------------------------------------------------- settling a record

def _retrain_when_settled(item: ScreeningItem, cfg: ScreeningSettings) -> None:
    """A settled title/abstract record teaches the priority ranking: maybe queue a retraining."""
    if cfg.prioritise and item.stage == Stage.TITLE_ABSTRACT and item.is_settled:
        from .ranking import ranking_queue_if_due

        review_id = item.review_id
        transaction.on_commit(lambda: ranking_queue_if_due(review_id=review_id))


def _outcome(decisions: list[Decision], stage: str) -> tuple[str, str]:
    """(status, reason) that the reviewers' decisions agree on, or CONFLICT."""
    if stage == Stage.TITLE_ABSTRACT:
        includes = sum(d.counts_as_include for d in decisions)
        if includes == len(decisions):
            return Status.INCLUDED, ""
        if includes == 0:
            return Status.EXCLUDED, ""
        return Status.CONFLICT, ""
    values = {d.value for d in decisions}
    if values == {V.INCLUDE}:
        return Status.INCLUDED, ""
    if values == {V.NOT_RETRIEVED}:
        return Status.NOT_RETRIEVED, ""
    reasons = {d.reason for d in decisions}
    if values == {V.EXCLUDE} and len(reasons) == 1:
        return Status.EXCLUDED, reasons.pop()
    return Status.CONFLICT, ""


def _settle(item: ScreeningItem, *, actor, cfg: ScreeningSettings) -> None:
    """Recompute the item's place from its decisions (a resolved conflict keeps its resolution)."""
    if item.resolved_by_id or item.status in (Status.WITHDRAWN, Status.AUTOMATION_EXCLUDED):
        return
    decisions = list(item.decisions.all())
    if len(decisions) < cfg.reviewers_per_record:
        status, reason = Status.PENDING, ""
    else:
        status, reason = _outcome(decisions, item.stage)
    if (status, reason) == (item.status, item.reason):
        return
    item.status, item.reason = status, reason
    item.settled_at = timezone.now() if item.is_settled else None
    item.save(update_fields=["status", "reason", "settled_at"])
    if status == Status.CONFLICT:
        _announce_conflict(item, cfg)
    _after_settled(item, actor=actor)
    _announce_if_stage_finished(item)


def _announce_conflict(item: ScreeningItem, cfg: ScreeningSettings) -> None:
    """A new conflict: the webhooks, and those who may resolve it (never who decided what)."""
    emit(review=item.review_id, event=Webhook.Event.CONFLICT_CREATED,
         data={"item": item.pk, "record": item.record_id, "stage": item.stage})
    conflicts = reverse("conflict_list", args=[item.review_id]) + f"?stage={item.stage}"
    notify(review=item.review_id, kind=Kind.CONFLICT, recipients=rules.conflict_resolvers_of(item=item, cfg=cfg),
           params={"stage": item.stage}, group=f"conflict:{item.stage}",
           link=reverse("conflict_resolve", args=[item.review_id, item.pk]), link_many=conflicts)


def _announce_if_stage_finished(item: ScreeningItem) -> None:
    """The record just settled was the stage's last one waiting or in conflict: tell the webhooks."""
    if not item.is_settled:
        return
    stage_items = ScreeningItem.objects.filter(review_id=item.review_id, stage=item.stage)
    if stage_items.filter(status__in=(Status.PENDING, Status.CONFLICT)).exists():
        return
    counts = dict(stage_items.values_list("status").annotate(n=Count("id")).order_by())
    emit(review=item.review_id, event=Webhook.Event.STAGE_FINISHED,
         data={"stage": item.stage, "counts": counts})


def _after_settled(item: ScreeningItem, *, actor) -> None:
    """What a settled record sets off: full-text screening after title/abstract, a study after full text."""
    if item.status != Status.INCLUDED:
        return
    if item.stage == Stage.TITLE_ABSTRACT:
        ScreeningItem.objects.get_or_create(review_id=item.review_id, record_id=item.record_id,
                                            stage=Stage.FULL_TEXT)
    else:
        study_for_included_record(actor=actor, record=item.record)


@transaction.atomic
def conflict_resolve(*, actor, review: Review, item_id: int, value: str, reason: str = "",
                     note: str = "") -> ScreeningItem:
    """Settle a conflict: whoever resolves chooses the outcome (with a reason to exclude a full text).
    Only a lead or the named third reviewer may (`rules.conflict_resolve_refusal`)."""
    cfg = screening_settings(review)
    item = ScreeningItem.objects.select_for_update().filter(pk=item_id, review=review).first()
    if item is None:
        raise ApplicationError("No such record in this review.")
    refusal = rules.conflict_resolve_refusal(user=actor, roles=roles_of(user=actor, review=review), item=item,
                                             cfg=cfg)
    if refusal:
        raise ApplicationError(refusal)
    if item.status != Status.CONFLICT:
        raise ApplicationError("This record is not in conflict (any more).")
    reason = reason.strip() if value == V.EXCLUDE else ""
    _validate(stage=item.stage, value=value, reason=reason, cfg=cfg)
    before = snapshot(item, exclude=("created_at",))
    item.status = {V.INCLUDE: Status.INCLUDED, V.MAYBE: Status.INCLUDED, V.EXCLUDE: Status.EXCLUDED,
                   V.NOT_RETRIEVED: Status.NOT_RETRIEVED}[value]
    item.reason = reason
    item.resolved_by = actor
    item.resolution_note = note.strip()
    item.settled_at = timezone.now()
    item.save()
    audit_record(actor=actor, review=review, action=Action.UPDATE, instance=item, before=before,
                 after=snapshot(item, exclude=("created_at",)),
                 label=f"conflict on record {item.record_id} ({item.get_stage_display().lower()}) resolved")
    _after_settled(item, actor=actor)
    _retrain_when_settled(item, cfg)
    _announce_if_stage_finished(item)
    return item
