"""Importing one uploaded export: parse, store, deduplicate against the whole review.

The records of one file are stored in ONE transaction, so a file with an error in
its middle leaves nothing behind, and a worker that dies mid-import leaves nothing
either; a retried task finds the file not done and simply imports it again.
Records are parsed as a stream from the stored file (never read whole into memory)
and stored as they come (PostgreSQL: one COPY for the file), so memory grows with
the duplicate index (a few short strings per record), not with the file's text.

Imports into one review are serialised (a PostgreSQL advisory lock), because each
import must see the records of the imports before it to deduplicate against them.
"""
from __future__ import annotations

import json
import logging
import time
from array import array
from collections.abc import Iterable, Iterator, MutableSequence, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import IO, Self

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from reviewapp.audit import audit_record
from reviewapp.jobs import Attempt, JobFailed, JobSuperseded, job_run
from reviewapp.models import AuditEvent, Webhook
from reviewapp.notifications.models import Kind
from reviewapp.notifications.services import notify
from reviewapp.webhooks import emit

from ..dedup import DuplicateIndex
from ..importers import ImportFormatError, ImportReport, Limits, detect_format, iter_parse
from ..models import DuplicatePair, Record, ScreeningStage, SearchFile
from ..progress import progress_cache_key
from ..rules import screeners_of
from .decisions import screening_items_sync

log = logging.getLogger(__name__)

# Records per batch (deduplication, progress, and the INSERT on databases other than
# PostgreSQL): large enough that round trips do not dominate, small enough that one
# batch of records with long abstracts stays a few megabytes.
BATCH_SIZE = 2000
# The progress bar needs no more than a couple of updates a second.
PROGRESS_INTERVAL_S = 0.5
# Fields the duplicate finder reads; loading only these keeps the index of a large review small.
DEDUP_FIELDS = ("id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid")
_ADVISORY_LOCK_CLASS = 4801  # arbitrary, namespaces our advisory locks


class ImportProgress:
    """Reports progress while the import transaction is still open.

    Rows written inside that transaction are invisible to the page that polls, so the
    count goes to the cache (seen by every process when the cache is shared, e.g.
    Redis) and, on PostgreSQL, to the SearchFile row through a second connection in
    autocommit mode. The import transaction itself does not touch that row until it
    finishes, so the two never wait for each other.
    """

    def __init__(self, search_file_id: int, total_lines: int):
        self.search_file_id = search_file_id
        self.total_lines = max(total_lines, 1)
        self._last = 0.0
        self._side = None

    def update(self, *, records: int, line: int | None, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        percent = min(99, int(100 * (line or 0) / self.total_lines))
        cache.set(progress_cache_key(self.search_file_id),
                  {"records_read": records, "percent": percent}, timeout=3600)
        if connection.vendor == "postgresql":
            self._write_row(records, percent)

    def _write_row(self, records: int, percent: int) -> None:
        try:
            if self._side is None:
                self._side = connections.create_connection(connection.alias)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {SearchFile._meta.db_table} SET records_read = %s, progress = %s "
                    "WHERE id = %s", [records, percent, self.search_file_id])
        except DatabaseError:
            # Progress is a courtesy to the person watching; it must never fail an import.
            log.warning("could not record import progress", exc_info=True)

    def close(self) -> None:
        cache.delete(progress_cache_key(self.search_file_id))
        if self._side is not None:
            self._side.close()
            self._side = None


@dataclass
class ImportResult:
    records: int
    merged: int
    possible: int
    format: str
    warnings: list[dict]


def _batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _field_values(citation) -> tuple:
    """The stored form of one citation, in the order of ``_FIELDS`` (empty text rather than NULL)."""
    year = citation.year
    return (
        citation.line,
        citation.title or "",
        citation.abstract or "",
        list(citation.authors or []),
        year if year and 0 < year < 32768 else None,
        citation.journal or "",
        (citation.volume or "")[:100],
        (citation.issue or "")[:100],
        (citation.pages or "")[:100],
        (citation.doi or "")[:300],
        (citation.pmid or "")[:20],
        (citation.issn or "")[:20],
        list(citation.keywords or []),
        (citation.language or "")[:100],
        (citation.publication_type or "")[:200],
        citation.url or "",
        citation.raw or "",
    )


_FIELDS = ("line", "title", "abstract", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid",
           "issn", "keywords", "language", "publication_type", "url", "raw")
_JSON_POSITIONS = (_FIELDS.index("authors"), _FIELDS.index("keywords"))
# The id comes from the column's identity default, duplicate_of_id stays NULL.
_COPY_COLUMNS = ("review_id", "search_id", "search_file_id", "number", *_FIELDS, "created_at")


def _record_from(citation, *, search_file: SearchFile, number: int) -> Record:
    return Record(review_id=search_file.search.review_id, search_id=search_file.search_id,
                  search_file_id=search_file.pk, number=number,
                  **dict(zip(_FIELDS, _field_values(citation), strict=True)))


def _next_number(review_id: int) -> int:
    """The number the review's next record gets. Read under the review's import lock, so two imports
    never hand out the same numbers."""
    return (Record.objects.filter(review_id=review_id).aggregate(top=Max("number"))["top"] or 0) + 1


# For the import's transaction only (SET LOCAL): lz4 compresses the abstracts, original texts and
# words several times faster than the default pglz, where the server has it (values stored before
# stay pglz; PostgreSQL reads both). The COPY's server spends most of its time on the records' words
# and on compressing the long texts (BENCHMARKS.md, "The import's server time"). A larger pending
# list for the word index was measured too, and gained nothing in the import.
_COPY_SETTINGS = (("default_toast_compression", "lz4"),)


class _CopyStore:
    """Writes records to PostgreSQL through ONE COPY that stays open for the whole file.

    Each record is sent as soon as it is parsed, so the server stores (and compresses,
    and indexes) the rows while this process parses the next ones: the two work side by
    side instead of taking turns batch by batch, which roughly halved the import. The
    ids come from the column's identity default, in the order the rows were written;
    ``ids()`` reads them back once the COPY has ended.
    """

    def __init__(self, search_file: SearchFile):
        self.search_file = search_file
        self._prefix = (search_file.search.review_id, search_file.search_id, search_file.pk)
        self._number = _next_number(search_file.search.review_id)
        self._now = timezone.now()

    def __enter__(self) -> Self:
        self._cursor = connection.cursor()
        for setting, value in _COPY_SETTINGS:
            self._cursor.execute(
                "SELECT set_config(name, %s, true) FROM pg_settings WHERE name = %s "
                "AND (enumvals IS NULL OR %s = ANY(enumvals))", [value, setting, value])
        self._copy_context = self._cursor.cursor.copy(
            f"COPY {Record._meta.db_table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN")
        self._copy = self._copy_context.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self._copy_context.__exit__(*exc_info)
        finally:
            self._cursor.close()

    def stored(self, citations: Iterable) -> Iterator:
        """Pass the citations through, writing each one's row on the way."""
        prefix, write_row, dumps = self._prefix, self._copy.write_row, json.dumps
        a, k = _JSON_POSITIONS
        for citation in citations:
            values = list(_field_values(citation))
            values[a], values[k] = dumps(values[a]), dumps(values[k])
            write_row((*prefix, self._number, *values, self._now))
            self._number += 1
            yield citation

    def batch_done(self) -> None:
        self._now = timezone.now()

    def ids(self) -> Iterator[int]:
        # A server-side cursor read in chunks: fetched at once, a million ids cost about 100 MB of rows,
        # at the moment the duplicate index is at its largest.
        with connection.connection.cursor(name=f"record_ids_{self.search_file.pk}") as cursor:
            cursor.itersize = 20_000
            cursor.execute(f"SELECT id FROM {Record._meta.db_table} WHERE search_file_id = %s ORDER BY id",
                           [self.search_file.pk])
            for (ident,) in cursor:
                yield ident


class _BulkStore:
    """Other databases (SQLite in development and tests): a multi-row INSERT per batch."""

    def __init__(self, search_file: SearchFile):
        self.search_file = search_file
        self._pending: list[Record] = []
        self._ids: list[int] = []
        self._number = _next_number(search_file.search.review_id)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        pass

    def stored(self, citations: Iterable) -> Iterator:
        for citation in citations:
            self._pending.append(_record_from(citation, search_file=self.search_file, number=self._number))
            self._number += 1
            yield citation

    def batch_done(self) -> None:
        Record.objects.bulk_create(self._pending)
        self._ids.extend(r.pk for r in self._pending)
        self._pending = []

    def ids(self) -> list[int]:
        return self._ids


def _lock_review(review_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ADVISORY_LOCK_CLASS, review_id])
    # SQLite allows one writer at a time anyway.


def search_file_import(*, search_file_id: int) -> SearchFile:
    """Import the file (the Celery task's body; a job: reviewapp.jobs). Idempotent: a finished
    import is returned as it is, and the records and the import's end commit together."""
    return job_run(SearchFile, search_file_id, _import_file, on_end=_ended)


_NOTHING_KEPT = {"records_imported": 0, "duplicates_merged": 0, "duplicates_possible": 0, "warnings": []}


def _import_file(attempt: Attempt) -> None:
    search_file = SearchFile.objects.select_related("search__review").get(pk=attempt.job.pk)
    attempt.progress(0, records_read=0, error_line=None, warnings=[])
    try:
        handle = search_file.file.open("rb")
    except OSError as exc:
        raise JobFailed(f"{search_file.original_name}: the stored file cannot be read ({exc}).",
                        **_NOTHING_KEPT) from exc
    # The stored upload is parsed straight from its file, a chunk at a time: memory does not grow
    # with the file (a 2.6 GB export of a million records is never held as bytes).
    with handle:
        _import_open_file(attempt, search_file, handle)


# Bytes read to count lines for the progress bar: a file no larger is counted exactly, a larger
# one is estimated from them (exports are records of similar size from end to end).
PROGRESS_SAMPLE_BYTES = 8 << 20


def _estimate_lines(handle: IO[bytes], sample: int = PROGRESS_SAMPLE_BYTES) -> int:
    """Lines in the file, for the progress bar: counted in its first ``sample`` bytes and scaled to its
    size, so a 2.6 GB export is not read once just to count them (4-10 s of a million-record import)."""
    handle.seek(0)
    head = handle.read(sample)
    size = handle.seek(0, 2)
    handle.seek(0)
    lines = head.count(b"\n") + 1
    if size <= len(head) or not head:
        return lines
    return max(lines, round(lines * size / len(head)))


def _import_open_file(attempt: Attempt, search_file: SearchFile, handle: IO[bytes]) -> None:
    progress = ImportProgress(search_file.pk, _estimate_lines(handle))
    try:
        with transaction.atomic():
            _lock_review(search_file.search.review_id)
            # Nothing of this file survives a failed attempt (the transaction saw to that), but be sure.
            Record.objects.filter(search_file=search_file).delete()
            result = _import(search_file, handle, progress)
            attempt.test_pause()  # the records are written, not yet committed
            screening_items_sync(review_id=search_file.search.review_id)
            attempt.finish(format=result.format, records_read=result.records, records_imported=result.records,
                           duplicates_merged=result.merged, duplicates_possible=result.possible,
                           warnings=result.warnings)
    except ImportFormatError as exc:
        raise JobFailed(str(exc), error_line=exc.line, **_NOTHING_KEPT) from exc
    except (JobFailed, JobSuperseded):
        raise
    except Exception as exc:
        log.exception("import of search file %s failed", search_file.pk)
        raise JobFailed(f"{search_file.original_name}: the import failed unexpectedly ({type(exc).__name__}: "
                        f"{exc}). Nothing was imported; try again or report this file.", **_NOTHING_KEPT) from exc
    finally:
        progress.close()


def _ended(search_file: SearchFile) -> None:
    """The trail and the webhooks learn how the import ended, in the transaction that ended it."""
    search_file = SearchFile.objects.select_related("search__review").get(pk=search_file.pk)
    if search_file.status == SearchFile.Status.DONE:
        after = {"status": search_file.status, "format": search_file.format,
                 "records_imported": search_file.records_imported,
                 "duplicates_merged": search_file.duplicates_merged,
                 "duplicates_possible": search_file.duplicates_possible,
                 "fields_not_understood": sum(row["count"] for row in search_file.warnings)}
    else:
        after = {"status": search_file.status, "error": search_file.error}
    audit_record(actor=None, review=search_file.search.review, action=AuditEvent.Action.UPDATE,
                 instance=search_file, label=search_file.audit_label,
                 before={"status": SearchFile.Status.RUNNING, "records_imported": 0}, after=after)
    _announce(search_file)


def _announce(search_file: SearchFile) -> None:
    """Tell the review's webhooks that an import finished (or failed), and its screeners of the
    new records waiting for them."""
    review_id = search_file.search.review_id
    emit(review=review_id, event=Webhook.Event.IMPORT_FINISHED,
         data={"search_file": search_file.pk, "search": search_file.search_id, "status": search_file.status,
               "records_imported": search_file.records_imported,
               "duplicates_merged": search_file.duplicates_merged,
               "duplicates_possible": search_file.duplicates_possible, "error": search_file.error})
    # Records merged into one already there add nothing to anyone's queue.
    new_records = search_file.records_imported - search_file.duplicates_merged
    if search_file.status == SearchFile.Status.DONE and new_records > 0:
        notify(review=review_id, kind=Kind.NEW_RECORDS, recipients=screeners_of(review=search_file.search.review),
               count=new_records, group="new_records",
               link=reverse("screen", args=[review_id, ScreeningStage.TITLE_ABSTRACT]))


def _reported(citations: Iterable, progress: ImportProgress) -> Iterator:
    """Pass the citations through, reporting each as read: a batch of 2,000 long records can take
    seconds, and the page should move meanwhile (``update`` writes at most twice a second)."""
    for read, citation in enumerate(citations, 1):
        progress.update(records=read, line=citation.line)
        yield citation


def _noting_ids(records: Iterable[Record], ids: MutableSequence[int]) -> Iterator[Record]:
    """Pass the records through, noting each one's id in ``ids`` (the index's ids are their positions)."""
    for record in records:
        ids.append(record.pk)
        yield record


def _import(search_file: SearchFile, data: IO[bytes], progress: ImportProgress) -> ImportResult:
    review_id = search_file.search.review_id
    fmt = search_file.requested_format or detect_format(data, search_file.original_name)
    # The review's unique records so far: a new search is deduplicated against everything already there.
    # Streamed into the index: a review of a million records is never held as a million model instances.
    existing = (Record.objects.filter(review_id=review_id, duplicate_of__isnull=True)
                .only(*DEDUP_FIELDS).order_by("id").iterator(chunk_size=5000))
    ident_to_id = array("q")  # 8 bytes an id, where a list of Python ints takes 40
    index = DuplicateIndex(_noting_ids(existing, ident_to_id))
    found = []
    count = 0
    report = ImportReport()
    limits = Limits.for_upload_mb(settings.MAX_UPLOAD_MB)
    parsed = iter_parse(data, filename=search_file.original_name, format=fmt, report=report, limits=limits)
    citations = _reported(parsed, progress)
    with (_CopyStore if connection.vendor == "postgresql" else _BulkStore)(search_file) as store:
        for batch in _batched(store.stored(citations), BATCH_SIZE):
            store.batch_done()
            found.extend(index.match_and_add(batch))
            count += len(batch)
            del batch
    ident_to_id.extend(store.ids())
    if count == 0:
        raise ImportFormatError("the file holds no records", filename=search_file.original_name)
    progress.update(records=count, line=progress.total_lines, force=True)
    merged, possible = _apply_duplicates(search_file, found, ident_to_id)
    return ImportResult(records=count, merged=merged, possible=possible, format=fmt, warnings=report.rows())


def _apply_duplicates(search_file: SearchFile, found, ident_to_id: Sequence[int]) -> tuple[int, int]:
    """Merge the sure pairs, queue the possible ones. Returns (records merged, pairs queued).

    A new record joins the group of its best sure match. Existing groups are never joined
    automatically: when a new record is surely the same as two records a lead kept
    apart (or that were never merged), the link is queued for a person instead.
    """
    review_id = search_file.search.review_id
    root: dict[int, int] = {}  # new record id -> primary it was merged into

    def find(record_id: int) -> int:
        return root.get(record_id, record_id)

    now = timezone.now()
    sure = sorted((p for p in found if p.sure), key=lambda p: (p.j, -p.score))
    pairs: dict[tuple[int, int], DuplicatePair] = {}
    doubtful = []
    for p in sure:
        a_id, b_id = ident_to_id[p.i], ident_to_id[p.j]
        primary = find(a_id)
        if b_id not in root:
            root[b_id] = primary
            pairs[(primary, b_id)] = DuplicatePair(
                review_id=review_id, record_a_id=primary, record_b_id=b_id, score=p.score, sure=True,
                reasons=list(p.reasons), status=DuplicatePair.Status.MERGED, moved_ids=[b_id],
                found_in=search_file, decided_at=now)
        elif find(b_id) != primary:
            doubtful.append((primary, find(b_id), p))
    for p in found:
        if not p.sure:
            doubtful.append((find(ident_to_id[p.i]), find(ident_to_id[p.j]), p))
    candidates = {}
    for x, y, p in doubtful:
        if x == y:
            continue
        key = (min(x, y), max(x, y))
        if key in pairs or (key in candidates and candidates[key].score >= p.score):
            continue
        candidates[key] = DuplicatePair(
            review_id=review_id, record_a_id=key[0], record_b_id=key[1], score=p.score, sure=p.sure,
            reasons=list(p.reasons), status=DuplicatePair.Status.POSSIBLE, found_in=search_file)
    if candidates:
        # Pairs a lead already decided on (kept apart, merged or waiting) are not asked again.
        ids = {i for key in candidates for i in key}
        known = DuplicatePair.objects.filter(review_id=review_id, record_a_id__in=ids, record_b_id__in=ids)
        for a, b in known.values_list("record_a_id", "record_b_id"):
            candidates.pop((min(a, b), max(a, b)), None)
    if root:
        by_primary: dict[int, list[int]] = {}
        for record_id, primary in root.items():
            by_primary.setdefault(primary, []).append(record_id)
        for primary, members in by_primary.items():
            for chunk in _batched(members, BATCH_SIZE):
                Record.objects.filter(pk__in=chunk).update(duplicate_of_id=primary)
    DuplicatePair.objects.bulk_create(list(pairs.values()) + list(candidates.values()),
                                      batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(root), len(candidates)
