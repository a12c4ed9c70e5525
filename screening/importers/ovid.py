"""Ovid's direct export ("Direct Export" / Citation Manager, fields as tagged text).

The default export of Ovid (Embase, MEDLINE, PsycINFO, BIOSIS, ... on Ovid):
each record opens with its number in angle brackets ("<1. >"), then
"VN  - Ovid Technologies", "DB  - Embase" and tag lines "XX  - value" much like
RIS but without TY/ER. Lines that are not tags continue the last value.
Where the database gives no separate journal, volume, issue or pages tags, they
are read from the source line ("SO  - Journal. 201(2-3):327-334, 2004.").
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from . import normalise as norm
from .citation import Citation
from .decode import Lines, as_lines
from .errors import ImportFormatError
from .registry import Format, Head, Sniff, Source
from .report import ImportReport, check
from .tagged import TaggedRecord

RECORD_START = re.compile(r"^<\s*\d+\.?\s*>\s*$")
TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {1,2}-(?: (.*)|\s*)$")
_PARAGRAPH_TAGS = {"AB"}
# Role and e-mail notes after a name: "Werner, S. M. [Author, Reprint Author; E-mail: ...]".
_NAME_NOTE = re.compile(r"\s*\[[^\]]*\]|\s+[\d,*+]+$")
_TITLE_KIND = re.compile(r"\.?\s*\[(?:Article|Review|Miscellaneous|Editorial|Letter|Comment|Report|Note|Erratum|"
                         r"Conference Paper|Journal Article)\]\s*$", re.IGNORECASE)
_SO_VOLUME_ISSUE = re.compile(r"(?<![\d.])(\d+)\s*\(([^)]+)\)")
# "(pp 499-509)" (Embase), ":327-334" (BIOSIS, MEDLINE), ", 45-50." at the end (PsycINFO).
_SO_PAGES = re.compile(r"\(pp\s*([\d\w-]+)\)"
                       r"|:\s*([A-Za-z]?\d+(?:-[A-Za-z]?\d+)?)"
                       r"|,\s*([A-Za-z]?\d+-[A-Za-z]?\d+)\.?\s*$")
_SO_JOURNAL = re.compile(r"^(.+?)(?:\.\s|\s+\d|,\s*\d|$)")
_MEDLINE_DB = re.compile(r"medline|pubmed", re.IGNORECASE)


def iter_records(text: Lines, filename: str | None = None) -> Iterator[TaggedRecord]:
    record: TaggedRecord | None = None
    found_any = False
    for number, line in as_lines(text):
        stripped = line.rstrip()
        if RECORD_START.match(stripped):
            if record is not None and record.tags:
                found_any = True
                yield record
            record = TaggedRecord(line=number)
            record.lines.append(line)
            continue
        if record is None:
            continue  # text before the first record
        if not stripped:
            record.lines.append(line)
            continue
        match = TAG_LINE.match(stripped)
        if match:
            record.lines.append(line)
            record.add(match.group(1), (match.group(2) or "").strip())
        elif record.tags:
            record.lines.append(line)
            tag = record.tags[-1][0]
            record.extend_last(stripped.strip(), "\n" if tag in _PARAGRAPH_TAGS else " ")
    if record is not None and record.tags:
        found_any = True
        yield record
    if not found_any:
        raise ImportFormatError(
            "no Ovid records found (expected records opening with '<1. >' followed by tag lines such as "
            "'VN  - Ovid Technologies' and 'TI  - title')",
            filename=filename,
        )


def _source_parts(source: str | None) -> dict[str, str | None]:
    if not source:
        return {}
    parts: dict[str, str | None] = {}
    journal = _SO_JOURNAL.match(source)
    parts["journal"] = journal.group(1).strip() if journal else None
    volume_issue = _SO_VOLUME_ISSUE.search(source)
    if volume_issue:
        parts["volume"], parts["issue"] = volume_issue.group(1), volume_issue.group(2)
    pages = _SO_PAGES.search(source)
    if pages:
        parts["pages"] = pages.group(1) or pages.group(2) or pages.group(3)
    return parts


def to_citation(rec: TaggedRecord, report: ImportReport | None = None) -> Citation:
    names = rec.values("FA") or rec.values("AU") or rec.values("ED")
    authors = norm.authors(_NAME_NOTE.sub("", name) for name in names)
    source = rec.first("SO")
    parts = _source_parts(source)
    year_text = rec.first("YR", "DP", "PY", "YE")
    year = norm.year(year_text) or norm.year(source)
    doi = None
    for value in rec.values("DO", "DI"):
        doi = norm.doi(value)
        if doi:
            break
    pmid = norm.pmid(rec.first("PM", "PMID"))
    if not pmid and _MEDLINE_DB.search(rec.first("DB") or ""):
        pmid = norm.pmid(rec.first("UI", "AN"))
    keywords: list[str] = []
    for value in rec.values("KW") + rec.values("MH") + rec.values("DE"):
        keywords.extend(k.strip().lstrip("*").strip() for k in value.split(";") if k.strip())
    title = rec.joined("TI")
    if title:
        title = _TITLE_KIND.sub("", title)
    if report is not None:
        check(report, "year", year_text, year, rec.line, rec.line_of)
        check(report, "doi", rec.first("DO", "DI"), doi, rec.line, rec.line_of)
    return Citation(
        title=norm.clean(title),
        abstract=norm.first(rec.joined("AB", separator="\n")),
        authors=authors,
        year=year,
        journal=norm.clean(rec.first("JN", "JT", "JA", "TA") or parts.get("journal")),
        volume=norm.clean(rec.first("VO", "VI") or parts.get("volume")),
        issue=norm.clean(rec.first("IP", "NO") or parts.get("issue")),
        pages=norm.pages(rec.first("PG") or parts.get("pages")),
        doi=doi,
        pmid=pmid,
        issn=norm.issn(" ".join(rec.values("IS"))),
        keywords=keywords,
        language=norm.clean(rec.first("LG", "LA")),
        publication_type=norm.clean(rec.first("PT")),
        url=norm.clean(rec.first("UR", "XL")),
        raw=rec.raw,
        line=rec.line,
    )


def iter_citations(text: Lines, filename: str | None = None, report: ImportReport | None = None) -> Iterator[Citation]:
    for rec in iter_records(text, filename):
        yield to_citation(rec, report)


# Ovid's direct export: "<1. >" then "VN  - Ovid Technologies" and RIS-like tag lines without TY/ER.
_OVID_DIRECT = re.compile(r"^VN {1,2}- Ovid Technologies", re.MULTILINE)
_OVID_DIRECT_START = re.compile(r"^<\s*\d+\.\s*>\s*$", re.MULTILINE)
_OVID_TAG = re.compile(r"^[A-Z][A-Z0-9] {1,2}- \S", re.MULTILINE)


def _sniff(head: Head) -> bool:
    if head.has_ris_records:
        return False
    return bool(_OVID_DIRECT.search(head.text[:4000])
                or (_OVID_DIRECT_START.match(head.stripped) and _OVID_TAG.search(head.text)))


def read(source: Source) -> Iterator[Citation]:
    return iter_citations(source.lines(), source.filename, source.report)


FORMAT = Format("ovid", "Ovid direct export (Embase, MEDLINE, PsycINFO, ... on Ovid)", (".txt", ".ovd", ".cgi"),
                "Ovid direct export", read, sniffs=(Sniff(10, _sniff),))
