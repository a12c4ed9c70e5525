"""Reads for the records and duplicates pages, the API's records list, and the records exports write."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connections
from django.db.models import BooleanField, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.shortcuts import get_object_or_404

from reviewapp import paging
from reviewapp.models import Review

from .. import rules, word_search
from ..importers import normalise
from ..models import (
    Assignment,
    Decision,
    DuplicatePair,
    Record,
    RecordTag,
    ScreeningItem,
    ScreeningSettings,
    ScreeningStage,
    Search,
)
from .counted import SCREENING_ONLY, counted
from .screening import screening_settings_get

ItemStatus = ScreeningItem.Status


# Export stages; screening decisions will add "included at title/abstract" and later ones.
EXPORT_STAGES = {
    "all": "All imported records (duplicates included)",
    "unique": "Unique records (after deduplication)",
    "ta_included": "Included at title and abstract (the full texts to retrieve)",
    "included": "Reports of included studies",
}

#: characters of a search word looked for
MAX_WORD_CHARS = 1000


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
        # A word is looked for by its first characters: a longer one is a paste, and SQLite refuses
        # a LIKE pattern over 50,000 bytes.
        records = _with_words(records, [word[:MAX_WORD_CHARS] for word in q.split()[:8]])
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


def _with_words(records: QuerySet[Record], words: list[str]) -> QuerySet[Record]:
    """Records holding every word: at the start of a word of the title, an author's name or the
    abstract (PostgreSQL; anywhere in them on SQLite), or as the whole DOI or PMID."""
    plain = [word for word in words if not _doi_word(word)]
    in_texts = _text_matches(plain, records.db)
    for word in words:
        doi = _doi_word(word)
        if doi:
            # A DOI (or its link) finds its record by the DOI alone: looked for inside every
            # abstract it took seconds (its "10.", "201"... are in most of them) and found nothing more.
            records = records.filter(doi=doi)
            continue
        records = records.filter(in_texts[word] | Q(doi__iexact=word) | Q(pmid=word))
    return records


def _text_matches(words: list[str], db: str) -> dict[str, Q]:
    """How each word is looked for in the title, authors and abstract. On PostgreSQL by the one word
    index of migration 0023 (trigram indexes cost most of a million-record import's time): a word's
    start, not any substring, so "random" finds "randomised" but "domised" does not. SQLite has no
    such index and keeps ``icontains``."""
    if connections[db].vendor != "postgresql":
        return {word: Q(title__icontains=word) | Q(abstract__icontains=word) | Q(authors__icontains=word)
                for word in words}
    return {word: Q(_HasWords(F("title"), Value(query))) if query else Q(pk__in=[])
            for word, query in zip(words, _prefix_queries(words, db), strict=True)}


def _prefix_queries(words: list[str], db: str) -> list[str | None]:
    """Each word's tsquery text (`word_search.prefix_tsquery`), its lexemes found by the database's
    own parser so that they are those the index holds; the words travel as parameters."""
    if not words:
        return []
    lexemes = ", ".join(["ARRAY(SELECT lexeme FROM unnest(to_tsvector('simple'::regconfig, %s)))"] * len(words))
    with connections[db].cursor() as cursor:
        cursor.execute(f"SELECT {lexemes}", words)
        row = cursor.fetchone()
    return [word_search.prefix_tsquery(list(found)) for found in row]


class _HasWords(Func):
    """The record's title, authors and abstract matched against a tsquery (a parameter), through the
    words PostgreSQL keeps of them in its own column and indexes (migration 0023; Django's model
    does not name it). The field given only says which table's row."""
    output_field = BooleanField()
    conditional = True

    def as_sql(self, compiler, connection, **extra):
        row, query = self.get_source_expressions()
        query_sql, query_params = compiler.compile(query)
        words = f"{compiler.quote_name_unless_alias(row.alias)}.{connection.ops.quote_name('words')}"
        match = f"{words} @@ ({query_sql})::tsquery"
        # Asked twice on purpose. PostgreSQL guesses that a prefix ("word:*") it has no statistics
        # for matches 0.5% of records (5,000 of a million), so for a rare or absent word it walks
        # the list in id order expecting a page soon, and reads every record (12 s at a million).
        # Twice, the guess is squared (0.0025%) and a rare word is read from the index (18 ms),
        # while a common word keeps a large guess (38% of abstracts: 14%) and the walk, which finds
        # its page at once (2 ms; the capped count 36 ms; measured on the abstract's words of 0021).
        # The second check is read only where the first matched, but it reads the record's words
        # again (out of line, ~7 us each): an unordered query with a limit (the list's capped count,
        # `paging.capped_count`) asks once. Its cap of 1,001 rows leaves the walk to a guess over 5%
        # (a rare word's 0.5% goes by the index), and a common word's count then reads a quarter
        # fewer words (36 ms -> 27 ms at a million for 'patients').
        query = compiler.query
        if query.is_sliced and not query.order_by and not (query.default_ordering and query.get_meta().ordering):
            return match, query_params
        return f"({match} AND {match})", (*query_params, *query_params)


def _doi_word(word: str) -> str | None:
    """The DOI a search word is (``10.1000/abc``, ``doi:10...``, ``https://doi.org/10...``), as stored; or None."""
    lowered = word.lower()
    if not (lowered.startswith(("10.", "doi:")) or "doi.org/" in lowered):
        return None
    return normalise.doi(word)


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


#: the fields of a record the records list shows (`records_list`)
LIST_FIELDS = ("id", "review_id", "number", "title", "authors", "year", "journal", "doi", "pmid", "duplicate_of_id",
               "search__id", "search__database")


def records_list(*, review: Review, viewer: Viewer | None = None, duplicates: str = "hide",
                 **filters) -> QuerySet[Record]:
    """Records for the list page: searched and filtered, with their search and sources loaded."""
    return (records_filtered(review, viewer=viewer, duplicates=duplicates, **filters).select_related("search")
            # What the rows show, and of the search its name: a search's strategy may be pages of text,
            # read again for each of the 50 rows it found (and the abstract and original record left).
            .only(*LIST_FIELDS)
            # A subquery, not a join: the list's count and deep pages' ids then read an index alone
            # (PostgreSQL drops an unused left join, but still reads the column it joined on).
            .annotate(duplicate_of_number=Subquery(Record.objects.filter(pk=OuterRef("duplicate_of_id"))
                                                   .values("number")[:1]))
            # Plain lists (to_attr), not managers: each row's ``.all()`` in the template would build
            # a queryset over the prefetched rows, about 170 of them a page.
            .prefetch_related(Prefetch("duplicates", queryset=Record.objects.select_related("search")
                                       .only("id", "duplicate_of_id", "search__database", "search__id"),
                                       to_attr="duplicate_list"),
                              Prefetch("screening_items", queryset=ScreeningItem.objects.order_by("-stage")
                                       .only("id", "record_id", "stage", "status"), to_attr="item_list"),
                              Prefetch("item_list__assignments", queryset=Assignment.objects.select_related("reviewer"),
                                       to_attr="assignment_list")))


#: the records list's filters that read the records alone (their words, year, DOI, duplicates) and
#: the order: no screening decision can change what they match, nor who looks
_RECORDS_ONLY = frozenset({"q", "duplicates", "year_from", "year_to", "has_doi", "sort"})


def search_count_kept(*, review: Review, filters: dict) -> Callable[[QuerySet], int]:
    """How the records list counts (capped, `paging.capped_count`) the records a text search
    finds: for a large review, kept until its records change (`counted`; screening does not move
    it), so the next page, or the same search again, does not read a common word's 1,001 matches
    again (27 ms at a million records). Any other filter is counted on each page."""
    named = {key: value for key, value in filters.items() if key != "viewer"}
    if "q" not in named or not named.keys() <= _RECORDS_ONLY:
        return paging.capped_count
    # The filters as typed ("Patients" and "patients" are kept apart), the order aside.
    typed = json.dumps(sorted((key, str(value)) for key, value in named.items() if key != "sort"))
    name = f"search:{paging.COUNT_CAP}:{hashlib.sha256(typed.encode()).hexdigest()}"
    return lambda records: counted(review, name, lambda: paging.capped_count(records), ignoring=SCREENING_ONLY)


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
    from ..dedup import explain_pair

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

def records_api_list(*, review: Review, user, search_id: int | None = None, duplicates: str = "hide",
                     **filters) -> QuerySet[Record]:
    """Records for the API's list: the records page's filters (`records_filtered`), read for ``user``."""
    search = Search.objects.filter(review=review, pk=search_id).first() if search_id else None
    if search_id and search is None:
        return Record.objects.none()
    return records_filtered(review, viewer=viewer_for(review=review, user=user), search=search,
                            duplicates=duplicates, **filters).select_related("search")
