"""RIS and CSV writers for records. Both stream: they yield text piece by piece.

A record that came from a RIS file is written back verbatim, so nothing the database
exported is lost; records from other formats are written as RIS from their
normalised fields (rispy's writer).

Two things are written where reference managers read them, whatever the source did:

- The PubMed ID goes in ``AN`` (accession number) with ``DB  - PubMed``, the pair PubMed's own
  citation exports use and EndNote reads as Accession Number and Name of Database (Zotero keeps
  them as "Loc. in Archive" and "Archive"). A verbatim record loses the line that held the PMID
  under its source's tag (Embase's C5, a "[PMID]" note); an accession number of another database
  that was in ``AN`` is kept as a note ("Accession number in Embase: ...").
- The publication type goes in ``TY`` as the nearest RIS type, and the source's own name for it
  ("Article", "Review", "Conference Paper") in ``M3``, EndNote's Type of Work, so "Article" is
  not reduced to JOUR.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import rispy
from rispy.writer import RisWriter

from reviewapp.tabular import csv_line

from .importers import normalise
from .models import Record

PUBMED = "PubMed"

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
    entry: dict = {"type_of_reference": ris_type(record.publication_type)}
    if record.publication_type and not _is_ris_type(record.publication_type):
        entry["type_of_work"] = record.publication_type
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
        entry["name_of_database"] = PUBMED
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


# The names sources give a publication type (Scopus, Web of Science, PubMed, EndNote, BibTeX,
# RefWorks), lower-cased, with the nearest RIS type; any other name is a journal article (JOUR).
_TYPE_BY_NAME = {
    "article in press": "INPR", "ahead of print": "INPR",
    "conference paper": "CPAPER", "proceedings paper": "CPAPER", "inproceedings": "CPAPER",
    "conference proceedings": "CONF", "conference review": "CONF", "proceedings": "CONF",
    "meeting abstract": "ABST", "abstract": "ABST", "congress": "ABST",
    "book": "BOOK", "edited book": "EDBOOK", "book section": "CHAP", "book chapter": "CHAP",
    "chapter": "CHAP", "incollection": "CHAP", "inbook": "CHAP",
    "thesis": "THES", "dissertation": "THES", "phdthesis": "THES", "mastersthesis": "THES",
    "report": "RPRT", "techreport": "RPRT", "technical report": "RPRT",
    "preprint": "UNPB", "unpublished": "UNPB", "manuscript": "MANSCPT",
    "electronic article": "EJOUR", "web page": "ELEC", "webpage": "ELEC", "dataset": "DATA", "data paper": "DATA",
    "magazine article": "MGZN", "newspaper article": "NEWS", "patent": "PAT", "misc": "GEN", "generic": "GEN",
}


def ris_type(publication_type: str | None) -> str:
    """The RIS type (TY) for a source's publication type: itself when it is one, else the nearest."""
    if _is_ris_type(publication_type or ""):
        return publication_type.upper()
    first = (publication_type or "").split(";")[0].strip().lower()
    return _TYPE_BY_NAME.get(first, "JOUR")


_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
# Tags where sources put a PubMed ID in a RIS file (besides AN).
_PMID_TAGS = frozenset({"C1", "C2", "C5", "C6", "M1", "N1", "PM"})


def _with_pubmed_id(raw: str, pmid: str) -> str:
    """A verbatim RIS record with its PubMed ID in AN and DB (see the module docstring)."""
    lines = raw.split("\n")
    database, accessions, kept = "", [], []
    dropping = False
    for line in lines[:-1]:  # the last line is ER
        match = _TAG_LINE.match(line.rstrip("\r"))
        if not match:  # a continuation line belongs to the tag before it
            if not dropping:
                kept.append(line)
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        dropping = True
        if tag == "DB":
            database = value
        elif tag == "AN":
            if value and normalise.pmid(value) != pmid:
                accessions.append(value)
        elif tag in _PMID_TAGS and normalise.pmid(value) == pmid:
            pass
        else:
            dropping = False
            kept.append(line)
    notes = [f"N1  - Accession number in {database or 'the source database'}: {value}" for value in accessions]
    if database and database.lower() != PUBMED.lower():
        notes.append(f"N1  - Database: {database}")
    return "\n".join([*kept, *notes, f"AN  - {pmid}", f"DB  - {PUBMED}", lines[-1]])


def record_as_ris(record: Record) -> str:
    """One RIS record (TY ... ER), verbatim when the record came from a RIS file."""
    file_format = record.search_file.format if record.search_file_id else ""
    raw = (record.raw or "").strip("\n")
    if file_format == "ris" and raw.startswith("TY") and raw.rsplit("\n", 1)[-1].startswith("ER"):
        return _with_pubmed_id(raw, record.pmid) if record.pmid else raw
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
