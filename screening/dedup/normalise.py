"""Normalised forms of the fields that decide whether two records are one report.

Databases export the same article with different case, punctuation, markup,
annotations ("[Review] [25 refs]", "[Romanian]"), author spellings and journal
abbreviations. Everything here turns one ``Citation`` into a ``Prepared``
record once, so that comparing a candidate pair costs only string metrics.
"""
from __future__ import annotations

import html
import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

_TAG = re.compile(r"<[^>]{0,200}>")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")
# str.translate is several times faster than a regex substitution on ASCII text.
_ASCII_PUNCT_TO_SPACE = str.maketrans(
    {chr(c): " " for c in range(128) if not (chr(c).isdigit() or "a" <= chr(c) <= "z")}
)


def words_of(text: str) -> str:
    """Lower-case ASCII ``text`` as words of letters and digits joined by single spaces."""
    if text.isascii():
        return " ".join(text.translate(_ASCII_PUNCT_TO_SPACE).split())
    return _SPACES.sub(" ", _NON_ALNUM.sub(" ", text)).strip()

# Letters that NFKD does not split into base letter + mark.
_LATIN_EXTRA = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
     "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)

_LANGUAGES = (
    "afrikaans|arabic|bulgarian|catalan|chinese|chi|croatian|czech|danish|dutch|english|"
    "estonian|finnish|french|fre|german|ger|greek|hebrew|hungarian|icelandic|italian|ita|"
    "japanese|jpn|korean|kor|lithuanian|norwegian|persian|polish|pol|portuguese|por|romanian|"
    "russian|rus|serbian|slovak|slovenian|spanish|spa|swedish|turkish|ukrainian"
)
# Annotations that indexing services append to titles; they say nothing about
# which report it is, so they must not lower the title similarity.
_ANNOTATIONS = [
    re.compile(r"\[\s*review\s*\]", re.I),
    re.compile(r"\[\s*\d+\s*refs?\s*\]", re.I),
    re.compile(r"\[\s*(?:abstract|editorial|letter|comment|brief record)\s*\]", re.I),
    re.compile(r"\(\s*brief record\s*\)", re.I),
    re.compile(rf"\[\s*(?:{_LANGUAGES})(?:\s*,\s*(?:{_LANGUAGES}))*\s*\]", re.I),
    re.compile(rf"\bla:\s*(?:{_LANGUAGES})\s*$", re.I),
    re.compile(r"\(\s*(?:author'?s? transl|abstract only)\s*\)", re.I),
    # MEDLINE notes on the article itself: "[Erratum appears in N Engl J Med. 2009 ...]"
    # (often cut off without its closing bracket).
    re.compile(r"\[\s*(?:erratum|comment|retraction|corrected|update|summary for patients|republished)"
               r"[^\[\]]*?\b(?:appears\s+)?in\b.*$", re.I),
]

# Kinds of report that share words with the article they concern but are a
# different report: an erratum, a reply, a protocol, a retraction notice.
_KIND_PATTERNS = {
    "erratum": re.compile(r"\b(?:errat(?:um|a)|corrigend(?:um|a)|correction(?: to| notice)?\s*:|"
                          r"author correction|publisher correction)", re.I),
    "retraction": re.compile(r"\b(?:retraction|retracted|expression of concern|withdrawn)\b", re.I),
    "reply": re.compile(r"(?:^\s*re\s*:|\b(?:in reply|reply to|authors?'? reply|reply from|"
                        r"response to|comment on|commentary on|letter to the editor)\b)", re.I),
    "protocol": re.compile(r"\b(?:protocol|rationale and design|study design and rationale|"
                           r"design and rationale|design and methods)\b", re.I),
}

# Shared by every record without kinds, series or numbers (nearly all): one empty set each would cost 216 bytes.
_EMPTY: frozenset[str] = frozenset()
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7",
          "viii": "8", "ix": "9", "x": "10", "one": "1", "two": "2", "three": "3", "four": "4"}
_NUMBER_TOKEN = re.compile(r"\d+")
_HAS_DIGIT = re.compile(r"\d")

_PARTICLES = frozenset(
    "van von der den de del della di da dos das du le la les ten ter vande vander al el bin".split()
)
_INITIALS = re.compile(r"^[A-Z]{1,3}$")

# Years, editions ("44th") and "proceedings" come and go between exports of one venue.
_JOURNAL_STOP = frozenset("the of and for in on a an de la le et der und fur du des proceedings".split())
_JOURNAL_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")
# "S417-S429", "1351-9", "e24083", "945"; anything else ("Suppl-29") is unreadable.
_PAGES = re.compile(r"^\s*([a-z]{0,2})\s*(\d+)\s*(?:[-\u2010-\u2015]+\s*([a-z]{0,2})\s*(\d+))?\s*$", re.I)
_PAGE_LIST = re.compile(r"[;,+]")
_CORPORATE = frozenset(
    "group study trial consortium investigator investigators committee society association network "
    "inc ltd pharmaceutical pharmaceuticals organisation organization council institute team".split()
)


def fold(text: str) -> str:
    """Lower-case ASCII form: markup, entities and accents removed."""
    if not text:
        return ""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_LATIN_EXTRA))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold()


def strip_annotations(title: str | None) -> str:
    """Folded title without the notes indexing services add; punctuation kept."""
    if not title:
        return ""
    text = fold(title)
    if "[" in text or "(" in text or "la:" in text:
        for pattern in _ANNOTATIONS:
            text = pattern.sub(" ", text)
    return text


# Substrings without which no kind pattern can match: a cheap test first,
# because almost no title is an erratum or a reply.
_KIND_HINTS = ("errat", "corrig", "correction", "retract", "withdrawn", "concern", "re:", "re :",
               "reply", "response", "comment", "letter", "protocol", "rationale", "design")
_SERIES_NOUNS = frozenset(("part", "phase", "paper", "study", "trial", "report", "series", "stage", "cohort", "wave"))



def title_kinds(title: str | None) -> frozenset[str]:
    """Kinds of report named in a folded title (lower case)."""
    if not title or not any(hint in title for hint in _KIND_HINTS):
        return _EMPTY
    return frozenset(kind for kind, pat in _KIND_PATTERNS.items() if pat.search(title)) or _EMPTY


def title_series(words: str) -> frozenset[str]:
    """Markers such as "part 2" or "phase iii" that tell parts of a series apart."""
    tokens = words.split()
    if _SERIES_NOUNS.isdisjoint(tokens):  # nearly every title: no pairs to look at
        return _EMPTY
    found = set()
    for noun, number in pairwise(tokens):
        if noun in _SERIES_NOUNS and (number in _ROMAN or (number.isdigit() and len(number) <= 3)):
            found.add(f"{noun} {_ROMAN.get(number, number)}")
    return frozenset(found) if found else _EMPTY


@lru_cache(maxsize=500_000)
def surname(author: str) -> str:
    """Compact surname of one author as written in any common export style."""
    author = author.strip()
    if not author:
        return ""
    folded = fold(author)
    if "collaborat" in folded or not _CORPORATE.isdisjoint(words_of(folded).split()):
        # "ASCUS-LSIL Triage Study Group" is exported in as many ways as there are
        # databases and never names a person: it cannot tell two records apart.
        return ""
    if "," in folded:
        name = folded.split(",", 1)[0]
    else:
        parts = author.split()
        # "Zuna RE" (MEDLINE AU) keeps the surname first; "Rosa E. Zuna" keeps it last.
        if len(parts) > 1 and _INITIALS.match(parts[-1].replace(".", "")):
            name = fold(" ".join(parts[:-1]))
        else:
            name = fold(parts[-1])
    words = words_of(name).split()
    kept = [w for w in words if w not in _PARTICLES] or words
    return "".join(kept)


def journal_variants(journal: str | None) -> tuple[tuple[str, ...], ...]:
    """Token tuples for the journal name and its alternative forms.

    Exports write "Journal of clinical oncology : official journal of ...",
    "Zhongguo fei ai za zhi = Chinese journal of lung cancer" or
    "International journal of cancer.Journal international du cancer": each
    part is a name the journal goes by.
    """
    if not journal:
        return ()
    return _journal_variants(journal)


_JOURNAL_SPLIT = re.compile(r"[:=]|\.\s+|\.(?=[a-z]{4})")


@lru_cache(maxsize=200_000)  # a search export repeats the same few hundred journal names
def _journal_variants(journal: str) -> tuple[tuple[str, ...], ...]:
    text = _JOURNAL_BRACKETS.sub(" ", fold(journal).replace("&", " and "))
    variants: list[tuple[str, ...]] = []
    for piece in [text, *_JOURNAL_SPLIT.split(text)]:
        tokens = tuple(t for t in _NON_ALNUM.split(piece)
                       if t and t not in _JOURNAL_STOP and not _HAS_DIGIT.search(t))
        if tokens and tokens not in variants:
            variants.append(tokens)
    return tuple(variants)


def page_range(pages: Any) -> tuple[str, str, str]:
    """(letter prefix, first page, last page) as digits; all empty when unreadable.

    "1351-9" means 1351-1359; the prefix tells an e-locator ("e24083") or a
    supplement page ("S11") from a plain page number.
    """
    if pages is None:
        return ("", "", "")
    # "742-8; discussion 748-9", "230-5, 246-51": the article starts with the first range.
    match = _PAGES.match(_PAGE_LIST.split(str(pages), maxsplit=1)[0])
    if not match:
        return ("", "", "")
    prefix, start, _, end = match.groups()
    start = start.lstrip("0") or "0"
    end = (end or "").lstrip("0")
    if end and len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return (prefix.lower(), start, end)


def volume_key(volume: Any) -> str:
    if volume is None:
        return ""
    match = _NUMBER_TOKEN.search(str(volume))
    return match.group(0).lstrip("0") if match else fold(str(volume)).strip()


def clean_id(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip().lower()
    if text.startswith(("http", "doi:")):  # every prefix below starts so
        for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                       "http://dx.doi.org/", "doi:"):
            if text.startswith(prefix):
                text = text[len(prefix):]
    return text.strip()


@dataclass(slots=True)
class Prepared:
    """Normalised fields of one record, computed once."""

    words: str  # title words
    kinds: frozenset[str]
    series: frozenset[str]
    numbers: frozenset[str]  # numbers in the title ("5-year" vs "10-year" follow-up)
    authors: tuple[str, ...]  # compact surnames
    year: int | None
    journal: tuple[tuple[str, ...], ...]
    volume: str
    page: str  # first page, digits only
    page_end: str
    page_prefix: str
    issue: str
    doi: str
    pmid: str

    @property
    def compact(self) -> str:
        """Title without spaces: robust to "cytology-Results" vs "cytology - Results".

        Derived when asked rather than kept: a million records would hold 170 MB of it, and only
        blocking and the few candidate pairs of each record read it.
        """
        return self.words.replace(" ", "")


# One int object per year (and, through sys.intern, one string per volume or issue number) shared by
# every record that has it, where each record would otherwise hold its own copy: 130 bytes a record.
_YEARS = {y: y for y in range(1000, 2200)}


def prepare(citation: Any) -> Prepared:
    """Normalise any object with Citation's attributes (missing ones count as empty)."""
    title = strip_annotations(getattr(citation, "title", None))
    words = words_of(title)
    authors = tuple(s for s in (surname(a) for a in (getattr(citation, "authors", None) or [])) if s)
    year = getattr(citation, "year", None)
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        year = None
    pages = page_range(getattr(citation, "pages", None))
    return Prepared(
        words=words,
        kinds=title_kinds(title),
        series=title_series(words),
        numbers=frozenset(_NUMBER_TOKEN.findall(words)) if _HAS_DIGIT.search(words) else _EMPTY,
        authors=authors,
        year=_YEARS.get(year, year) if year is not None else None,
        journal=journal_variants(getattr(citation, "journal", None)),
        volume=sys.intern(volume_key(getattr(citation, "volume", None))),
        page=pages[1],
        page_end=pages[2],
        page_prefix=pages[0],
        issue=sys.intern(volume_key(getattr(citation, "issue", None))),
        doi=clean_id(getattr(citation, "doi", None)),
        pmid=clean_id(getattr(citation, "pmid", None)),
    )
