"""The formats the upload form offers: name -> label and usual extensions."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    label: str
    extensions: tuple[str, ...]


FORMATS: dict[str, Format] = {
    "ris": Format("RIS (Scopus, Embase, Ovid, EndNote, Zotero, Mendeley, ...)", (".ris", ".txt")),
    "ovid": Format("Ovid direct export (Embase, MEDLINE, PsycINFO, ... on Ovid)", (".txt", ".ovd", ".cgi")),
    "refworks": Format("RefWorks tagged (.txt)", (".txt",)),
    "medline": Format("PubMed / MEDLINE (.nbib, PubMed format text)", (".nbib", ".txt", ".medline")),
    "pubmed_xml": Format("PubMed XML", (".xml",)),
    "endnote_xml": Format("EndNote XML", (".xml",)),
    "endnote_tagged": Format("EndNote tagged / Refer (.enw)", (".enw", ".enl", ".txt")),
    "bibtex": Format("BibTeX", (".bib", ".bibtex")),
    "wos": Format("Web of Science plain text", (".txt", ".isi", ".ciw")),
    "wos_tab": Format("Web of Science tab-delimited", (".txt", ".tsv", ".tab")),
    "csv": Format("CSV (comma or semicolon separated)", (".csv",)),
    "tsv": Format("TSV (tab separated)", (".tsv", ".tab", ".txt")),
    "xlsx": Format("Excel workbook (.xlsx)", (".xlsx",)),
}

EXPECTED = (
    "expected one of: RIS, PubMed/MEDLINE (.nbib), PubMed XML, EndNote XML, EndNote tagged (.enw), "
    "Ovid direct export, RefWorks tagged, BibTeX, Web of Science plain text or tab-delimited, CSV, TSV or XLSX"
)
