"""Screening's part of a review archive (reviewapp.archive): searches and their uploaded files,
records, duplicates, screening settings, items and decisions, full texts, corrections, studies,
the PRISMA checklist, ranking runs and stopping decisions; and the CSVs people read.

Order matters: a model comes after every model its foreign keys point to (studies before the
records that report them)."""
from __future__ import annotations

from reviewapp.archive.format import ArchiveError
from reviewapp.archive.registry import ArchivePart, ModelPart, unfinished_as_failed
from reviewapp.tabular import csv_text

from . import exports, prisma, selectors
from .models import (
    ChecklistEntry,
    Decision,
    DuplicatePair,
    FullText,
    RankingRun,
    Record,
    RecordCorrection,
    ScreeningItem,
    ScreeningSettings,
    Search,
    SearchFile,
    StoppingDecision,
    Study,
)

RECORD = Record._meta.label
INTERRUPTED = "Interrupted: the review was archived while this was under way. Start it again."


def _record_ids(value, lookup, row):
    """DuplicatePair.moved_ids: the records a merge moved, which un-merging puts back."""
    if not isinstance(value, list):
        raise ArchiveError(f"{DuplicatePair._meta.label} #{row.get('id')}: moved_ids is not a list.", field="file")
    out = []
    for source in value:
        new = lookup(RECORD, source)
        if new is None:
            raise ArchiveError(f"{DuplicatePair._meta.label} #{row.get('id')}: moved_ids names record {source}, "
                               "which the archive does not hold.", field="file")
        out.append(new)
    return out


def _numbered(row: dict) -> dict:
    """A record of an archive written before records had numbers: its source id stands in (unique in
    the archive, and in the same order)."""
    if row.get("number") is None and isinstance(row.get("id"), int):
        row = {**row, "number": row["id"]}
    return row


def _of_review(model):
    return lambda review: model.objects.filter(review=review)


def _csvs():
    return {
        "records.csv": lambda review: exports.csv_chunks(selectors.records_for_export(review=review, stage="all")),
        "prisma.csv": lambda review: csv_text([["box", "count"], *prisma.prisma_counts(review=review).csv_rows()]),
        "search-appendix.csv": lambda review: csv_text(
            [prisma.APPENDIX_CSV_HEADER, *prisma.appendix_csv_rows(prisma.search_appendix(review=review))]),
    }


def parts() -> list[ArchivePart]:
    """screening's part of an archive (``archive_parts`` on its AppConfig)."""
    return [ArchivePart(app="screening", csvs=_csvs(), models=(
        ModelPart(Search, _of_review(Search)),
        ModelPart(SearchFile, lambda review: SearchFile.objects.filter(search__review=review),
                  adjust=unfinished_as_failed(waiting=("queued", "running"), failed="failed", message=INTERRUPTED)),
        # A study's audit snapshot names the record it was made from as "report".
        ModelPart(Study, _of_review(Study), audit_ids={"report": RECORD}),
        ModelPart(Record, _of_review(Record), adjust=_numbered),
        ModelPart(DuplicatePair, _of_review(DuplicatePair), embedded_ids={"moved_ids": _record_ids},
                  audit_ids={"primary_id": RECORD}),
        ModelPart(ScreeningSettings, _of_review(ScreeningSettings)),
        ModelPart(ScreeningItem, _of_review(ScreeningItem)),
        ModelPart(Decision, _of_review(Decision)),
        ModelPart(FullText, lambda review: FullText.objects.filter(record__review=review)),
        ModelPart(RecordCorrection, lambda review: RecordCorrection.objects.filter(record__review=review)),
        ModelPart(ChecklistEntry, _of_review(ChecklistEntry)),
        ModelPart(RankingRun, _of_review(RankingRun),
                  adjust=unfinished_as_failed(waiting=("queued", "running"), failed="failed", message=INTERRUPTED)),
        ModelPart(StoppingDecision, _of_review(StoppingDecision)),
    ))]
