"""Web of Science "plain text" export (also called ISI or "Other file format").

Two-character tags followed by one space; continuation lines indented by three
spaces; records from PT to ER; FN/VR open the file and EF closes it. rispy
documents the tags (``WOK_TAG_KEY_MAPPING``) but its WoS reader loads a whole
file at once, so the lines are read here, record by record. Author fields
(AU/AF) carry one name per line; keyword fields (DE/ID) are ";"-separated.
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

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_NAME_TAGS = {"AU", "AF", "BA", "BF", "CA", "ED", "CR"}
_FILE_TAGS = {"FN", "VR", "EF"}


def iter_records(text: Lines, filename: str | None = None) -> Iterator[TaggedRecord]:
    record: TaggedRecord | None = None
    found_any = False
    for number, line in as_lines(text):
        stripped = line.rstrip()
        if not stripped.strip():
            continue
        if stripped.startswith("   ") or stripped.startswith("\t"):
            if record is not None and record.tags:
                record.lines.append(line)
                tag = record.tags[-1][0]
                if tag in _NAME_TAGS:
                    record.add(tag, stripped.strip())
                else:
                    record.extend_last(stripped.strip(), "\n" if tag == "AB" else " ")
            continue
        match = TAG_LINE.match(stripped)
        if not match:
            if record is not None:
                raise ImportFormatError(
                    f"expected a two-letter Web of Science tag (such as 'TI ' or 'ER') or an "
                    f"indented continuation line, found {stripped[:40]!r}",
                    filename=filename,
                    line=number,
                )
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag in _FILE_TAGS and record is None:
            continue
        if tag == "ER":
            if record is not None:
                record.lines.append(line)
                found_any = True
                yield record
                record = None
            continue
        if record is None:
            record = TaggedRecord(line=number)
        elif tag == "PT" and record.tags:
            raise ImportFormatError(
                f"a new record starts here but the record from line {record.line} was not "
                "closed with 'ER'",
                filename=filename,
                line=number,
            )
        record.lines.append(line)
        record.add(tag, value)
    if record is not None:
        raise ImportFormatError(
            f"the record that starts at line {record.line} has no closing 'ER' line; "
            "the file looks truncated",
            filename=filename,
            line=record.line,
        )
    if not found_any:
        raise ImportFormatError(
            "no Web of Science records found (expected 'PT J' ... 'ER' blocks)",
            filename=filename,
        )


def to_citation(rec: TaggedRecord, report: ImportReport | None = None) -> Citation:
    # Book records may carry only the book authors (BF/BA).
    names = rec.values("AF") or rec.values("AU") or rec.values("BF") or rec.values("BA")
    split_names = [part for name in names for part in name.split(";")]
    pmid = norm.pmid(rec.first("PM"))
    accession = rec.first("UT") or ""
    if not pmid and accession.upper().startswith("MEDLINE:"):
        pmid = norm.pmid(accession.split(":", 1)[1])
    # BP/EP in WoS, PS in its MEDLINE records, SP/BR in some Inspec exports; AR is an article number.
    start = rec.first("BP", "SP", "BR")
    pages = norm.pages(start, rec.first("EP")) if start else norm.pages(rec.first("PS", "AR"))
    doi = None
    for value in rec.values("DI", "D2"):
        doi = norm.doi(value)
        if doi:
            break
    keywords: list[str] = []
    for value in rec.values("DE") + rec.values("ID"):
        keywords.extend(k.strip() for k in value.split(";") if k.strip())
    year = norm.year(rec.first("PY")) or norm.year(rec.first("PD", "EA"))
    if report is not None:
        check(report, "year", rec.first("PY", "PD", "EA"), year, rec.line, rec.line_of)
        check(report, "doi", rec.first("DI", "D2"), doi, rec.line, rec.line_of)
    return Citation(
        title=norm.clean(rec.joined("TI")),
        abstract=norm.first(rec.first("AB")),
        authors=norm.authors(split_names),
        year=year,
        journal=norm.clean(rec.first("SO", "SE", "BS", "J9", "JI")),
        volume=norm.clean(rec.first("VL")),
        issue=norm.clean(rec.first("IS")),
        pages=pages,
        doi=doi,
        pmid=pmid,
        issn=norm.issn(rec.first("SN", "EI")),
        keywords=keywords,
        language=norm.clean(rec.first("LA")),
        publication_type=norm.clean(rec.first("DT") if rec.first("DT") not in (None, "-") else rec.first("PT")),
        url=None,
        raw=rec.raw,
        line=rec.line,
    )


def iter_citations(text: Lines, filename: str | None = None, report: ImportReport | None = None) -> Iterator[Citation]:
    for rec in iter_records(text, filename):
        yield to_citation(rec, report)


_WOS = re.compile(r"^(?:FN |VR \d)", re.MULTILINE)
_WOS_RECORD = re.compile(r"^PT [A-Z]\s*$", re.MULTILINE)
_WOS_END = re.compile(r"^ER\s*$", re.MULTILINE)


def _sniff(head: Head) -> bool:
    return bool(_WOS.search(head.text) or (_WOS_RECORD.search(head.text) and _WOS_END.search(head.text)))


def read(source: Source) -> Iterator[Citation]:
    return iter_citations(source.lines(), source.filename, source.report)


FORMAT = Format("wos", "Web of Science plain text", (".txt", ".isi", ".ciw"), "Web of Science plain text", read,
                sniffs=(Sniff(50, _sniff),))
