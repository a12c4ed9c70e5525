"""The registry of import formats: key -> Format (registry.py), in the order the upload form
offers them. A new format is one module declaring ``FORMAT`` and one entry here; detection,
reading, the form, the API and the refusals' list of expected formats all follow from it."""
from __future__ import annotations

from . import bibtex, endnote_tagged, endnote_xml, medline, ovid, pubmed_xml, refworks, ris, table, wos
from .registry import Format

FORMATS: dict[str, Format] = {f.key: f for f in (
    ris.FORMAT,
    ovid.FORMAT,
    refworks.FORMAT,
    medline.FORMAT,
    pubmed_xml.FORMAT,
    endnote_xml.FORMAT,
    endnote_tagged.FORMAT,
    bibtex.FORMAT,
    wos.FORMAT,
    table.WOS_TAB,
    table.CSV,
    table.TSV,
    table.XLSX,
)}


def _expected(names: list[str]) -> str:
    return "expected one of: " + ", ".join(names[:-1]) + " or " + names[-1]


# What a refusal tells people to upload instead: every format read here, by the name they know.
EXPECTED = _expected([f.name for f in FORMATS.values()])


def format_name(key: str) -> str:
    """What people call the format stored under ``key`` ("medline" -> "PubMed/MEDLINE")."""
    known = FORMATS.get(key)
    return known.name if known else key
