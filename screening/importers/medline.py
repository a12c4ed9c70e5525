"""PubMed / MEDLINE tagged text (.nbib, .txt from PubMed's "Save > PubMed format").

rispy cannot read it (asreview #1825), so this module parses it itself: a tag
left-justified in four columns then "- ", continuation lines indented by six
spaces, records separated by a blank line (NLM's MEDLINE element
descriptions). A "PMID-" line inside a record that already has one starts a new
record, which copes with files whose blank lines were lost.
"""
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

TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) *$")
_PARAGRAPH_TAGS = {"AB", "OAB"}


def split_tag(line: str) -> tuple[str, str] | None:
    """("TI", "value") for a MEDLINE tag line, None for anything else."""
    if len(line) < 5 or line[4] != "-":
        return None
    match = TAG.match(line[:4])
    if not match:
        return None
    return match.group(1), line[5:].strip()


def iter_records(text: Lines, filename: str | None = None) -> Iterator[TaggedRecord]:
    record: TaggedRecord | None = None
    found_any = False
    for number, line in as_lines(text):
        stripped = line.rstrip()
        if not stripped:
            if record is not None and record.tags:
                found_any = True
                yield record
                record = None
            continue
        parsed = split_tag(stripped)
        if parsed is None:
            if record is None or not record.tags:
                continue  # text before the first record
            record.lines.append(line)
            tag = record.tags[-1][0]
            record.extend_last(stripped.strip(), "\n" if tag in _PARAGRAPH_TAGS else " ")
            continue
        tag, value = parsed
        if record is not None and tag == "PMID" and record.first("PMID"):
            found_any = True
            yield record
            record = None
        if record is None:
            record = TaggedRecord(line=number)
        record.lines.append(line)
        record.add(tag, value)
    if record is not None and record.tags:
        found_any = True
        yield record
    if not found_any:
        raise ImportFormatError(
            "no PubMed/MEDLINE records found (expected tagged lines such as 'PMID- 12345678' "
            "and 'TI  - title')",
            filename=filename,
        )


def to_citation(rec: TaggedRecord, report: ImportReport | None = None) -> Citation:
    has_full = any(tag == "FAU" for tag, _ in rec.tags)
    wanted = {"FAU", "CN"} if has_full else {"AU", "CN"}
    names = [value for tag, value in rec.tags if tag in wanted and value.strip()]
    year = _year(rec)
    pmid = norm.pmid(rec.first("PMID"))
    if report is not None:
        check(report, "year", rec.first(*_YEAR_TAGS), year, rec.line, rec.line_of)
        check(report, "pmid", rec.first("PMID"), pmid, rec.line, rec.line_of)
    return Citation(
        title=norm.clean(rec.joined("TI", "BTI")),
        abstract=norm.first(rec.joined("AB", separator="\n")),
        authors=norm.authors(names),
        year=year,
        journal=norm.clean(rec.first("JT", "TA", "BTI")),
        volume=norm.clean(rec.first("VI")),
        issue=norm.clean(rec.first("IP")),
        pages=norm.pages(rec.first("PG")),
        doi=_doi(rec),
        pmid=pmid,
        issn=_issn(rec.values("IS")),
        keywords=rec.values("OT") + rec.values("MH"),
        language=norm.clean(rec.first("LA")),
        publication_type=norm.clean("; ".join(rec.values("PT"))),
        url=None,
        raw=rec.raw,
        line=rec.line,
    )


# The publication date first, whatever order the file lists the tags in: DA (the date
# the record was created) often comes before DP.
_YEAR_TAGS = ("DP", "DEP", "EDAT", "CRDT", "DA")


def _year(rec: TaggedRecord) -> int | None:
    for tag in _YEAR_TAGS:
        for value in rec.values(tag):
            year = norm.year(value)
            if year:
                return year
    return None


def _doi(rec: TaggedRecord) -> str | None:
    for value in rec.values("LID", "AID"):
        lowered = value.lower()
        # "[doi]" in PubMed; ERIC writes the DOI as a link ("http://dx.doi.org/10...").
        if "[doi]" in lowered or lowered.startswith("doi") or "doi.org/" in lowered:
            found = norm.doi(value)
            if found:
                return found
    for value in rec.values("SO"):
        match = re.search(r"doi:\s*(10\.\S+)", value, re.IGNORECASE)
        if match:
            return norm.doi(match.group(1))
    return None


def _issn(values: list[str]) -> str | None:
    for kind in ("print", "linking", "electronic", ""):
        for value in values:
            if kind in value.lower():
                found = norm.issn(value)
                if found:
                    return found
    return None


def iter_citations(text: Lines, filename: str | None = None, report: ImportReport | None = None) -> Iterator[Citation]:
    for rec in iter_records(text, filename):
        yield to_citation(rec, report)


# Four-letter tags ("PMID-", "STAT-") and three-letter ones ("OWN -", "FAU -") exist only in MEDLINE.
_MEDLINE = re.compile(r"^(?:[A-Z]{4}-|[A-Z]{3} - |JT  - |DP  - )", re.MULTILINE)


def read(source: Source) -> Iterator[Citation]:
    return iter_citations(source.lines(), source.filename, source.report)


FORMAT = Format("medline", "PubMed / MEDLINE (.nbib, PubMed format text)", (".nbib", ".txt", ".medline"),
                "PubMed/MEDLINE", read, sniffs=(Sniff(60, lambda head: bool(_MEDLINE.search(head.text))),))
