"""Field-by-field comparison of two records for the side-by-side review page."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .match import author_similarity, compare, journal_similarity, title_similarity
from .normalise import prepare


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """One row of the side-by-side page.

    ``similarity`` is 0 to 1 (None when a side is empty); ``verdict`` is one of
    "same", "similar", "different" or "missing".
    """

    field: str
    a: str
    b: str
    similarity: float | None
    verdict: str


@dataclass(frozen=True, slots=True)
class PairExplanation:
    score: float
    sure: bool
    possible: bool
    reasons: tuple[str, ...]
    fields: tuple[FieldComparison, ...]


def _verdict(similarity: float | None, same: float = 0.999, similar: float = 0.85) -> str:
    if similarity is None:
        return "missing"
    if similarity >= same:
        return "same"
    return "similar" if similarity >= similar else "different"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def _exact(x: str, y: str) -> float | None:
    if not x or not y:
        return None
    return 1.0 if x == y else 0.0


def _row(field: str, a: Any, b: Any, similarity: float | None) -> FieldComparison:
    return FieldComparison(field, _text(getattr(a, field, None)), _text(getattr(b, field, None)),
                           None if similarity is None else round(similarity, 3), _verdict(similarity))


def explain_pair(a: Any, b: Any) -> PairExplanation:
    """Compare two citations field by field, with the overall decision and its reasons."""
    pa, pb = prepare(a), prepare(b)
    result = compare(pa, pb)
    authors = author_similarity(pa, pb)
    year = None
    if pa.year is not None and pb.year is not None:
        # One year apart is often the same article (online vs print year).
        year = {0: 1.0, 1: 0.9}.get(abs(pa.year - pb.year), 0.0)
    fields = (
        _row("title", a, b, title_similarity(pa, pb) if pa.compact and pb.compact else None),
        _row("authors", a, b, None if authors is None else (authors[0] + authors[1]) / 2),
        _row("year", a, b, year),
        _row("journal", a, b, journal_similarity(pa, pb)),
        _row("volume", a, b, _exact(pa.volume, pb.volume)),
        _row("issue", a, b, _exact(pa.issue, pb.issue)),
        _row("pages", a, b, _exact(pa.page, pb.page)),
        _row("doi", a, b, _exact(pa.doi, pb.doi)),
        _row("pmid", a, b, _exact(pa.pmid, pb.pmid)),
    )
    if result is None:
        return PairExplanation(0.0, False, False, ("titles and details too different",), fields)
    return PairExplanation(result.score, result.sure, True, result.reasons, fields)


