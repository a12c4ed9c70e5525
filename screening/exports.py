"""RIS and CSV writers for records. Both stream: they yield text piece by piece.

A record that came from a RIS file is written back verbatim, so nothing the database
exported is lost; records from other formats are written as RIS from their
normalised fields (rispy's writer).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import rispy
from rispy.writer import RisWriter

from reviewapp.tabular import csv_line

from .models import Record

CSV_COLUMNS = [
    "record_id", "number", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "issn",
    "keywords", "language", "publication_type", "url", "abstract", "database", "sources", "duplicate_of",
    "source_file", "source_line",
]


class _PlainRisWriter(RisWriter):
    """rispy's writer without its "1." counter line before each record."""

    def set_header(self, count: int) -> str:
        return ""


def _generated_ris(record: Record) -> str:
    entry: dict = {"type_of_reference": (record.publication_type or "JOUR").upper()
                   if _is_ris_type(record.publication_type) else "JOUR"}
    if record.title:
        entry["title"] = record.title
    if record.authors:
        entry["authors"] = list(record.authors)
    if record.year:
        entry["year"] = str(record.year)
    if record.journal:
        entry["secondary_title"] = record.journal
    for key, value in (("volume", record.volume), ("number", record.issue), ("doi", record.doi),
                       ("issn", record.issn), ("language", record.language), ("abstract", record.abstract)):
        if value:
            entry[key] = value
    if record.pages:
        start, _, end = record.pages.partition("-")
        entry["start_page"] = start
        if end:
            entry["end_page"] = end
    if record.keywords:
        entry["keywords"] = list(record.keywords)
    if record.url:
        entry["urls"] = [record.url]
    if record.pmid:
        entry["accession_number"] = record.pmid
        entry["notes"] = [f"PMID: {record.pmid} [PMID]"]
    # RIS values are one line: a line break inside a value would start what reads as a new tag
    # (even "ER  -" and a forged record), so breaks become spaces.
    entry = {k: [_one_line(x) for x in v] if isinstance(v, list) else _one_line(v) for k, v in entry.items()}
    text = rispy.dumps([entry], implementation=_PlainRisWriter)
    return text.strip("\n")


def _one_line(value: str) -> str:
    return " ".join(value.splitlines()) if isinstance(value, str) else value


_RIS_TYPES = frozenset("ABST ADVS AGGR ANCIENT ART BILL BLOG BOOK CASE CHAP CHART CLSWK COMP CONF CPAPER CTLG DATA "
                       "DBASE DICT EBOOK ECHAP EDBOOK EJOUR ELEC ENCYC EQUA FIGURE GEN GOVDOC GRANT HEAR ICOMM "
                       "INPR JFULL JOUR LEGAL MANSCPT MAP MGZN MPCT MULTI MUSIC NEWS PAMP PAT PCOMM RPRT SER "
                       "SLIDE SOUND STAND STAT THES UNBILL UNPB VIDEO".split())


def _is_ris_type(value: str) -> bool:
    return bool(value) and value.upper() in _RIS_TYPES


def record_as_ris(record: Record) -> str:
    """One RIS record (TY ... ER), verbatim when the record came from a RIS file."""
    file_format = record.search_file.format if record.search_file_id else ""
    raw = (record.raw or "").strip("\n")
    if file_format == "ris" and raw.startswith("TY") and raw.rsplit("\n", 1)[-1].startswith("ER"):
        return raw
    return _generated_ris(record)


def ris_chunks(records: Iterable[Record]) -> Iterator[str]:
    for record in records:
        yield record_as_ris(record) + "\n\n"


def _duplicate_of_number(record: Record):
    if not record.duplicate_of_id:
        return ""
    # records_for_export annotates it; a record from elsewhere loads its primary.
    return getattr(record, "duplicate_of_number", None) or record.duplicate_of.number


def csv_chunks(records: Iterable[Record]) -> Iterator[str]:
    # A byte-order mark so that Excel opens the file as UTF-8.
    yield "\ufeff" + csv_line(CSV_COLUMNS)
    for r in records:
        yield csv_line([
            r.pk, r.number, r.title, "; ".join(r.authors or []), r.year or "", r.journal, r.volume, r.issue, r.pages,
            r.doi, r.pmid, r.issn, "; ".join(r.keywords or []), r.language, r.publication_type, r.url, r.abstract,
            r.search.database, "; ".join(getattr(r, "source_databases", []) or [r.search.database]),
            _duplicate_of_number(r), r.search_file.original_name, r.line or "",
        ])
