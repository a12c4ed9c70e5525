"""PubMed XML (efetch / "Save as XML"): <PubmedArticleSet> with <PubmedArticle>
and <PubmedBookArticle> elements, read with lxml record by record."""
from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from . import normalise as norm
from .citation import Citation
from .decode import Data
from .registry import Format, Head, Sniff, Source
from .xmlstream import iter_elements, raw, text, texts


def iter_citations(data: Data, filename: str | None = None) -> Iterator[Citation]:
    tags = ("PubmedArticle", "PubmedBookArticle")
    for record in iter_elements(data, tags, filename, "PubMed XML (<PubmedArticleSet>)"):
        yield to_citation(record)


def _authors(rec: etree._Element) -> list[str]:
    names = []
    for author_list in rec.iter("AuthorList"):
        if author_list.get("Type") == "editors":
            continue
        for author in author_list.iterfind("Author"):
            last = text(author, "LastName")
            given = text(author, "ForeName") or text(author, "Initials")
            collective = text(author, "CollectiveName")
            if last:
                names.append(f"{last}, {given}" if given else last)
            elif collective:
                names.append(collective)
        break
    return norm.authors(names)


def _abstract(rec: etree._Element) -> str | None:
    parts = []
    for node in rec.iter("AbstractText"):
        body = "".join(node.itertext()).strip()
        label = node.get("Label")
        if body:
            parts.append(f"{label}: {body}" if label else body)
    return "\n".join(parts) or None


def _doi(rec: etree._Element) -> str | None:
    for node in rec.iter("ELocationID"):
        if node.get("EIdType") == "doi":
            found = norm.doi(node.text)
            if found:
                return found
    for node in rec.iter("ArticleId"):
        if node.get("IdType") == "doi":
            found = norm.doi(node.text)
            if found:
                return found
    return None


def _year(rec: etree._Element) -> int | None:
    for path in (
        ".//JournalIssue/PubDate/Year",
        ".//JournalIssue/PubDate/MedlineDate",
        ".//Article/ArticleDate/Year",
        ".//Book/PubDate/Year",
        ".//DateCompleted/Year",
        ".//DateCreated/Year",
    ):
        year = norm.year(text(rec, path))
        if year:
            return year
    return None


def _pages(rec: etree._Element) -> str | None:
    pages = text(rec, ".//Pagination/MedlinePgn")
    if pages:
        return norm.pages(pages)
    return norm.pages(text(rec, ".//Pagination/StartPage"), text(rec, ".//Pagination/EndPage"))


def _issn(rec: etree._Element) -> str | None:
    for node in rec.iter("ISSN"):
        if node.get("IssnType") == "Print":
            return norm.issn(node.text)
    return norm.issn(text(rec, ".//Journal/ISSN")) or norm.issn(text(rec, ".//ISSNLinking"))


def to_citation(rec: etree._Element) -> Citation:
    pmid = norm.pmid(text(rec, ".//PMID"))
    keywords = texts(rec, ".//KeywordList/Keyword") + texts(rec, ".//MeshHeading/DescriptorName")
    title = text(rec, ".//Article/ArticleTitle") or text(rec, ".//BookDocument/ArticleTitle")
    title = title or text(rec, ".//Book/BookTitle") or text(rec, ".//VernacularTitle")
    return Citation(
        title=norm.clean(title),
        abstract=_abstract(rec),
        authors=_authors(rec),
        year=_year(rec),
        journal=norm.first(text(rec, ".//Journal/Title"), text(rec, ".//MedlineTA"), text(rec, ".//Book/BookTitle")),
        volume=norm.clean(text(rec, ".//JournalIssue/Volume")),
        issue=norm.clean(text(rec, ".//JournalIssue/Issue")),
        pages=_pages(rec),
        doi=_doi(rec),
        pmid=pmid,
        issn=_issn(rec),
        keywords=keywords,
        language=norm.clean(text(rec, ".//Language")),
        publication_type=norm.clean("; ".join(texts(rec, ".//PublicationType"))),
        url=None,
        raw=raw(rec),
        line=rec.sourceline,
    )


def read(source: Source) -> Iterator[Citation]:
    return iter_citations(source.data, source.filename)


def _sniff(head: Head) -> bool:
    return head.is_xml and ("<pubmedarticle" in head.lower or "<pubmedbookarticle" in head.lower)


FORMAT = Format("pubmed_xml", "PubMed XML", (".xml",), "PubMed XML", read, sniffs=(Sniff(20, _sniff),))
