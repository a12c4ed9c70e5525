"""Labelled duplicate sets and how to score a deduplication against them.

Reads the public benchmark data (bib-dedupe's ASySD sets, CoLRev's test
file) into ``Citation`` objects with the true clusters, and computes pairwise
precision and recall. Used by the tests and by benchmarks/bench_dedup.py.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

from screening.importers.citation import Citation

if TYPE_CHECKING:
    from bibtexparser.model import Entry

BIB_DEDUPE_SETS = ("cytology_screening", "haematology", "respiratory", "special_cases")


@dataclass
class LabelledSet:
    name: str
    citations: list[Citation]
    clusters: list[list[int]]  # true groups of two or more indices


@dataclass(frozen=True)
class PairScores:
    true_pairs: int
    found_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.found_pairs if self.found_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def group_pairs(groups: Iterable[Sequence[int]]) -> set[tuple[int, int]]:
    return {(a, b) if a < b else (b, a) for g in groups for a, b in combinations(g, 2)}


def score_pairs(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> PairScores:
    return PairScores(len(truth), len(found), len(found & truth))


def _year(value: str | None) -> int | None:
    match = re.search(r"\d{4}", value or "")
    return int(match.group(0)) if match else None


def _authors(value: str | None) -> list[str]:
    return [a.strip() for a in re.split(r"\s+and\s+", value or "") if a.strip()]


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def load_bib_dedupe(folder: Path) -> LabelledSet:
    """One bib-dedupe set: records_pre_merged.csv plus merged_record_ids.csv."""
    with open(folder / "records_pre_merged.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # In respiratory/ the "number" column holds EndNote's record number (unique
    # per row), not the issue; using it would make every pair differ in issue.
    numbers = [r.get("number") for r in rows if r.get("number")]
    number_is_issue = len(set(numbers)) < max(20, len(rows) // 2)
    citations = []
    position = {}
    for k, row in enumerate(rows):
        position[row["ID"]] = k
        citations.append(Citation(
            title=_clean(row.get("title")),
            abstract=_clean(row.get("abstract")),
            authors=_authors(row.get("author")),
            year=_year(row.get("year")),
            journal=_clean(row.get("journal")) or _clean(row.get("booktitle")),
            volume=_clean(row.get("volume")),
            issue=_clean(row.get("issue")) or (_clean(row.get("number")) if number_is_issue else None),
            pages=_clean(row.get("pages")),
            doi=(_clean(row.get("doi")) or "").lower() or None,
            publication_type=_clean(row.get("ENTRYTYPE")),
            line=k + 2,
        ))
    with open(folder / "merged_record_ids.csv", newline="", encoding="utf-8") as f:
        clusters = [sorted(position[i] for i in row["merged_ids"].split(";")) for row in csv.DictReader(f)]
    return LabelledSet(folder.name, citations, [c for c in clusters if len(c) > 1])


def load_colrev(folder: Path) -> LabelledSet:
    """CoLRev's records.bib with the clusters implied by records_expected.bib.

    Each expected (merged) entry lists in ``colrev_origin`` the origins of every
    record merged into it; a record belongs to the entry holding its origins.
    """
    import bibtexparser

    def origins(entry: Entry) -> frozenset[str]:
        field = entry.fields_dict.get("colrev_origin")
        return frozenset(o.strip() for o in (field.value if field else "").split(";") if o.strip())

    def value(entry: Entry, name: str) -> str | None:
        field = entry.fields_dict.get(name)
        return _clean(field.value) if field else None

    records = bibtexparser.parse_file(str(folder / "records.bib")).entries
    expected = bibtexparser.parse_file(str(folder / "records_expected.bib")).entries
    owner: dict[str, int] = {}
    for k, entry in enumerate(expected):
        for origin in origins(entry):
            owner[origin] = k
    groups: dict[int, list[int]] = {}
    citations = []
    for k, entry in enumerate(records):
        target = {owner[o] for o in origins(entry) if o in owner}
        if len(target) != 1:
            raise ValueError(f"record {entry.key} maps to {len(target)} expected entries")
        groups.setdefault(target.pop(), []).append(k)
        citations.append(Citation(
            title=value(entry, "title"),
            abstract=value(entry, "abstract"),
            authors=_authors(value(entry, "author")),
            year=_year(value(entry, "year")),
            journal=value(entry, "journal") or value(entry, "booktitle"),
            volume=value(entry, "volume"),
            issue=value(entry, "number"),
            pages=value(entry, "pages"),
            doi=(value(entry, "doi") or "").lower() or None,
            publication_type=entry.entry_type,
        ))
    return LabelledSet("colrev_dedupe", citations, [sorted(g) for g in groups.values() if len(g) > 1])


def load_all(data_root: Path) -> list[LabelledSet]:
    sets = [load_bib_dedupe(data_root / "dedup" / "bib-dedupe" / name) for name in BIB_DEDUPE_SETS]
    sets.append(load_colrev(data_root / "dedup" / "colrev_dedupe"))
    return sets
