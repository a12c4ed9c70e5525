"""Field normalisers shared by every format, so a DOI or a page range looks the
same whichever database it came from (deduplication compares these)."""
from __future__ import annotations

import ast
import re
from typing import Any
from urllib.parse import unquote

_DOI_IN_TEXT = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
# A year alone, or leading a compact YYYYMMDD date.
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?:[01]\d[0-3]\d)?(?!\d)")
_YEAR_PREFIX = re.compile(r"^(1[5-9]\d\d|20\d\d)(?:\d{4})?(?!\d)")
_ISSN = re.compile(r"(?<![\dX])(\d{4})-?(\d{3}[\dXx])(?![\dXx])")
_PAGE_DASHES = re.compile(r"\s*(?:-{1,3}|[\u2010-\u2015\u2212])\s*")
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")
_DOI_SUFFIX = re.compile(r"\[doi\]$", re.IGNORECASE)
_ISSN_SEPARATORS = re.compile(r"[;,\s]+")
_NOT_ISSN_CHARS = re.compile(r"[^0-9Xx]")
_DOTTED_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.-?\s?)+$")
# "(smith@uni.edu)" or "[E-mail: smith@uni.edu]" after a name (Web of Science, Zoological Record, Ovid).
_EMAIL_NOTE = re.compile(r"\s*[(\[][^()\[\]]*@[^()\[\]]*[)\]]|\s*<?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?")
# "12345", "PMID: 12345", "12345 [PMID]", Cochrane's "PUBMED 12345", OpenAlex's PubMed links.
_PMID = re.compile(r"^(?:pmid:?\s*|pubmed:?\s+|https?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/))?"
                   r"(\d{1,9})/?(?:\s*\[pmid\]|\s*\(pmid\))?$", re.IGNORECASE)


def clean(value: Any) -> str | None:
    """Collapse runs of whitespace; empty strings become None."""
    if value is None:
        return None
    # str.split() breaks on exactly the characters the regex \s matches, and faster.
    return " ".join(str(value).split()) or None


def doi(value: Any) -> str | None:
    """Lower-cased DOI without URL or "doi:" prefixes, or None when there is none."""
    text = clean(value)
    if not text:
        return None
    if "%2f" in text.lower():
        text = unquote(text)
    match = _DOI_IN_TEXT.search(text)
    if not match:
        return None
    found = _DOI_SUFFIX.sub("", match.group(0))
    return found.rstrip(".,;:)]}>\"'").lower() or None


def year(value: Any) -> int | None:
    """The publication year from any date field ("2012///", "2019 Mar 5", 20170812)."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN from a spreadsheet cell
            return None
        value = int(value)
    if isinstance(value, int):
        return value if 1500 <= value <= 2099 else None
    if hasattr(value, "year"):  # date/datetime from a spreadsheet
        return int(value.year)
    text = str(value).strip()
    match = _YEAR.search(text) or _YEAR_PREFIX.search(text)
    return int(match.group(1)) if match else None


def pages(value: Any, end: Any = None) -> str | None:
    """Page range with a plain hyphen ("123-130"); abbreviated ends kept as given."""
    first = clean(value)
    last = clean(end)
    if first and last and last != first and not _PAGE_DASHES.search(first):
        first = f"{first}-{last}"
    if not first:
        return last
    return _PAGE_DASHES.sub("-", first).strip("-") or None


def issn(value: Any) -> str | None:
    """First ISSN in the value as NNNN-NNNX; ISBNs (10 or 13 digits) are not ISSNs."""
    text = clean(value)
    if not text:
        return None
    for token in _ISSN_SEPARATORS.split(text):
        digits = _NOT_ISSN_CHARS.sub("", token)
        if len(digits) == 8:
            match = _ISSN.search(token)
            if match:
                return f"{match.group(1)}-{match.group(2).upper()}"
    return None


def pmid(value: Any) -> str | None:
    """PubMed ID as a string of digits, or None when the value holds none."""
    text = clean(value)
    if not text:
        return None
    match = _PMID.match(text)
    return match.group(1).lstrip("0") or None if match else None


def author(value: Any) -> str | None:
    """One author as "Last, First".

    Handles "Last, First", PubMed's "Last FM", "Last F.M." and "First Last".
    Corporate names (several words, none of them initials) stay as given when
    they look like organisations.
    """
    text = clean(value)
    if not text:
        return None
    if "@" in text:
        text = _EMAIL_NOTE.sub("", text)
    text = text.strip(" ;")
    if not text:
        return None
    if "," in text:
        last, _, first = text.partition(",")
        last, first = last.strip(), first.strip()
        if not first:
            return last or None
        return f"{last}, {first}"
    parts = text.split(" ")
    if len(parts) == 1:
        return text
    if _INITIALS.match(parts[-1]):
        if not _INITIALS.match(parts[0]):
            return f"{' '.join(parts[:-1])}, {parts[-1]}"
        # "YANG Y", "WU JX": an all-capitals surname of up to four letters looks like initials
        # too; the longer (or equal) undotted first word is the surname, as these databases write.
        if len(parts) == 2 and parts[0].isalpha() and len(parts[0]) >= len(parts[1].replace(".", "")):
            return f"{parts[0]}, {parts[1]}"
    if any(word.lower() in _ORGANISATION_WORDS for word in parts):
        return text
    particles = 1
    while len(parts) - particles - 1 > 0 and parts[-particles - 1].lower() in _PARTICLES:
        particles += 1
    return f"{' '.join(parts[-particles:])}, {' '.join(parts[:-particles])}"


_PARTICLES = {"van", "von", "de", "der", "den", "da", "del", "di", "la", "le", "du", "dos", "das", "ter", "ten"}
_ORGANISATION_WORDS = {
    "group", "consortium", "collaboration", "collaborators", "committee", "society", "association",
    "organization", "organisation", "institute", "university", "centre", "center", "team", "network",
    "investigators", "council", "foundation", "(uk)", "office", "department", "trial",
}


def authors(values: Any) -> list[str]:
    out = []
    for value in values:
        name = author(value)
        if name:
            out.append(name)
    return out


def split_authors(value: Any) -> list[str]:
    """Split a one-cell author list ("A, B; C, D" or "Smith AB, Jones C")."""
    text = clean(value)
    if not text:
        return []
    listed = python_list(text)
    if listed is not None:
        return authors(listed)
    if "|" in text:
        pieces = text.split("|")
    elif ";" in text:
        pieces = text.split(";")
    elif " and " in text:
        pieces = re.split(r"\s+and\s+", text)
    elif "," in text and (pairs := _surname_initials_pairs(text)):
        pieces = pairs
    elif "," in text:
        pieces = [p for p in text.split(",")]
        # "Smith, John" is one author; "Smith AB, Jones C" is two.
        if not all(" " in p.strip() or p.strip().endswith(".") for p in pieces if p.strip()):
            pieces = [text]
    else:
        pieces = [text]
    return authors(p.strip().rstrip(".") if _looks_like_pubmed_short(p) else p for p in pieces)


def _surname_initials_pairs(text: str) -> list[str] | None:
    """Older Scopus CSV: "Pan, Y., Yu, C., Zhang, X." -> ["Pan, Y.", "Yu, C.", "Zhang, X."].

    Scopus cut long lists short with a trailing "..." or "et al.", and some exports drop the
    dots ("Pan, Y, Yu, C"); the marker is left out and undotted initials count as initials.
    """
    parts = [p.strip() for p in text.split(",")]
    while parts and _TRUNCATION.match(parts[-1]):
        parts.pop()
    if len(parts) < 4 or len(parts) % 2:
        return None
    surnames, initials = parts[0::2], parts[1::2]
    if all(_is_initials(i) for i in initials) and not any(_is_initials(s) for s in surnames):
        return [f"{s}, {i}" for s, i in zip(surnames, initials, strict=False)]
    return None


def _is_initials(part: str) -> bool:
    """ "Y.", "X.Y.", "C.-W.", "Ch.", "É." or undotted capitals "Y", "XY"; not a surname such as "Li"."""
    tokens = [t for t in re.split(r"[.\s-]+", part) if t]
    if not tokens or len(tokens) > 4 or not all(t.isalpha() and t[0].isupper() for t in tokens):
        return False
    if "." in part:
        return all(len(t) == 1 or (len(t) == 2 and t[1].islower()) for t in tokens)
    return len(tokens) == 1 and tokens[0].isupper() and len(tokens[0]) <= 3


_TRUNCATION = re.compile(r"^(?:\.\.\.|\u2026|et\.? al\.?)$", re.IGNORECASE)
# Long enough for a cell of a thousand authors; anything longer is not parsed as a literal.
_LIST_LITERAL_LIMIT = 200_000


def python_list(text: str) -> list[str] | None:
    """The strings of a Python list literal such as ASReview writes ("['Marx, Karl', 'Lindgren,
    Astrid']"), or None when the text is not one. ast.literal_eval evaluates literals only, never
    code; the length limit keeps a hostile cell from costing much."""
    if not (text.startswith("[") and text.endswith("]")) or len(text) > _LIST_LITERAL_LIMIT:
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        return None
    return [v.strip() for v in value if v.strip()]


def _looks_like_pubmed_short(piece: str) -> bool:
    if "," in piece:
        return False
    parts = piece.strip().rstrip(".").split(" ")
    return len(parts) >= 2 and bool(_INITIALS.match(parts[-1])) and "." not in parts[-1]


def split_list(value: Any, separators: str = ";") -> list[str]:
    text = clean(value)
    if not text:
        return []
    listed = python_list(text)
    if listed is not None:
        return listed
    if separators == ";" and ";" not in text and "," in text:
        separators = ","
    pieces = re.split("[" + re.escape(separators) + "]", text)
    return [p.strip() for p in pieces if p.strip()]


def first(*values: Any) -> str | None:
    for value in values:
        text = clean(value)
        if text:
            return text
    return None
