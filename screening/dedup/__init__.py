"""Find records that are the same report across database searches.

Pure Python (no Django): the screening app loads records as ``Citation``
objects and calls these functions.

- ``find_duplicates(citations)``: groups of SURE duplicates, merged automatically.
- ``find_duplicate_pairs(citations)``: every sure and POSSIBLE pair, with a
  score and reasons, for the reviewers' duplicate queue.
- ``find_duplicates_between(new, existing)``: a new search against the
  records already in a living review, in close to linear time.
- ``explain_pair(a, b)``: field-by-field comparison for the side-by-side page.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .clusters import connected_groups
from .explain import FieldComparison, PairExplanation, explain_pair
from .index import DuplicateIndex, DuplicatePair

__all__ = [
    "DuplicateIndex",
    "DuplicatePair",
    "FieldComparison",
    "PairExplanation",
    "explain_pair",
    "find_duplicate_pairs",
    "find_duplicates",
    "find_duplicates_between",
]


def find_duplicate_pairs(citations: Sequence[Any], *, include_possible: bool = True) -> list[DuplicatePair]:
    """Candidate duplicate pairs (i < j), sure ones and, unless told not to, possible ones."""
    pairs = DuplicateIndex().match_and_add(citations)
    if not include_possible:
        pairs = [p for p in pairs if p.sure]
    return sorted(pairs, key=lambda p: (p.i, p.j))


def find_duplicates(citations: Sequence[Any]) -> list[list[int]]:
    """Groups (two or more sorted indices) of citations that are surely the same report."""
    sure = ((p.i, p.j) for p in find_duplicate_pairs(citations, include_possible=False))
    return connected_groups(len(citations), sure)


def find_duplicates_between(
    new: Sequence[Any], existing: Sequence[Any] | DuplicateIndex, *, include_possible: bool = True
) -> list[DuplicatePair]:
    """Pairs (i in ``new``, j in ``existing``) of records that may be one report.

    ``existing`` may be a ``DuplicateIndex`` built once over the review's
    records. Duplicates among the new records themselves come from
    ``find_duplicate_pairs(new)``.
    """
    index = existing if isinstance(existing, DuplicateIndex) else DuplicateIndex(existing)
    pairs = []
    for i, citation in enumerate(new):
        for pair in index.match(citation):
            if include_possible or pair.sure:
                pairs.append(DuplicatePair(i, pair.j, pair.score, pair.sure, pair.reasons))
    return pairs

