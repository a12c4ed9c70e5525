"""EndNote XML (File > Export > XML in EndNote desktop; Covidence and EndNote Web
produce the same shape): <xml><records><record>... read with lxml, record by
record. Text sits in one or more <style> runs, which are concatenated."""
from __future__ import annotations

from collections.abc import Iterator

from . import normalise as norm
from .citation import Citation
from .decode import Data
from .registry import Format, Head, Sniff, Source
from .report import ImportReport, check
from .xmlstream import iter_elements, raw, text, texts


def iter_citations(data: Data, filename: str | None = None, report: ImportReport | None = None) -> Iterator[Citation]:
    for record in iter_elements(data, ("record",), filename, "EndNote XML (<xml><records><record>)"):
        yield to_citation(record, report)


def to_citation(rec, report: ImportReport | None = None) -> Citation:
    ref_type = rec.find("ref-type")
    doi = norm.doi(text(rec, "electronic-resource-num"))
    urls = texts(rec, "urls/related-urls/url") + texts(rec, "urls/web-urls/url")
    if not doi:
        for url in urls:
            if "doi.org/" in url:
                doi = norm.doi(url)
                break
    year = norm.year(text(rec, "dates/year")) or norm.year(text(rec, "dates/pub-dates/date"))
    if report is not None:
        def element_line(path):
            return lambda _value: getattr(rec.find(path), "sourceline", None)

        year_path = "dates/year" if text(rec, "dates/year") else "dates/pub-dates/date"
        check(report, "year", text(rec, year_path), year, rec.sourceline, element_line(year_path))
        # electronic-resource-num holds DOIs but also other identifiers, so only DOI-like values count.
        resource = text(rec, "electronic-resource-num")
        check(report, "doi", resource if resource and "10." in resource else None, doi, rec.sourceline,
              element_line("electronic-resource-num"))
    keywords = []
    for keyword in texts(rec, "keywords/keyword"):
        keywords.extend(k.strip() for k in keyword.split("\n") if k.strip())
    return Citation(
        title=norm.clean(text(rec, "titles/title")),
        abstract=norm.first(text(rec, "abstract")),
        authors=norm.authors(texts(rec, "contributors/authors/author")),
        year=year,
        journal=norm.first(
            text(rec, "periodical/full-title"),
            text(rec, "titles/secondary-title"),
            text(rec, "alt-periodical/full-title"),
            text(rec, "periodical/abbr-1"),
        ),
        volume=norm.clean(text(rec, "volume")),
        issue=norm.clean(text(rec, "number")),
        pages=norm.pages(text(rec, "pages")),
        doi=doi,
        pmid=norm.pmid(text(rec, "accession-num")),
        issn=norm.issn(text(rec, "isbn")),
        keywords=keywords,
        language=norm.clean(text(rec, "language")),
        publication_type=norm.clean(ref_type.get("name") if ref_type is not None else None),
        url=urls[0] if urls else None,
        raw=raw(rec),
        line=rec.sourceline,
    )


def read(source: Source) -> Iterator[Citation]:
    return iter_citations(source.data, source.filename, source.report)


def _sniff(head: Head) -> bool:
    return head.is_xml and "<records" in head.lower and ("<xml" in head.lower or "<record" in head.lower)


FORMAT = Format("endnote_xml", "EndNote XML", (".xml",), "EndNote XML", read, sniffs=(Sniff(21, _sniff),))
