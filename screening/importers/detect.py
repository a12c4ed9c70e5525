"""Recognise the export format from the bytes (and the file name as a hint).

Files that are not bibliographic exports at all (images, PDFs, archives, web
pages, JSON, project backups) are refused here with the reason, so the user
learns what to upload instead.
"""
from __future__ import annotations

import io
import re
import zipfile

from .decode import decode
from .errors import ImportFormatError
from .formats import EXPECTED

_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office file (.xls or .doc); save the sheet as .xlsx or CSV"),
    (b"SQLite format 3", "an SQLite database"),
)
_CONTENT = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf\xff\xfe]")
# One space before the dash ("TY - JOUR") is written by some tools and read by the RIS reader.
_RIS_END = re.compile(r"^ER {1,2}-", re.MULTILINE)
_RIS_TAG = re.compile(r"^[A-Z][A-Z0-9]  - ", re.MULTILINE)
_RIS_START = re.compile(r"^TY {1,2}- ", re.MULTILINE)
# Four-letter tags ("PMID-", "STAT-") and three-letter ones ("OWN -", "FAU -") exist only in MEDLINE.
_MEDLINE = re.compile(r"^(?:[A-Z]{4}-|[A-Z]{3} - |JT  - |DP  - )", re.MULTILINE)
_WOS = re.compile(r"^(?:FN |VR \d)", re.MULTILINE)
_WOS_RECORD = re.compile(r"^PT [A-Z]\s*$", re.MULTILINE)
_BIBTEX = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE)
_ENDNOTE_TAG = re.compile(r"^%[0A-Z@] ?", re.MULTILINE)
_COPAC = re.compile(r"^[A-Z]{2}- \S", re.MULTILINE)
# Ovid's record headers: "<1>" in the citation display, "<1. >" in some versions of it.
_OVID = re.compile(r"^<\s*\d+\.?\s*>\s*$", re.MULTILINE)
# Ovid's direct export: "<1. >" then "VN  - Ovid Technologies" and RIS-like tag lines without TY/ER.
_OVID_DIRECT = re.compile(r"^VN {1,2}- Ovid Technologies", re.MULTILINE)
_OVID_DIRECT_START = re.compile(r"^<\s*\d+\.\s*>\s*$", re.MULTILINE)
_OVID_TAG = re.compile(r"^[A-Z][A-Z0-9] {1,2}- \S", re.MULTILINE)
# RefWorks tagged: "RT Journal Article" opens each record; "A1 ", "T1 ", "YR " lines follow.
_REFWORKS_START = re.compile(r"^RT [A-Z]")
_REFWORKS_TAG = re.compile(r"^(?:A1|T1|YR|SR|JF|FD) \S", re.MULTILINE)
_OVID_HOW = ("in Ovid, select the records, choose Export, set the format to RIS "
             "(or EndNote) and upload the file it saves")
_OVID_DISPLAY = ("this is Ovid's on-screen citation display, which carries no machine-readable tags; "
                 + _OVID_HOW)
_OVID_XML = "this is Ovid's XML export, which is not read here; " + _OVID_HOW
_TABLE_EXTENSIONS = (".csv", ".tsv", ".tab", ".txt")


def _extension(filename: str | None) -> str:
    if not filename or "." not in filename:
        return ""
    return "." + filename.rsplit(".", 1)[1].lower()


def detect_format(data: bytes, filename: str | None = None) -> str:
    """Name of the format in FORMATS, or ImportFormatError saying what the file is."""
    # re.search rather than bytes.strip(): strip would copy a 200 MB upload.
    if not data or not _CONTENT.search(data):
        raise ImportFormatError(f"the file is empty; {EXPECTED}", filename=filename)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ImportFormatError(f"this is {what}, not a bibliographic export; {EXPECTED}", filename=filename)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_format(data, filename)
    ext = _extension(filename)
    head = decode(data[:65536], filename)
    stripped = head.lstrip()
    if not stripped:
        raise ImportFormatError(f"the file is empty; {EXPECTED}", filename=filename)
    has_ris_records = bool(_RIS_START.search(head) and _RIS_END.search(head))
    if not has_ris_records and (_OVID_DIRECT.search(head[:4000])
                                or (_OVID_DIRECT_START.match(stripped) and _OVID_TAG.search(head))):
        return "ovid"
    if _OVID.match(stripped):
        if has_ris_records:
            return "ris"  # Ovid's display headers ("<1>", "Accession Number") around proper RIS records
        raise ImportFormatError(_OVID_DISPLAY, filename=filename)
    if stripped.startswith("<"):
        return _xml_format(stripped, filename)
    if stripped[0] in "{[" and ext not in (".bib",):
        raise ImportFormatError(
            "this is a JSON file, which is not a supported export format; " + EXPECTED,
            filename=filename,
        )
    first_line = stripped.split("\n", 1)[0]
    if first_line.startswith("PT\t") or first_line.startswith("FN\t"):
        return "wos_tab"
    if _RIS_START.search(head) or _RIS_END.search(head):
        return "ris"
    if _WOS.search(head) or (_WOS_RECORD.search(head) and re.search(r"^ER\s*$", head, re.MULTILINE)):
        return "wos"
    if _MEDLINE.search(head):
        return "medline"
    if _RIS_TAG.search(head):
        return "ris"
    if _BIBTEX.search(head):
        return "bibtex"
    if _ENDNOTE_TAG.match(stripped):
        return "endnote_tagged"
    if _REFWORKS_START.match(stripped) and len(_REFWORKS_TAG.findall(head[:5000])) >= 2:
        return "refworks"
    if ext in (".bib", ".bibtex"):
        return "bibtex"
    if _COPAC.match(stripped):
        raise ImportFormatError(
            "this is a Copac / Library Hub tagged record, which is not supported; "
            "export the records as RIS or BibTeX instead",
            filename=filename,
        )
    table = _table_format(first_line, ext)
    if table:
        return table
    raise ImportFormatError(
        f"could not recognise the format of this file (it starts {first_line[:50]!r}); {EXPECTED}",
        filename=filename,
        line=1,
    )


def _table_format(first_line: str, ext: str) -> str | None:
    tabs, commas, semis = first_line.count("\t"), first_line.count(","), first_line.count(";")
    if ext in _TABLE_EXTENSIONS:
        if ext in (".tsv", ".tab") or tabs >= max(1, commas, semis):
            return "tsv" if tabs else ("csv" if ext != ".tsv" else "tsv")
        if commas or semis or ext == ".csv":
            return "csv"
        return None
    # Without a table extension, only a plausible header row counts: several short cells.
    for delimiter, name in (("\t", "tsv"), (",", "csv"), (";", "csv")):
        cells = first_line.split(delimiter)
        if len(cells) >= 3 and all(len(c) <= 60 for c in cells):
            return name
    return None


def _zip_format(data: bytes, filename: str | None) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise ImportFormatError(
            f"this ZIP/XLSX archive is damaged or incomplete ({exc}); {EXPECTED}", filename=filename
        ) from None
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    lowered = [n.lower() for n in names]
    if _extension(filename).startswith(".ctv") or any(n.endswith((".ctv6", ".ctv5", ".ctv4")) for n in lowered) or any("citavi" in n for n in lowered):
        raise ImportFormatError(
            "this is a Citavi project backup, not a search export; in Citavi, export the "
            "references as RIS (File > Export) and upload that file",
            filename=filename,
        )
    if any(n.startswith("word/") for n in names):
        raise ImportFormatError(f"this is a Word document, not a bibliographic export; {EXPECTED}", filename=filename)
    raise ImportFormatError(
        f"this is a ZIP archive ({len(names)} files inside); upload the export file itself; {EXPECTED}",
        filename=filename,
    )


def _xml_format(head: str, filename: str | None) -> str:
    lower = head[:20000].lower()
    if "<pubmedarticle" in lower or "<pubmedbookarticle" in lower:
        return "pubmed_xml"
    if "<records" in lower and ("<xml" in lower or "<record" in lower):
        return "endnote_xml"
    if re.search(r"<(?:!doctype\s+)?html", lower):
        raise ImportFormatError(
            "this is a web page (HTML), not an export; save the search results with the "
            f"database's export function instead; {EXPECTED}",
            filename=filename,
        )
    if "ovid" in lower:
        raise ImportFormatError(_OVID_XML, filename=filename)
    root = re.search(r"<([A-Za-z_][\w.:-]*)", re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head[:5000], flags=re.S))
    name = root.group(1) if root else "?"
    raise ImportFormatError(
        f"this XML file (root element <{name}>) is neither EndNote XML (<xml><records>) nor "
        "PubMed XML (<PubmedArticleSet>)",
        filename=filename,
    )
