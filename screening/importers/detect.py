"""Recognise the export format from the bytes (and the file name as a hint).

Files that are not bibliographic exports at all (images, PDFs, archives, web
pages, JSON, project backups) are refused here with the reason, so the user
learns what to upload instead.
"""
from __future__ import annotations

import re
import zipfile

from .decode import Data, as_file, decode, head_bytes, iter_chunks
from .errors import ImportFormatError
from .formats import EXPECTED, FORMATS
from .registry import OVID_DISPLAY, Head, Sniff

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
_COPAC = re.compile(r"^[A-Z]{2}- \S", re.MULTILINE)
_OVID_HOW = ("in Ovid, select the records, choose Export, set the format to RIS "
             "(or EndNote) and upload the file it saves")
_OVID_DISPLAY = ("this is Ovid's on-screen citation display, which carries no machine-readable tags; "
                 + _OVID_HOW)
_OVID_XML = "this is Ovid's XML export, which is not read here; " + _OVID_HOW


def _extension(filename: str | None) -> str:
    if not filename or "." not in filename:
        return ""
    return "." + filename.rsplit(".", 1)[1].lower()


# Refusals: files that are something else, named so the user learns what to upload instead.
# A refusal returns its message (None: not this); it takes its turn among the formats' sniffs by rank.

def _ovid_display(head: Head) -> str | None:
    if OVID_DISPLAY.match(head.stripped) and not head.has_ris_records:
        return _OVID_DISPLAY
    return None  # with RIS records inside its headers it is read as RIS


def _other_xml(head: Head) -> str | None:
    if not head.is_xml:
        return None
    if re.search(r"<(?:!doctype\s+)?html", head.lower):
        return ("this is a web page (HTML), not an export; save the search results with the "
                f"database's export function instead; {EXPECTED}")
    if "ovid" in head.lower:
        return _OVID_XML
    root = re.search(r"<([A-Za-z_][\w.:-]*)",
                     re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head.stripped[:5000], flags=re.S))
    name = root.group(1) if root else "?"
    return (f"this XML file (root element <{name}>) is neither EndNote XML (<xml><records>) nor "
            "PubMed XML (<PubmedArticleSet>)")


def _json(head: Head) -> str | None:
    if head.stripped[0] in "{[" and head.ext not in (".bib",):
        return "this is a JSON file, which is not a supported export format; " + EXPECTED
    return None


def _copac(head: Head) -> str | None:
    if _COPAC.match(head.stripped):
        return ("this is a Copac / Library Hub tagged record, which is not supported; "
                "export the records as RIS or BibTeX instead")
    return None


def _citavi(head: Head) -> str | None:
    lowered = [n.lower() for n in head.names or ()]
    if head.ext.startswith(".ctv") or any(n.endswith((".ctv6", ".ctv5", ".ctv4")) or "citavi" in n
                                          for n in lowered):
        return ("this is a Citavi project backup, not a search export; in Citavi, export the "
                "references as RIS (File > Export) and upload that file")
    return None


def _word(head: Head) -> str | None:
    if any(n.startswith("word/") for n in head.names or ()):
        return f"this is a Word document, not a bibliographic export; {EXPECTED}"
    return None


_REFUSALS = (Sniff(15, _ovid_display), Sniff(25, _other_xml), Sniff(27, _json), Sniff(115, _copac),
             Sniff(20, _citavi, on="zip"), Sniff(30, _word, on="zip"))


def _steps(on: str) -> list[tuple[int, str | None, Sniff]]:
    """(rank, format key or None for a refusal, sniff), in the order detection tries them."""
    steps: list[tuple[int, str | None, Sniff]] = [(s.rank, key, s) for key, f in FORMATS.items()
                                                  for s in f.sniffs if s.on == on]
    steps += [(s.rank, None, s) for s in _REFUSALS if s.on == on]
    return sorted(steps, key=lambda step: step[0])


_TEXT_STEPS = _steps("text")
_ZIP_STEPS = _steps("zip")


def _first_match(steps: list[tuple[int, str | None, Sniff]], head: Head, filename: str | None) -> str | None:
    for _rank, key, sniff in steps:
        if key is None:
            refusal = sniff.test(head)
            if isinstance(refusal, str) and refusal:
                raise ImportFormatError(refusal, filename=filename)
        elif sniff.test(head):
            return key
    return None


def detect_format(data: Data, filename: str | None = None) -> str:
    """Name of the format in FORMATS, or ImportFormatError saying what the file is.

    ``data`` is the upload's bytes or a seekable binary file open on it; only its start is read
    (and, for a file of blanks, as far as its first character)."""
    start = head_bytes(data, 65536)
    # re.search rather than bytes.strip(): strip would copy a 200 MB upload.
    if not _CONTENT.search(start) and not any(_CONTENT.search(piece) for piece in iter_chunks(data, len(start))):
        raise ImportFormatError(f"the file is empty; {EXPECTED}", filename=filename)
    for magic, what in _MAGIC:
        if start.startswith(magic):
            raise ImportFormatError(f"this is {what}, not a bibliographic export; {EXPECTED}", filename=filename)
    if start.startswith(b"PK\x03\x04") or start.startswith(b"PK\x05\x06"):
        return _zip_format(data, filename)
    head = Head(decode(start, filename), _extension(filename))
    if not head.stripped:
        raise ImportFormatError(f"the file is empty; {EXPECTED}", filename=filename)
    found = _first_match(_TEXT_STEPS, head, filename)
    if found:
        return found
    raise ImportFormatError(
        f"could not recognise the format of this file (it starts {head.first_line[:50]!r}); {EXPECTED}",
        filename=filename,
        line=1,
    )


def _zip_format(data: Data, filename: str | None) -> str:
    try:
        names = zipfile.ZipFile(as_file(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise ImportFormatError(
            f"this ZIP/XLSX archive is damaged or incomplete ({exc}); {EXPECTED}", filename=filename
        ) from None
    found = _first_match(_ZIP_STEPS, Head(ext=_extension(filename), names=tuple(names)), filename)
    if found:
        return found
    raise ImportFormatError(
        f"this is a ZIP archive ({len(names)} files inside); upload the export file itself; {EXPECTED}",
        filename=filename,
    )
