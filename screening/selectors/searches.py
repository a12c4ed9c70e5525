"""Reads for the searches page: searches, their files, record counts and import progress."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from reviewapp.models import Review

from ..models import (
    DuplicatePair,
    Record,
    Search,
    SearchFile,
)
from ..progress import progress_cache_key
from .counted import SCREENING_ONLY, counted


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
    """The review's searches, records, duplicates and imports, counted (kept for a large review: `counted`)."""
    return counted(review, "records", lambda: _record_counts(review), ignoring=SCREENING_ONLY)


def _record_counts(review: Review) -> ReviewRecordCounts:
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
