"""Reads for screening: settings, progress, decisions, conflicts, agreement, studies and the team."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from reviewapp.models import Review
from reviewapp.people import display_name

from .. import pace, rules
from ..agreement import Agreement, agreement
from ..models import (
    Claim,
    Decision,
    DuplicatePair,
    ItemTally,
    Record,
    ScreeningItem,
    ScreeningSettings,
    ScreeningStage,
    Study,
)
from .counted import counted

ItemStatus = ScreeningItem.Status


# ---------------------------------------------------------------- screening

def screening_settings_get(*, review: Review) -> ScreeningSettings:
    """The review's screening settings (the defaults, unsaved, before the lead first sets them)."""
    return ScreeningSettings.objects.filter(review=review).first() or ScreeningSettings(review=review)


@dataclass
class StageProgress:
    stage: str
    label: str
    total: int  # records at this stage (withdrawn duplicates not counted)
    by_status: dict[str, int]
    settled: int
    conflicts: int
    mine: int  # decisions of the person asking
    open_for_me: int  # records still waiting for a decision that could be theirs
    started: bool  # anyone has decided anything at this stage

    @property
    def percent_settled(self) -> int:
        return round(100 * self.settled / self.total) if self.total else 0


def screening_progress(*, review: Review, stage: str, user, cfg: ScreeningSettings | None = None) -> StageProgress:
    """Where screening at ``stage`` stands, and for ``user``: on PostgreSQL from the items' tally
    (`ItemTally`, kept by triggers), so a decision costs no recount; elsewhere counted (kept for a
    large review: `counted`). ``cfg``: the review's settings, when the caller has them already."""
    if connection.vendor == "postgresql":
        return _tallied_progress(review, stage, user, cfg or screening_settings_get(review=review))
    return counted(review, f"progress:{stage}:{user.pk or 0}", lambda: _screening_progress(review, stage, user))


def _tallied_progress(review: Review, stage: str, user, cfg: ScreeningSettings) -> StageProgress:
    """`_screening_progress` from the tally: a few rows, plus the person's own decisions and the
    records waiting for another reviewer (few: an index of their own)."""
    tally = [(status, count, n) for status, count, n in ItemTally.objects.filter(review_id=review.pk, stage=stage)
             .values_list("status", "decisions_count", "n") if n and status != ItemStatus.WITHDRAWN]
    by_status: dict[str, int] = {}
    for status, _, n in tally:
        by_status[status] = by_status.get(status, 0) + n
    mine = open_for_me = 0
    if user.is_authenticated:
        mine = Decision.objects.filter(review=review, stage=stage, reviewer=user).count()
        open_items = sum(n for status, count, n in tally
                         if status == ItemStatus.PENDING and count < cfg.reviewers_per_record)
        # Of those, the ones this person decided already: all are waiting for someone else.
        decided = (ScreeningItem.objects.filter(review=review, stage=stage, status=ItemStatus.PENDING,
                                                decisions_count__gt=0,
                                                decisions_count__lt=cfg.reviewers_per_record)
                   .filter(decisions__reviewer=user).count()) if open_items else 0
        open_for_me = open_items - decided
    total = sum(by_status.values())
    pending = by_status.get(ItemStatus.PENDING, 0) + by_status.get(ItemStatus.CONFLICT, 0)
    return StageProgress(stage=stage, label=ScreeningStage(stage).label, total=total, by_status=by_status,
                         settled=total - pending, conflicts=by_status.get(ItemStatus.CONFLICT, 0), mine=mine,
                         open_for_me=open_for_me, started=any(count > 0 for _, count, _ in tally))


def _screening_progress(review: Review, stage: str, user) -> StageProgress:
    cfg = screening_settings_get(review=review)
    items = ScreeningItem.objects.filter(review=review, stage=stage).exclude(status=ItemStatus.WITHDRAWN)
    by_status = dict(items.values_list("status").annotate(n=Count("id")).order_by())
    mine = Decision.objects.filter(review=review, stage=stage, reviewer=user).count() if user.is_authenticated else 0
    open_for_me = (items.filter(status=ItemStatus.PENDING, decisions_count__lt=cfg.reviewers_per_record)
                   .exclude(decisions__reviewer=user).count()) if user.is_authenticated else 0
    total = sum(by_status.values())
    pending = by_status.get(ItemStatus.PENDING, 0) + by_status.get(ItemStatus.CONFLICT, 0)
    return StageProgress(stage=stage, label=ScreeningStage(stage).label, total=total, by_status=by_status,
                         settled=total - pending, conflicts=by_status.get(ItemStatus.CONFLICT, 0), mine=mine,
                         open_for_me=open_for_me, started=items.filter(decisions_count__gt=0).exists())


def decisions_visible_to(*, item: ScreeningItem, user, roles: set[str], cfg: ScreeningSettings) -> list[Decision]:
    """The decisions on ``item`` this person may see (`rules.may_see_others_decisions`): their own
    always; others' without blind screening, once the record is settled, or to whoever resolves
    its conflict."""
    decisions = list(item.decisions.select_related("reviewer").order_by("created_at", "id"))
    return rules.visible_decisions(user=user, roles=roles, item=item, cfg=cfg, decisions=decisions)


def screened_duplicate_pair(*, record: Record) -> DuplicatePair | None:
    """A possible-duplicate pair linking this record to one that has already been screened (one query)."""
    def screened(side: str) -> Exists:
        # The other record, or the primary it was merged into, has a decision.
        primary = Coalesce(OuterRef(f"{side}__duplicate_of_id"), OuterRef(f"{side}_id"))
        return Exists(Decision.objects.filter(item__record_id=primary))

    return (DuplicatePair.objects.filter(status=DuplicatePair.Status.POSSIBLE)
            .filter((Q(record_a=record) & screened("record_b")) | (Q(record_b=record) & screened("record_a")))
            .order_by("-score", "id").first())


def screening_item_get(*, review: Review, item_id: int) -> ScreeningItem:
    return get_object_or_404(ScreeningItem.objects.select_related("record__search", "record__fulltext",
                                                                  "resolved_by"),
                             pk=item_id, review=review)


def my_decisions(*, review: Review, user, stage: str = "", value: str = "", status: str = "") -> QuerySet[Decision]:
    decisions = (Decision.objects.filter(review=review, reviewer=user)
                 .select_related("item__record").defer("item__record__raw", "item__record__abstract")
                 .order_by("-updated_at", "-id"))
    if stage:
        decisions = decisions.filter(stage=stage)
    if value:
        decisions = decisions.filter(value=value)
    if status:
        decisions = decisions.filter(item__status=status)
    return decisions


def last_decision(*, review: Review, user, stage: str) -> Decision | None:
    return my_decisions(review=review, user=user, stage=stage).first()


def conflicts(*, review: Review, user, roles: set[str], stage: str = "") -> QuerySet[ScreeningItem]:
    """The records in conflict this person resolves (`rules.conflicts_for_resolver`), with their decisions."""
    # Every stage named: the queue's index (review, stage, status, ...) then finds the conflicts
    # alone instead of reading every item of the review (#30).
    items = (ScreeningItem.objects.filter(review=review, stage__in=ScreeningStage.values, status=ItemStatus.CONFLICT)
             .select_related("record").defer("record__raw")
             .prefetch_related(Prefetch("decisions", queryset=Decision.objects.select_related("reviewer")))
             .order_by("stage", "id"))
    items = rules.conflicts_for_resolver(items, user=user, roles=roles)
    return items.filter(stage=stage) if stage else items


def decisions_log(*, review: Review, stage: str = "", reviewer_id: int | None = None) -> QuerySet[Decision]:
    """Who screened what and when, newest first (the page hides values that blind screening keeps hidden)."""
    decisions = (Decision.objects.filter(review=review).select_related("reviewer", "item__record")
                 .defer("item__record__raw", "item__record__abstract").order_by("-updated_at", "-id"))
    if stage:
        decisions = decisions.filter(stage=stage)
    if reviewer_id:
        decisions = decisions.filter(reviewer_id=reviewer_id)
    return decisions


@dataclass
class PairAgreement:
    stage: str
    reviewer_a: str  # usernames
    reviewer_b: str
    reviewer_a_name: str  # full names, else the usernames (reviewapp.people.display_name)
    reviewer_b_name: str
    result: Agreement


# Title/abstract agreement is about the decision that matters: on to full text (include, maybe) or not.
_AGREEMENT_CATEGORY = {Decision.Value.MAYBE: Decision.Value.INCLUDE}


def _paired_decisions(*, review: Review) -> dict[tuple[str, str, str], list[tuple[str, str]]]:
    """(stage, reviewer a, reviewer b) -> their (category, category) on each record both decided.

    Only records that have left the waiting state count: blind screening keeps the rest hidden."""
    rows = (Decision.objects.filter(review=review).exclude(item__status=ItemStatus.PENDING)
            .values_list("stage", "item_id", "reviewer__username", "value").order_by("stage", "item_id"))
    by_item: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for stage, item_id, username, value in rows.iterator(chunk_size=5000):
        by_item.setdefault((stage, item_id), []).append((username, _AGREEMENT_CATEGORY.get(value, value)))
    pairs: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for (stage, _), decided in by_item.items():
        decided.sort()
        for i in range(len(decided)):
            for j in range(i + 1, len(decided)):
                pairs.setdefault((stage, decided[i][0], decided[j][0]), []).append((decided[i][1], decided[j][1]))
    return pairs


_AGREEMENT_CATEGORIES = {ScreeningStage.TITLE_ABSTRACT: ("include", "exclude"),
                         ScreeningStage.FULL_TEXT: ("include", "exclude", "not_retrieved")}


def agreement_table(*, review: Review) -> list[PairAgreement]:
    """Per stage and pair of reviewers, their agreement on the records both screened (from the log)."""
    pairs = _paired_decisions(review=review)
    categories = _AGREEMENT_CATEGORIES
    User = get_user_model()
    names = {u.get_username(): display_name(u) for u in User.objects.filter(
        **{f"{User.USERNAME_FIELD}__in": {name for _, a, b in pairs for name in (a, b)}})}
    return [PairAgreement(stage=stage, reviewer_a=a, reviewer_b=b, reviewer_a_name=names.get(a, a),
                          reviewer_b_name=names.get(b, b), result=agreement(values, categories[stage]))
            for (stage, a, b), values in sorted(pairs.items(), key=lambda kv: (kv[0][0] != "ta", kv[0]))]


def agreement_by_stage(*, review: Review) -> list[tuple[str, int, Agreement]]:
    """Per stage, (stage, pairs of reviewers, agreement over every pair's records together): the one
    figure a report's methods state. Title and abstract first."""
    by_stage: dict[str, list[tuple[str, str]]] = {}
    pairs_of: dict[str, int] = {}
    for (stage, _a, _b), values in _paired_decisions(review=review).items():
        by_stage.setdefault(stage, []).extend(values)
        pairs_of[stage] = pairs_of.get(stage, 0) + 1
    return [(stage, pairs_of[stage], agreement(values, _AGREEMENT_CATEGORIES[stage]))
            for stage, values in sorted(by_stage.items(), key=lambda kv: kv[0] != ScreeningStage.TITLE_ABSTRACT)]


def studies_list(*, review: Review) -> QuerySet[Study]:
    return (Study.objects.filter(review=review)
            .prefetch_related(Prefetch("reports", queryset=Record.objects.select_related("search")
                                       .defer("raw", "abstract").order_by("year", "id")))
            .order_by("label", "id"))


def study_get(*, review: Review, study_id: int) -> Study:
    return get_object_or_404(Study, pk=study_id, review=review)


def decisions_per_reviewer(*, review: Review) -> list[dict]:
    """Per person and stage: decisions made, the latest one's time, and records they hold on screen now."""
    from django.db.models import Max

    rows = (Decision.objects.filter(review=review).values("reviewer_id", "reviewer__username", "stage")
            .annotate(n=Count("id"), last=Max("updated_at")).order_by("reviewer__username", "stage"))
    held = dict(Claim.objects.filter(review=review).values("reviewer_id").annotate(n=Count("id"))
                .values_list("reviewer_id", "n"))
    people = {u.pk: display_name(u) for u in get_user_model().objects.filter(
        pk__in={row["reviewer_id"] for row in rows})}
    return [{**row, "held": held.get(row["reviewer_id"], 0), "reviewer_name": people.get(row["reviewer_id"], "")}
            for row in rows]


@dataclass
class TeamRow:
    reviewer_id: int
    username: str
    name: str  # full name, else the username
    stage: str
    decided: int  # their decisions at this stage
    waiting: int  # of those, on records still waiting for another decision
    conflicts: int  # records in conflict they decided
    open: int  # records at this stage still needing a decision they have not made (work left for them)
    median_seconds: float | None  # `pace.median_seconds` of their decision times at this stage


def team_view(*, review: Review) -> list[TeamRow]:
    """Per screener (leads and reviewers) and stage: decisions made, waiting, conflicts, records
    open to them and their median seconds per decision (`pace`: gaps between their consecutive
    decisions, breaks over ten minutes left out). Counts only: no decision's value shows."""
    cfg = screening_settings_get(review=review)
    people = [(p.pk, p.get_username(), display_name(p))
              for p in rules.conflict_resolver_candidates(review=review)]
    times: dict[tuple[int, str], list] = {}
    for reviewer_id, stage, created in (Decision.objects.filter(review=review)
                                        .values_list("reviewer_id", "stage", "created_at").iterator(chunk_size=5000)):
        times.setdefault((reviewer_id, stage), []).append(created)
    by_status = {(r, s, st): n for r, s, st, n in Decision.objects.filter(review=review)
                 .values_list("reviewer_id", "stage", "item__status").annotate(n=Count("id")).order_by()}
    needing = (ScreeningItem.objects.filter(review=review, status=ItemStatus.PENDING,
                                            decisions_count__lt=cfg.reviewers_per_record))
    needing_by_stage = dict(needing.values_list("stage").annotate(n=Count("id")).order_by())
    # Of the records still needing a decision, those each person already decided (not open to them).
    decided_needing = {(r, s): n for r, s, n in Decision.objects.filter(item__in=needing)
                       .values_list("reviewer_id", "stage").annotate(n=Count("id")).order_by()}
    rows = []
    for stage in ScreeningStage.values:
        for pk, username, name in people:
            decided = sum(n for (r, s, _), n in by_status.items() if r == pk and s == stage)
            rows.append(TeamRow(
                reviewer_id=pk, username=username, name=name, stage=stage, decided=decided,
                waiting=by_status.get((pk, stage, ItemStatus.PENDING), 0),
                conflicts=by_status.get((pk, stage, ItemStatus.CONFLICT), 0),
                open=needing_by_stage.get(stage, 0) - decided_needing.get((pk, stage), 0),
                median_seconds=pace.median_seconds(times.get((pk, stage), []))))
    return rows

def decision_value_visible(*, decision: Decision, user, roles: set[str], cfg: ScreeningSettings) -> bool:
    """Whether ``user`` may see the value of ``decision`` (the rule of `decisions_visible_to`)."""
    return decision.reviewer_id == user.pk or rules.may_see_others_decisions(user=user, roles=roles,
                                                                             item=decision.item, cfg=cfg)
