"""Which record a full-text file belongs to, from its name alone: a DOI in the name (10.1000_xyz,
10.1000%2Fxyz, or 10.1000/xyz inside a zip's folders), "PMID 123…" or "PMC123…", or a pattern the
uploader gives ("{number}.pdf", "{ris_id}-*.pdf"). Plain Python: no Django, no file contents.

A name that fits several records is ambiguous, and so are several names that fit one record:
nothing is attached for them.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import unquote

PLACEHOLDERS = {"number": "record number in the review", "doi": "DOI", "pmid": "PubMed id",
                "pmcid": "PubMed Central id", "ris_id": "reference id (RIS ID field)"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Where a DOI starts inside a file name; what follows it is compared with the records' DOIs.
_DOI_START = re.compile(r"10\.\d{4,9}[/_]")
# What may end a DOI inside a name besides its end: a space, bracket, comma, "_" or a dash before a
# space ("10.1000_xyz - Smith 2004.pdf"); never a letter, digit or dot, which may go on the DOI.
_AFTER_DOI = re.compile(r"(?:$|[\s()\[\],;_]|-[\s_])")
_PMID_IN_NAME = re.compile(r"pmid[\s_:=-]*(\d{1,9})(?!\d)", re.IGNORECASE)
_PMCID_IN_NAME = re.compile(r"(?<![a-z])(pmc\d{3,9})(?!\d)", re.IGNORECASE)
_RIS_ID_LINE = re.compile(r"^ID  - ?(.*?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class RecordKeys:
    id: int
    number: int
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    ris_id: str = ""


@dataclass
class Match:
    name: str
    record_ids: list[int] = field(default_factory=list)
    how: str = ""  # "DOI", "PMID", …: what matched
    clash: list[str] = field(default_factory=list)  # other files that matched the same record

    @property
    def status(self) -> str:
        if not self.record_ids:
            return "unmatched"
        return "matched" if len(self.record_ids) == 1 and not self.clash else "ambiguous"


def ris_id_of(raw: str) -> str:
    found = _RIS_ID_LINE.search(raw or "")
    return found.group(1) if found else ""


# "/" and the characters file names cannot hold, as names carry them: "_".
_DOI_IN_NAME = str.maketrans({ch: "_" for ch in '/\\:*?"<>|'})


def doi_key(doi: str) -> str:
    """A DOI as file names carry it: lower case, "/" (and characters names cannot hold) as "_"."""
    return (doi or "").strip().lower().translate(_DOI_IN_NAME)


def stem_of(name: str) -> str:
    """The name without folders, decoded from %-escapes, without its .pdf ending, in lower case."""
    base = unquote(name.replace("\\", "/")).strip()
    lowered = base.lower()
    if "/" in lowered and not _DOI_START.search(lowered):
        lowered = lowered.rsplit("/", 1)[-1]
    return lowered[:-4] if lowered.endswith(".pdf") else lowered


def pattern_problem(pattern: str) -> str | None:
    names = _PLACEHOLDER.findall(pattern or "")
    if not pattern:
        return None
    if len(names) != 1:
        return (f"The file-name pattern must hold exactly one of {', '.join('{' + n + '}' for n in PLACEHOLDERS)}; "
                f"it holds {len(names)}.")
    if names[0] not in PLACEHOLDERS:
        return f"{{{names[0]}}} is not a placeholder; use one of {', '.join('{' + n + '}' for n in PLACEHOLDERS)}."
    if len(pattern) > 200:
        return "The file-name pattern is longer than 200 characters."
    return None


def _pattern_regex(pattern: str) -> tuple[re.Pattern, str]:
    key = _PLACEHOLDER.search(pattern).group(1)
    before, after = pattern.split("{" + key + "}", 1)

    def literal(text: str) -> str:
        return ".*".join(re.escape(part) for part in text.split("*"))

    return re.compile(literal(before) + "(?P<value>.+?)" + literal(after), re.IGNORECASE), key


class Matcher:
    """The records of a review indexed by each identifier a file name may carry."""

    def __init__(self, records: list[RecordKeys]):
        self.by: dict[str, dict[str, set[int]]] = {key: defaultdict(set) for key in PLACEHOLDERS}
        self.numbers = {r.id: r.number for r in records}
        for r in records:
            self.by["number"][str(r.number)].add(r.id)
            for key, value in (("doi", doi_key(r.doi)), ("pmid", r.pmid.strip()), ("pmcid", r.pmcid.lower()),
                               ("ris_id", r.ris_id.strip().lower())):
                if value:
                    self.by[key][value].add(r.id)
        self.longest_doi = max((len(k) for k in self.by["doi"]), default=0)

    def _by_doi(self, stem: str) -> set[int]:
        for start in (m.start() for m in _DOI_START.finditer(stem)):
            rest = doi_key(stem[start:start + self.longest_doi + 1])
            # The longest DOI of the review that the name carries whole (10.1/ab, not 10.1/a).
            for end in range(len(rest), 6, -1):
                ids = self.by["doi"].get(rest[:end])
                if ids and _AFTER_DOI.match(stem[start + end:]):
                    return ids
        return set()

    def automatic(self, name: str) -> tuple[set[int], str]:
        stem = stem_of(name)
        if ids := self._by_doi(stem):
            return ids, "DOI"
        if (found := _PMID_IN_NAME.search(stem)) and (ids := self.by["pmid"].get(found.group(1))):
            return ids, "PMID"
        if (found := _PMCID_IN_NAME.search(stem)) and (ids := self.by["pmcid"].get(found.group(1).lower())):
            return ids, "PMCID"
        return set(), ""

    def by_pattern(self, name: str, pattern: str) -> tuple[set[int], str]:
        regex, key = _pattern_regex(pattern)
        base = unquote(name.replace("\\", "/")).rsplit("/", 1)[-1].strip()
        found = regex.fullmatch(base)
        if not found:
            return set(), ""
        value = found.group("value").strip()
        value = doi_key(value) if key == "doi" else value.lower() if key in ("pmcid", "ris_id") else value
        if key == "number":
            value = value.lstrip("#").lstrip("0") or "0"
        return set(self.by[key].get(value, ())), PLACEHOLDERS[key]


def match_names(names: list[str], records: list[RecordKeys], pattern: str = "") -> list[Match]:
    """One Match per name, in order. With a pattern, only the pattern is used."""
    matcher = Matcher(records)
    matches = []
    for name in names:
        ids, how = matcher.by_pattern(name, pattern) if pattern else matcher.automatic(name)
        matches.append(Match(name=name, record_ids=sorted(ids, key=lambda i: matcher.numbers[i]), how=how))
    files_of: dict[int, list[Match]] = defaultdict(list)
    for match in matches:
        if len(match.record_ids) == 1:
            files_of[match.record_ids[0]].append(match)
    for same in files_of.values():
        if len(same) > 1:
            for match in same:
                match.clash = [other.name for other in same if other is not match]
    return matches
