"""Reads for the searches, records and duplicates pages, and the records that exports write."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from reviewapp.models import Review

from . import pace, rules
from .agreement import Agreement, agreement
from .models import (
    Claim,
    Decision,
    DuplicatePair,
    RankingRun,
    Record,
    RecordTag,
    ScreeningItem,
    ScreeningSettings,
    ScreeningStage,
    Search,
    SearchFile,
    StoppingDecision,
    Study,
)
from .prioritise import stopping
from .progress import progress_cache_key

ItemStatus = ScreeningItem.Status

# Export stages; screening decisions will add "included at title/abstract" and later ones.
EXPORT_STAGES = {
    "all": "All imported records (duplicates included)",
    "unique": "Unique records (after deduplication)",
    "ta_included": "Included at title and abstract (the full texts to retrieve)",
    "included": "Reports of included studies",
}


def searches_with_counts(*, review: Review) -> QuerySet[Search]:
    """Searches with imported and unique record counts, and their files, in two queries."""
    return (Search.objects.filter(review=review)
            .annotate(records_imported=Count("records", distinct=True),
                      records_unique=Count("records", filter=Q(records__duplicate_of__isnull=True), distinct=True))
            .prefetch_related(Prefetch("files", queryset=SearchFile.objects.order_by("uploaded_at", "id"))))


def search_get(*, review: Review, search_id: int) -> Search:
    return get_object_or_404(Search, pk=search_id, review=review)


def search_file_get(*, review: Review, file_id: int) -> SearchFile:
    return get_object_or_404(SearchFile.objects.select_related("search"), pk=file_id, search__review=review)


@dataclass
class ReviewRecordCounts:
    searches: int
    imported: int
    unique: int
    merged: int
    possible_pairs: int
    running_imports: int
    failed_imports: int


def record_counts(*, review: Review) -> ReviewRecordCounts:
    records = Record.objects.filter(review=review).aggregate(
        imported=Count("id"), unique=Count("id", filter=Q(duplicate_of__isnull=True)))
    files = SearchFile.objects.filter(search__review=review).aggregate(
        running=Count("id", filter=Q(status__in=[SearchFile.Status.QUEUED, SearchFile.Status.RUNNING])),
        failed=Count("id", filter=Q(status=SearchFile.Status.FAILED)))
    return ReviewRecordCounts(
        searches=Search.objects.filter(review=review).count(),
        imported=records["imported"], unique=records["unique"],
        merged=records["imported"] - records["unique"],
        possible_pairs=DuplicatePair.objects.filter(review=review, status=DuplicatePair.Status.POSSIBLE).count(),
        running_imports=files["running"], failed_imports=files["failed"],
    )


def import_progress(*, search_file: SearchFile) -> dict:
    """What the progress bar shows; while an import runs the cache has fresher counts than the row."""
    data = {
        "status": search_file.status,
        "status_label": search_file.status_label,
        "finished": search_file.is_finished,
        "records_read": search_file.records_read,
        "percent": 100 if search_file.status == SearchFile.Status.DONE else search_file.progress,
        "records_imported": search_file.records_imported,
        "duplicates_merged": search_file.duplicates_merged,
        "duplicates_possible": search_file.duplicates_possible,
        "error": search_file.error,
    }
    if search_file.status == SearchFile.Status.RUNNING:
        live = cache.get(progress_cache_key(search_file.pk))
        if live and live["records_read"] >= data["records_read"]:
            data.update(records_read=live["records_read"], percent=live["percent"])
    return data


def _records_base(review: Review) -> QuerySet[Record]:
    return Record.objects.filter(review=review)


def year_range_problem(year_from: int | None, year_to: int | None) -> str | None:
    """Why a year filter can match nothing, in words, or None. A reversed range is a slip, not a
    question: saying so beats showing "0 records"."""
    if year_from and year_to and year_from > year_to:
        return (f"The year range is reversed: from {year_from} is after to {year_to}. "
                f"Did you mean from {year_to} to {year_from}?")
    return None


# The records list's status filter: the screening statuses a team works by, and "waiting", a
# record still pending with at least one decision in (waiting for the other reviewer).
WAITING = "waiting"
STATUS_FILTERS = [(ItemStatus.PENDING.value, "Waiting for decisions"),
                  (WAITING, "Waiting for the other reviewer"),
                  (ItemStatus.CONFLICT.value, "In conflict"),
                  (ItemStatus.INCLUDED.value, "Included"),
                  (ItemStatus.EXCLUDED.value, "Excluded"),
                  (ItemStatus.NOT_RETRIEVED.value, "Not retrieved"),
                  (ItemStatus.AUTOMATION_EXCLUDED.value, "Excluded by automation")]
NO_DECISION = "none"
MY_DECISION_FILTERS = [*Decision.Value.choices, (NO_DECISION, "Not decided by me")]

# Sortable columns of the records list: the URL's value and what it orders by (ties by number).
RECORD_SORTS = {"number": "number", "title": "title", "year": "year", "first_author": "first_author",
                "status": "stage_status"}
RECORD_SORT_CHOICES = [*((k, k) for k in RECORD_SORTS), *((f"-{k}", f"-{k}") for k in RECORD_SORTS)]
_SORT_WORDS = {"number": "Number", "title": "Title", "year": "Year", "first_author": "First author",
               "status": "Status"}
RECORD_SORT_LABELS = [(k, _SORT_WORDS[k]) for k in RECORD_SORTS if k != "number"] + [
    (f"-{k}", f"{_SORT_WORDS[k]}, descending") for k in RECORD_SORTS]


@dataclass(frozen=True)
class Viewer:
    """Who asks, for the filters blind screening governs (`rules.visible_decisions_q`)."""
    user: object
    roles: frozenset[str]
    cfg: ScreeningSettings


def viewer_for(*, review: Review, user) -> Viewer:
    return Viewer(user=user, roles=frozenset(review.user_roles), cfg=screening_settings_get(review=review))


def records_filtered(
    review: Review,
    *,
    viewer: Viewer | None = None,
    q: str = "",
    search: Search | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    has_doi: str = "",
    duplicates: str = "show",
    stage: str = "",
    status: str = "",
    my_decision: str = "",
    other_decision: str = "",
    decision: str = "",
    reason: str = "",
    tag: str = "",
    reviewer_id: int | None = None,
    has_fulltext: str = "",
    assigned_to: int | None = None,
    ids: list[int] | None = None,
    sort: str = "",
) -> QuerySet[Record]:
    """The one filter of the records list, its exports and the records API.

    ``stage`` keeps records that reached it and scopes ``status`` and the decision filters (any
    stage without it). Filters on decisions (``decision``, ``other_decision``, ``reason``,
    ``tag``) see only the decisions ``viewer`` may see by `rules.visible_decisions_q`, so no
    filter reveals a blind decision; ``my_decision`` reads the viewer's own. ``reviewer_id``
    keeps records that person decided (who screened what is not blind; the values are);
    ``assigned_to`` those a lead assigned to that person's queue (at ``stage``, or any stage)."""
    records = _records_base(review)
    if ids:  # a selection (the records page's checkboxes): the other filters still apply
        records = records.filter(pk__in=ids)
    if duplicates == "hide":
        records = records.filter(duplicate_of__isnull=True)
    elif duplicates == "only":
        records = records.filter(duplicate_of__isnull=False)
    if q:
        for word in q.split()[:8]:
            records = records.filter(Q(title__icontains=word) | Q(abstract__icontains=word)
                                     | Q(authors__icontains=word) | Q(doi__iexact=word) | Q(pmid=word))
    if search is not None:
        # A unique record counts for every search that found it, not only the one it was kept from.
        records = records.filter(Q(search=search) | Q(duplicates__search=search)).distinct()
    if year_from:
        records = records.filter(year__gte=year_from)
    if year_to:
        records = records.filter(year__lte=year_to)
    if has_doi == "yes":
        records = records.exclude(doi="")
    elif has_doi == "no":
        records = records.filter(doi="")
    if has_fulltext == "yes":
        records = records.filter(fulltext__isnull=False)
    elif has_fulltext == "no":
        records = records.filter(fulltext__isnull=True)
    items = ScreeningItem.objects.filter(review=review)
    if stage:
        items = items.filter(stage=stage)
    if assigned_to:
        records = records.filter(pk__in=items.filter(assignments__reviewer_id=assigned_to).values("record_id"))
    if stage or status:
        if status == WAITING:
            items = items.filter(status=ItemStatus.PENDING, decisions_count__gt=0)
        elif status:
            items = items.filter(status=status)
        records = records.filter(pk__in=items.values("record_id"))
    decisions = Decision.objects.filter(review=review)
    if stage:
        decisions = decisions.filter(stage=stage)
    if viewer is not None and viewer.user.is_authenticated:
        mine = decisions.filter(reviewer_id=viewer.user.pk)
        if my_decision == NO_DECISION:
            records = records.exclude(pk__in=mine.values("item__record_id"))
        elif my_decision:
            records = records.filter(pk__in=mine.filter(value=my_decision).values("item__record_id"))
        visible = decisions.filter(rules.visible_decisions_q(user=viewer.user, roles=set(viewer.roles),
                                                             cfg=viewer.cfg))
        if other_decision:
            others = visible.exclude(reviewer_id=viewer.user.pk).filter(value=other_decision)
            records = records.filter(pk__in=others.values("item__record_id"))
        if decision:
            records = records.filter(pk__in=visible.filter(value=decision).values("item__record_id"))
        if reason:
            settled = items.filter(reason=reason).values("record_id")
            records = records.filter(Q(pk__in=visible.filter(reason=reason).values("item__record_id"))
                                     | Q(pk__in=settled))
        if tag:
            records = records.filter(Q(pk__in=_tagged_record_ids(visible, tag))
                                     | Q(pk__in=RecordTag.objects.filter(review=review, name=tag).values("record_id")))
    if reviewer_id:
        records = records.filter(pk__in=decisions.filter(reviewer_id=reviewer_id).values("item__record_id"))
    return _sorted(records, sort, stage)


def _tagged_record_ids(decisions: QuerySet[Decision], tag: str) -> list[int]:
    """Records with a decision tagged exactly ``tag`` (tags are a JSON list; SQLite has no JSON
    containment, so the database narrows by text and Python checks the list)."""
    rows = decisions.filter(tags__icontains=tag).values_list("item__record_id", "tags")
    return sorted({record_id for record_id, tags in rows if tag in (tags or [])})


def _sorted(records: QuerySet[Record], sort: str, stage: str) -> QuerySet[Record]:
    key = sort.lstrip("-")
    if key not in RECORD_SORTS:
        return records.order_by("id")
    if key == "first_author":
        records = records.annotate(first_author=KT("authors__0"))
    elif key == "status":
        at = ScreeningItem.objects.filter(record_id=OuterRef("pk"))
        at = at.filter(stage=stage) if stage else at.order_by("-stage")  # "ta" sorts after "ft": the latest
        records = records.annotate(stage_status=Subquery(at.values("status")[:1]))
    field = F(RECORD_SORTS[key])
    order = field.desc(nulls_last=True) if sort.startswith("-") else field.asc(nulls_last=True)
    return records.order_by(order, "number", "id")


def records_list(*, review: Review, viewer: Viewer | None = None, duplicates: str = "hide",
                 **filters) -> QuerySet[Record]:
    """Records for the list page: searched and filtered, with their search and sources loaded."""
    return (records_filtered(review, viewer=viewer, duplicates=duplicates, **filters).select_related("search")
            .defer("raw", "abstract").annotate(duplicate_of_number=F("duplicate_of__number"))
            .prefetch_related(Prefetch("duplicates", queryset=Record.objects.select_related("search")
                                       .only("id", "duplicate_of_id", "search__database", "search__id")),
                              Prefetch("screening_items", queryset=ScreeningItem.objects.order_by("-stage")
                                       .only("id", "record_id", "stage", "status")),
                              "screening_items__assignments__reviewer"))


@dataclass
class RecordDetail:
    record: Record
    primary: Record
    group: list[Record]  # the primary and every record merged into it
    pairs: list[DuplicatePair]


def record_detail(*, review: Review, record_id: int) -> RecordDetail:
    record = get_object_or_404(Record.objects.select_related("search", "search_file", "duplicate_of__search"),
                               pk=record_id, review=review)
    primary = record.duplicate_of or record
    group = [primary, *Record.objects.filter(duplicate_of=primary).select_related("search", "search_file")
             .order_by("id")]
    if primary is record:
        group[0] = record
    ids = [r.pk for r in group]
    pairs = list(DuplicatePair.objects.filter(Q(record_a_id__in=ids) | Q(record_b_id__in=ids))
                 .select_related("record_a__search", "record_b__search", "decided_by").order_by("-score"))
    return RecordDetail(record=record, primary=primary, group=group, pairs=pairs)


def record_sources(*, record: Record) -> list[Search]:
    """Every search that found this record (itself and whatever was merged into it), in search order."""
    primary = record.duplicate_of or record
    searches = {primary.search_id: primary.search}
    for dup in Record.objects.filter(duplicate_of=primary).select_related("search"):
        searches.setdefault(dup.search_id, dup.search)
    return sorted(searches.values(), key=lambda s: (s.date_run, s.pk))


def duplicate_pairs(*, review: Review, status: str = DuplicatePair.Status.POSSIBLE) -> QuerySet[DuplicatePair]:
    return (DuplicatePair.objects.filter(review=review, status=status)
            .select_related("record_a__search", "record_b__search", "decided_by")
            .defer("record_a__raw", "record_b__raw", "record_a__abstract", "record_b__abstract")
            .order_by("-score", "id"))


def duplicate_pair_get(*, review: Review, pair_id: int) -> DuplicatePair:
    return get_object_or_404(DuplicatePair.objects.select_related("record_a__search", "record_b__search",
                                                                  "decided_by"), pk=pair_id, review=review)


def duplicate_pair_comparison(*, pair: DuplicatePair):
    """Field-by-field similarity of the two records, for the side-by-side page."""
    from .dedup import explain_pair

    return explain_pair(pair.record_a, pair.record_b)


def next_possible_pair(*, review: Review, after: DuplicatePair | None = None) -> DuplicatePair | None:
    pairs = duplicate_pairs(review=review)
    if after is not None:
        pairs = pairs.exclude(pk=after.pk)
    return pairs.first()


def records_for_export(*, review: Review, stage: str, screening_stage: str = "", **filters) -> Iterator[Record]:
    """Records of an export ``stage`` that match the records page's ``filters`` (its own stage
    filter is ``screening_stage``), in id order, streamed from the database with their search and
    sources."""
    if stage not in EXPORT_STAGES:
        raise ValueError(f"unknown export stage {stage!r}")
    records = (records_filtered(review, stage=screening_stage, **filters).select_related("search_file", "search")
               .annotate(duplicate_of_number=F("duplicate_of__number")).order_by("id"))
    if stage == "unique":
        records = records.filter(duplicate_of__isnull=True)
    elif stage == "ta_included":
        records = records.filter(screening_items__stage=ScreeningStage.TITLE_ABSTRACT,
                                 screening_items__status=ItemStatus.INCLUDED)
    elif stage == "included":
        records = records.filter(screening_items__stage=ScreeningStage.FULL_TEXT,
                                 screening_items__status=ItemStatus.INCLUDED)
    # Chunked iteration keeps memory flat; the source names come from one query per chunk.
    chunk: list[Record] = []
    for record in records.iterator(chunk_size=1000):
        chunk.append(record)
        if len(chunk) == 1000:
            yield from _with_sources(chunk)
            chunk = []
    yield from _with_sources(chunk)


def _with_sources(chunk: list[Record]) -> Iterator[Record]:
    if not chunk:
        return
    primaries = {r.duplicate_of_id or r.pk for r in chunk}
    sources: dict[int, set[str]] = {}
    rows = (Record.objects.filter(Q(pk__in=primaries) | Q(duplicate_of_id__in=primaries))
            .values_list("pk", "duplicate_of_id", "search__database"))
    for pk, dup_of, database in rows:
        sources.setdefault(dup_of or pk, set()).add(database)
    for r in chunk:
        r.source_databases = sorted(sources.get(r.duplicate_of_id or r.pk, set()))
        yield r


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


def screening_progress(*, review: Review, stage: str, user) -> StageProgress:
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
    items = (ScreeningItem.objects.filter(review=review, status=ItemStatus.CONFLICT)
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
    reviewer_a: str
    reviewer_b: str
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
    return [PairAgreement(stage=stage, reviewer_a=a, reviewer_b=b, result=agreement(values, categories[stage]))
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
    return [{**row, "held": held.get(row["reviewer_id"], 0)} for row in rows]


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
    people = [(p.pk, p.get_username(), p.get_full_name() or p.get_username())
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


# ---------------------------------------------------------------- priority screening and stopping

# A screening item whose record has neither title nor abstract: nothing the ranking can read
# (prioritise/model.py says where such records go; stopping leaves them for people).
WORDLESS = Q(record__title="", record__abstract="")


def settled_sequence(*, review: Review) -> list[int]:
    """1 for included, 0 for excluded, for each settled title/abstract record in the order it was settled."""
    rows = (ScreeningItem.objects.filter(review=review, stage=ScreeningStage.TITLE_ABSTRACT,
                                         status__in=[ItemStatus.INCLUDED, ItemStatus.EXCLUDED])
            .order_by(F("settled_at").asc(nulls_first=True), "id").values_list("status", flat=True))
    return [1 if status == ItemStatus.INCLUDED else 0 for status in rows]


def stopping_figures(*, review: Review, target: float = stopping.DEFAULT_TARGET,
                     confidence: float = stopping.DEFAULT_CONFIDENCE) -> dict:
    """Where screening stands against the stopping rules: the ranked hypergeometric test of
    Callaghan & Müller-Hansen (2020) and the run of consecutive exclusions."""
    sequence = settled_sequence(review=review)
    n_records = (ScreeningItem.objects.filter(review=review, stage=ScreeningStage.TITLE_ABSTRACT)
                 .exclude(status__in=[ItemStatus.WITHDRAWN, ItemStatus.AUTOMATION_EXCLUDED]).count())
    unscreened = n_records - len(sequence)
    figures = {"target": target, "confidence": confidence, "target_pct": round(100 * target, 2),
               "confidence_pct": round(100 * confidence, 2), "screened": len(sequence), "records": n_records,
               "unscreened": unscreened, "found": sum(sequence), "run": stopping.consecutive_exclusions(sequence),
               "run_needed": stopping.heuristic_run_length(n_records), "p_value": 1.0, "stop": False,
               "wordless": ScreeningItem.objects.filter(WORDLESS, review=review, status=ItemStatus.PENDING,
                                                        stage=ScreeningStage.TITLE_ABSTRACT).count(),
               "remaining_estimate": None, "remaining_upper_bound": None, "recall_estimate": None}
    if not sequence or n_records == 0:
        return figures
    test = stopping.ranked_stopping_test(sequence, n_records, target, confidence)
    # The point estimate at the recent rate, held within the test's bound so the two never disagree.
    estimate, recent = stopping.remaining_at_recent_rate(sequence, unscreened, figures["run_needed"])
    estimate = min(estimate, test.remaining_upper_bound)
    figures.update(p_value=test.p_value, stop=test.stop, remaining_estimate=estimate, estimate_window=recent,
                   remaining_upper_bound=test.remaining_upper_bound,
                   recall_estimate=figures["found"] / (figures["found"] + estimate) if figures["found"] else 0.0)
    return figures


def ranking_latest(*, review: Review) -> RankingRun | None:
    return RankingRun.objects.filter(review=review).first()


def stopping_decisions(*, review: Review) -> QuerySet[StoppingDecision]:
    return StoppingDecision.objects.filter(review=review).select_related("decided_by")


# ---------------------------------------------------------------- for the API

def records_api_list(*, review: Review, user, search_id: int | None = None, duplicates: str = "hide",
                     **filters) -> QuerySet[Record]:
    """Records for the API's list: the records page's filters (`records_filtered`), read for ``user``."""
    search = Search.objects.filter(review=review, pk=search_id).first() if search_id else None
    if search_id and search is None:
        return Record.objects.none()
    return records_filtered(review, viewer=viewer_for(review=review, user=user), search=search,
                            duplicates=duplicates, **filters).select_related("search")


def decision_value_visible(*, decision: Decision, user, roles: set[str], cfg: ScreeningSettings) -> bool:
    """Whether ``user`` may see the value of ``decision`` (the rule of `decisions_visible_to`)."""
    return decision.reviewer_id == user.pk or rules.may_see_others_decisions(user=user, roles=roles,
                                                                             item=decision.item, cfg=cfg)
