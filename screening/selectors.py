"""Reads for the searches, records and duplicates pages, and the records that exports write."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from reviewapp.models import Review

from .models import DuplicatePair, Record, Search, SearchFile
from .progress import progress_cache_key

# Export stages; screening decisions will add "included at title/abstract" and later ones.
EXPORT_STAGES = {
    "all": "All imported records (duplicates included)",
    "unique": "Unique records (after deduplication)",
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
        "status_label": search_file.get_status_display(),
        "finished": search_file.is_finished,
        "records_read": search_file.records_read,
        "percent": 100 if search_file.status == SearchFile.Status.DONE else search_file.progress_percent,
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


def _records_filtered(
    review: Review,
    *,
    q: str = "",
    search: Search | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    has_doi: str = "",
    duplicates: str = "show",
) -> QuerySet[Record]:
    """The records matching the filters of the records page (the page itself and its exports)."""
    records = _records_base(review)
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
    return records


def records_list(*, review: Review, duplicates: str = "hide", **filters) -> QuerySet[Record]:
    """Records for the list page: searched and filtered, with their search and sources loaded."""
    return (_records_filtered(review, duplicates=duplicates, **filters).select_related("search")
            .defer("raw", "abstract")
            .prefetch_related(Prefetch("duplicates", queryset=Record.objects.select_related("search")
                                       .only("id", "duplicate_of_id", "search__database", "search__id")))
            .order_by("id"))


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


def records_for_export(*, review: Review, stage: str, **filters) -> Iterator[Record]:
    """Records of a stage that match the records page's ``filters``, in id order, streamed from the
    database with their search and sources."""
    if stage not in EXPORT_STAGES:
        raise ValueError(f"unknown export stage {stage!r}")
    records = _records_filtered(review, **filters).select_related("search_file", "search").order_by("id")
    if stage == "unique":
        records = records.filter(duplicate_of__isnull=True)
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
