"""RefWorks tagged format (RefWorks' own export and import format, .txt).

Each record opens with "RT Reference type" and holds lines of a two-character
tag, one space and the value ("A1 Smith, John", "T1 Title", "YR 2010");
records are separated by blank lines. Tag meanings from RefWorks' tagged
format description: A1 authors, T1 title, JF/JO journal, YR/FD dates, VO, IS,
SP/OP first and other (last) page, AB, K1 keywords, SN ISSN/ISBN, DO, UL, LA.
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

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]) (.*)$|^([A-Z][A-Z0-9])$")


def iter_records(text: Lines, filename: str | None = None) -> Iterator[TaggedRecord]:
    record: TaggedRecord | None = None
    found_any = False
    for number, line in as_lines(text):
        stripped = line.rstrip()
        if not stripped.strip():
            if record is not None and record.tags:
                found_any = True
                yield record
            record = None
            continue
        match = TAG_LINE.match(stripped)
        if match:
            tag, value = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), "")
            if tag == "RT" and record is not None and record.tags:
                found_any = True  # a record that was not followed by a blank line
                yield record
                record = None
            if record is None:
                record = TaggedRecord(line=number)
            record.lines.append(line)
            record.add(tag, value.strip())
        elif record is not None and record.tags:
            record.lines.append(line)
            record.extend_last(stripped.strip())
    if record is not None and record.tags:
        found_any = True
        yield record
    if not found_any:
        raise ImportFormatError(
            "no RefWorks tagged records found (expected records such as 'RT Journal Article', 'A1 Author', "
            "'T1 Title')",
            filename=filename,
        )


def to_citation(rec: TaggedRecord, report: ImportReport | None = None) -> Citation:
    year_text = rec.first("YR", "FD")
    year = norm.year(year_text)
    doi = norm.doi(rec.first("DO"))
    if not doi:
        for value in rec.values("UL", "LK"):
            if "doi.org/" in value.lower():
                doi = norm.doi(value)
                break
    if report is not None:
        check(report, "year", year_text, year, rec.line, rec.line_of)
        check(report, "doi", rec.first("DO"), doi, rec.line, rec.line_of)
    keywords: list[str] = []
    for value in rec.values("K1"):
        keywords.extend(k.strip() for k in value.split(";") if k.strip())
    return Citation(
        title=norm.clean(rec.first("T1")),
        abstract=norm.first(rec.first("AB")),
        authors=norm.authors(rec.values("A1")),
        year=year,
        journal=norm.clean(rec.first("JF", "JO", "T2")),
        volume=norm.clean(rec.first("VO")),
        issue=norm.clean(rec.first("IS")),
        pages=norm.pages(rec.first("SP"), rec.first("OP")),
        doi=doi,
        pmid=None,
        issn=norm.issn(rec.first("SN")),
        keywords=keywords,
        language=norm.clean(rec.first("LA")),
        publication_type=norm.clean(rec.first("RT")),
        url=norm.clean(rec.first("UL", "LK")),
        raw=rec.raw,
        line=rec.line,
    )


def iter_citations(text: Lines, filename: str | None = None, report: ImportReport | None = None) -> Iterator[Citation]:
    for rec in iter_records(text, filename):
        yield to_citation(rec, report)


# RefWorks tagged: "RT Journal Article" opens each record; "A1 ", "T1 ", "YR " lines follow.
_REFWORKS_START = re.compile(r"^RT [A-Z]")
_REFWORKS_TAG = re.compile(r"^(?:A1|T1|YR|SR|JF|FD) \S", re.MULTILINE)


def _sniff(head: Head) -> bool:
    return bool(_REFWORKS_START.match(head.stripped)) and len(_REFWORKS_TAG.findall(head.text[:5000])) >= 2


def read(source: Source) -> Iterator[Citation]:
    return iter_citations(source.lines(), source.filename, source.report)


FORMAT = Format("refworks", "RefWorks tagged (.txt)", (".txt",), "RefWorks tagged", read,
                sniffs=(Sniff(100, _sniff),))
