"""RIS (Research Information Systems) in the dialects databases really write.

Records are split here, line by line, and each record's tags are mapped to a
Citation by our own code rather than by rispy: rispy reads a whole file at once
(about 518 MB for 100,000 records) and keeps only the last value of a repeated
single-valued tag, while this reader streams one record at a time and keeps
what the databases wrote. Tolerated deviations (DOMAIN.md): text between
records (Ovid numbering, Cochrane/JSTOR headers), repeated single tags, LF or
CRLF endings, "ER  -" with no trailing space, content lines starting with "ER",
tags with one space before the dash ("KW - x"), a missing ER before the next
TY. A file that ends inside a record is refused as truncated.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from . import normalise as norm
from .citation import Citation
from .decode import Lines
from .errors import ImportFormatError
from .registry import RIS_END, RIS_START, Format, Sniff, Source
from .report import ImportReport, check
from .tagged import TaggedRecord

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]|[A-Z]{3,4}) {1,2}-(?: (.*)|\s*)$")
# Tags whose continuation lines are separate items rather than wrapped text.
_LIST_TAGS = {"KW", "AU", "A1", "A2", "A3", "A4", "UR", "L1", "L2", "N1"}
_PARAGRAPH_TAGS = {"AB", "N2"}
_PUBMED_DB = re.compile(r"pubmed|medline|\bnlm\b", re.IGNORECASE)
_PUBMED_URL = re.compile(r"(?:ncbi\.nlm\.nih\.gov/pubmed/|pubmed\.ncbi\.nlm\.nih\.gov/)(\d{1,9})")
_PMID_NOTE = re.compile(r"(\d{1,9})\s*\[pmid\]", re.IGNORECASE)
_EMBASE = re.compile(r"embase", re.IGNORECASE)
_LINK_TAGS = frozenset(("UR", "L2", "LK"))


_TAG_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TAG_SECOND = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _numbered_blocks(source: Lines) -> Iterator[tuple[int, list[str]]]:
    """(number of the first line, lines) for text, decoded bytes or (number, line) pairs."""
    if isinstance(source, str):
        lines = source.split("\n")
        if not lines[-1]:
            lines.pop()  # the text's final line break ends a line; it does not start one
        yield 1, lines
    elif hasattr(source, "blocks"):
        number = 1
        for lines in source.blocks():
            yield number, lines
            number += len(lines)
    else:
        for number, line in source:
            yield number, [line]


def iter_records(text: Lines, filename: str | None = None) -> Iterator[TaggedRecord]:
    """Records of RIS text, of ``decode.iter_decoded_lines`` output, or of (number, line) pairs."""
    record: TaggedRecord | None = None
    tags: list[tuple[str, str]] = []
    lines: list[str] = []
    # The record's by-tag index, filled as the lines are read rather than in a second
    # pass; every value here is already stripped, as TaggedRecord.by_tag would make it.
    by: dict[str, list[str]] = {}
    only_type_so_far = False
    after_gap = False
    stray: tuple[int, str] | None = None
    found_any = False
    for first_number, block in _numbered_blocks(text):
        for number, line in enumerate(block, first_number):
            # Nearly every tag line is "XX  - value"; the pattern is for the rest.
            if line[2:6] == "  - " and line[0] in _TAG_FIRST and line[1] in _TAG_SECOND:
                tag, value = line[:2], line[6:].strip()
            else:
                match = TAG_LINE.match(line.rstrip())
                if match:
                    tag, value = match.group(1), (match.group(2) or "").strip()
                else:
                    tag = None
            previous_was_gap, after_gap = after_gap, False
            if tag is not None:
                if tag == "TY":
                    if record is not None and not only_type_so_far and previous_was_gap:
                        # A TY inside an open record: the exporter dropped the ER.
                        found_any = True
                        yield record
                        record = None
                    if record is None:
                        record = TaggedRecord(line=number)
                        tags, lines, by = record.tags, record.lines, {}
                        record._by_tag = by
                        only_type_so_far = True
                    lines.append(line)
                    tags.append((tag, value))
                    if value:
                        by.setdefault(tag, []).append(value)
                    continue
                if tag == "ER":
                    if record is not None:
                        lines.append(line)
                        found_any = True
                        yield record
                        record = None
                    continue
                if record is None:
                    if stray is None:
                        stray = (number, tag)
                    continue
                only_type_so_far = False
                lines.append(line)
                tags.append((tag, value))
                if value:
                    by.setdefault(tag, []).append(value)
                continue
            if record is None:
                continue  # text between records: headers, "1.", "Record #3 of 18"
            lines.append(line)
            text_line = line.strip()
            if not text_line or not tags or text_line.startswith(("%", "#")):
                # Blank lines, and the "% ..." or "#" comments CoLRev and hand-edited files carry.
                after_gap = True
                continue
            tag, previous = tags[-1]
            if tag in _LIST_TAGS:
                tags.append((tag, text_line))
                by.setdefault(tag, []).append(text_line)
            elif previous:
                # Wrapped text continues the last value (TaggedRecord.extend_last, kept in step with the index).
                separator = "\n" if tag in _PARAGRAPH_TAGS else " "
                extended = f"{previous}{separator}{text_line}"
                tags[-1] = (tag, extended)
                by[tag][-1] = extended
            else:
                tags[-1] = (tag, text_line)
                by.setdefault(tag, []).append(text_line)
    if record is not None:
        raise ImportFormatError(
            f"the record that starts at line {record.line} has no closing 'ER  - ' line; "
            "the file looks truncated (expected every RIS record to end with 'ER  - ')",
            filename=filename,
            line=record.line,
        )
    if not found_any:
        if stray is not None:
            raise ImportFormatError(
                f"found the tag '{stray[1]}  - ' outside any record; expected each RIS record "
                "to start with a 'TY  - ' line",
                filename=filename,
                line=stray[0],
            )
        raise ImportFormatError(
            "no RIS records found (expected lines such as 'TY  - JOUR' ... 'ER  - ')",
            filename=filename,
        )


def _first(by: dict[str, list[str]], tags: tuple[str, ...]) -> str | None:
    for tag in tags:
        found = by.get(tag)
        if found:
            return found[0]
    return None


def to_citation(rec: TaggedRecord, report: ImportReport | None = None) -> Citation:
    by = rec.by_tag()
    ty = _first(by, ("TY",))
    titles = by.get("TI") or by.get("T1") or by.get("CT")
    title = " ".join(titles) if titles else (_first(by, ("BT",)) if ty in ("BOOK", "EBOOK") else None)
    journal = _first(by, ("JF", "T2", "JO", "JA", "J2", "BT"))
    if journal and title and journal == title and ty in ("BOOK", "EBOOK"):
        journal = _first(by, ("T3",))
    doi = _doi(rec)
    year = _year(by)
    pmid = _pmid(rec)
    issn = norm.issn(" ".join(by.get("SN", ())))
    if report is not None:
        line = rec.line
        check(report, "year", _first(by, _YEAR_TAGS), year, line, rec.line_of)
        check(report, "doi", _first(by, ("DO", "DI")), doi, line, rec.line_of)
        check(report, "pmid", _first(by, ("PMID", "PM")), pmid, line, rec.line_of)
        sn = _first(by, ("SN",))
        if sn and not issn and not _ISBN.fullmatch(sn.replace("-", "").replace(" ", "")):
            report.unread("issn", sn, rec.line_of(sn))
    return Citation(
        title=norm.clean(title),
        abstract=_abstract(_first(by, ("AB", "N2"))),
        authors=norm.authors(rec.values("AU", "A1")),
        year=year,
        journal=norm.clean(journal),
        volume=norm.clean(_first(by, ("VL", "VO"))),
        issue=norm.clean(_first(by, ("IS", "CP", "M2"))),
        pages=norm.pages(_first(by, ("SP",)), _first(by, ("EP",))),
        doi=doi,
        pmid=pmid,
        issn=issn,
        keywords=_keywords(by.get("KW", [])),
        language=norm.clean(_first(by, ("LA",))),
        publication_type=norm.clean(ty),
        url=norm.clean(_first(by, ("UR", "L2", "LK", "L1"))),
        raw=rec.raw,
        line=rec.line,
    )


def _doi(rec: TaggedRecord) -> str | None:
    # Tags in order of trust; links only count when they are doi.org links, since
    # publisher URLs embed DOIs with suffixes such as ".pdf" or "/fulltext.html".
    for tag in ("DO", "DI", "M3", "N1"):
        for value in rec.values(tag):
            if tag in ("M3", "N1") and "10." not in value:
                continue
            found = norm.doi(value)
            if found:
                return found
    for tag in ("UR", "L2", "L3", "LK"):
        for value in rec.values(tag):
            if "doi.org/" in value.lower():
                found = norm.doi(value)
                if found:
                    return found
    return None


def _abstract(value: str | None) -> str | None:
    if not value:
        return None
    if "\n" not in value:
        return value.strip() or None
    text = "\n".join(part.strip() for part in value.split("\n"))
    return text.strip() or None


# Publication date first: DA is often the record's creation or access date, and a file
# may list it before PY, so the tags are tried in this order rather than in file order.
_YEAR_TAGS = ("PY", "Y1", "DA", "Y2")
_ISBN = re.compile(r"(?:\d{9}[\dXx]|\d{13})(?:\D.*)?")


def _year(by: dict[str, list[str]]) -> int | None:
    for tag in _YEAR_TAGS:
        for value in by.get(tag, ()):
            year = norm.year(value)
            if year:
                return year
    return None


def _pmid(rec: TaggedRecord) -> str | None:
    for value in rec.values("PMID", "PM"):
        found = norm.pmid(value)
        if found:
            return found
    for value in rec.values("M1", "C5", "AN", "N1", "C1", "C2"):
        match = _PMID_NOTE.search(value)
        if match:
            return match.group(1)
    provider = " ".join(rec.values("DB", "DP"))
    if _PUBMED_DB.search(provider):
        for value in rec.values("AN"):
            found = norm.pmid(value)
            if found:
                return found
    if _EMBASE.search(provider):
        for value in rec.values("C5"):
            found = norm.pmid(value)
            if found:
                return found
    for tag, value in rec.tags:  # in file order, whichever of the link tags
        # Every PubMed link names "pubmed": most links need no regex at all.
        if tag in _LINK_TAGS and "pubmed" in value:
            match = _PUBMED_URL.search(value)
            if match:
                return match.group(1)
    return None


def _keywords(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        if ";" in value:
            out.extend(v.strip() for v in value.split(";") if v.strip())
        else:
            out.append(value.strip())
    return out


def iter_citations(text: Lines, filename: str | None = None, report: ImportReport | None = None) -> Iterator[Citation]:
    for rec in iter_records(text, filename):
        yield to_citation(rec, report)


_TAG = re.compile(r"^[A-Z][A-Z0-9]  - ", re.MULTILINE)


def read(source: Source) -> Iterator[Citation]:
    return iter_citations(source.lines(), source.filename, source.report)


FORMAT = Format(
    "ris", "RIS (Scopus, Embase, Ovid, EndNote, Zotero, Mendeley, ...)", (".ris", ".txt"), "RIS", read,
    sniffs=(
        # TY or ER lines: RIS records (also inside Ovid's on-screen display headers).
        Sniff(40, lambda head: bool(RIS_START.search(head.text) or RIS_END.search(head.text))),
        # Only tag lines: after MEDLINE, whose "JT  - " lines look the same.
        Sniff(70, lambda head: bool(_TAG.search(head.text))),
    ),
)
