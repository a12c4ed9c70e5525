"""The formats the upload form offers: key -> label, the short name shown once a file is read,
and the usual extensions. Keys are internal; people see the label or the name."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    label: str
    extensions: tuple[str, ...]
    name: str


FORMATS: dict[str, Format] = {
    "ris": Format("RIS (Scopus, Embase, Ovid, EndNote, Zotero, Mendeley, ...)", (".ris", ".txt"), "RIS"),
    "ovid": Format("Ovid direct export (Embase, MEDLINE, PsycINFO, ... on Ovid)", (".txt", ".ovd", ".cgi"),
                   "Ovid direct export"),
    "refworks": Format("RefWorks tagged (.txt)", (".txt",), "RefWorks tagged"),
    "medline": Format("PubMed / MEDLINE (.nbib, PubMed format text)", (".nbib", ".txt", ".medline"), "PubMed/MEDLINE"),
    "pubmed_xml": Format("PubMed XML", (".xml",), "PubMed XML"),
    "endnote_xml": Format("EndNote XML", (".xml",), "EndNote XML"),
    "endnote_tagged": Format("EndNote tagged / Refer (.enw)", (".enw", ".enl", ".txt"), "EndNote tagged"),
    "bibtex": Format("BibTeX", (".bib", ".bibtex"), "BibTeX"),
    "wos": Format("Web of Science plain text", (".txt", ".isi", ".ciw"), "Web of Science plain text"),
    "wos_tab": Format("Web of Science tab-delimited", (".txt", ".tsv", ".tab"), "Web of Science tab-delimited"),
    "csv": Format("CSV (comma or semicolon separated)", (".csv",), "CSV"),
    "tsv": Format("TSV (tab separated)", (".tsv", ".tab", ".txt"), "TSV"),
    "xlsx": Format("Excel workbook (.xlsx)", (".xlsx",), "Excel workbook (XLSX)"),
}

EXPECTED = (
    "expected one of: RIS, PubMed/MEDLINE (.nbib), PubMed XML, EndNote XML, EndNote tagged (.enw), "
    "Ovid direct export, RefWorks tagged, BibTeX, Web of Science plain text or tab-delimited, CSV, TSV or XLSX"
)


def format_name(key: str) -> str:
    """What people call the format stored under ``key`` ("medline" -> "PubMed/MEDLINE")."""
    known = FORMATS.get(key)
    return known.name if known else key
