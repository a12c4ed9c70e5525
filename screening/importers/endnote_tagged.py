"""EndNote / Refer tagged text (.enw, .enl exports, AIS eLibrary): lines such as
"%A Smith, John" and "%T Title", one record per block of lines separated by a
blank line. Tag meanings from EndNote's Refer import filter."""
from __future__ import annotations

import re
from collections.abc import Iterator

from . import normalise as norm
from .citation import Citation
from .decode import Lines, as_lines
from .errors import ImportFormatError
from .registry import Format, Sniff, Source
from .report import ImportReport, check
from .tagged import TaggedRecord

TAG_LINE = re.compile(r"^%([0-9A-Z@!#$&()*+^~>\]|?])(?:\s(.*))?$")


def iter_records(text: str, filename: str | None = None) -> Iterator[TaggedRecord]:
    record: TaggedRecord | None = None
    found_any = False
    for number, line in as_lines(text):
        stripped = line.rstrip()
        if not stripped.strip():
            if record is not None and _has_content(record):
                found_any = True
                yield record
            record = None
            continue
        match = TAG_LINE.match(stripped)
        if not match:
            if record is None:
                raise ImportFormatError(
                    f"expected an EndNote tag line such as '%A Author' or '%T Title', "
                    f"found {stripped[:40]!r}",
                    filename=filename,
                    line=number,
                )
            record.lines.append(line)
            record.extend_last(stripped.strip())
            continue
        if record is None:
            record = TaggedRecord(line=number)
        record.lines.append(line)
        record.add(match.group(1), (match.group(2) or "").strip())
    if record is not None and _has_content(record):
        found_any = True
        yield record
    if not found_any:
        raise ImportFormatError("no EndNote tagged records found (expected '%0', '%A', '%T' lines)", filename=filename)


def _has_content(record: TaggedRecord) -> bool:
    # A lone "%0" line (JabRef's recognition sample) is a marker, not a record.
    return any(value for _tag, value in record.tags)


def to_citation(rec: TaggedRecord, report: ImportReport | None = None) -> Citation:
    doi = None
    for value in rec.values("R", "U"):
        doi = norm.doi(value)
        if doi:
            break
    keywords = []
    for value in rec.values("K"):
        keywords.extend(k.strip() for k in re.split(r"[;\n]", value) if k.strip())
    kind = rec.first("0")
    year = norm.year(rec.first("D")) or norm.year(rec.first("8"))
    if report is not None:
        check(report, "year", rec.first("D", "8"), year, rec.line, rec.line_of)
    return Citation(
        title=norm.clean(rec.first("T")),
        abstract=norm.first(rec.first("X")),
        authors=norm.authors(rec.values("A")),
        year=year,
        journal=norm.clean(rec.first("J", "B")),
        volume=norm.clean(rec.first("V")),
        issue=norm.clean(rec.first("N")),
        pages=norm.pages(rec.first("P")),
        doi=doi,
        pmid=norm.pmid(rec.first("M")),
        issn=norm.issn(rec.first("@")),
        keywords=keywords,
        language=norm.clean(rec.first("G")),
        publication_type=norm.clean(kind),
        url=norm.clean(rec.first("U")),
        raw=rec.raw,
        line=rec.line,
    )


def iter_citations(text: Lines, filename: str | None = None, report: ImportReport | None = None) -> Iterator[Citation]:
    for rec in iter_records(text, filename):
        yield to_citation(rec, report)


_ENDNOTE_TAG = re.compile(r"^%[0A-Z@] ?", re.MULTILINE)


def read(source: Source) -> Iterator[Citation]:
    return iter_citations(source.lines(), source.filename, source.report)


FORMAT = Format("endnote_tagged", "EndNote tagged / Refer (.enw)", (".enw", ".enl", ".txt"), "EndNote tagged", read,
                sniffs=(Sniff(90, lambda head: bool(_ENDNOTE_TAG.match(head.stripped))),))
