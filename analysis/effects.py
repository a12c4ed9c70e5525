"""The effect of one outcome data row on the measure an analysis pools, or why it cannot enter.

Extraction already harmonises each row to one effect (Hedges' g for means, a log odds ratio for
events, the standardised mean change for pre-post data, a reported effect as reported), with its
sign turned so that positive values favour the intervention. An analysis on another measure
gets, from the same row:

- MD from two groups' means and SDs (or a reported MD); SMDs cannot become MDs (scales differ);
- RR or RD from two groups' events (or a reported RR or RD);
- SMD from a log odds ratio, and OR from an SMD, by the logistic conversion of Chinn (2000),
  as the Cochrane Handbook (section 10.6) describes: ln(OR) = SMD x pi / sqrt(3), with the
  variance scaled by pi^2 / 3; the study's note says it was converted;
- a pre-post change (SMCR) only in an SMCR analysis, and a between-group effect never in one.

Everything else is left out with the reason in words.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from analysis.stats import MetaAnalysisError, escalc
from extraction import outcome_data as od

LOGISTIC = math.pi / math.sqrt(3)  # Chinn 2000: ln(OR) = SMD * pi / sqrt(3)
WHAT = {od.CONTINUOUS: "means of two groups", od.DICHOTOMOUS: "events of two groups",
        od.EFFECT: "a reported effect", od.PREPOST: "a pre-post change in one group"}


class LeftOut(Exception):
    """A row that cannot enter the analysis; the message says why."""


@dataclass(frozen=True)
class RowEffect:
    yi: float
    vi: float
    n: int | None
    note: str = ""


def _participants(row: dict) -> int | None:
    n = [row.get(k) for k in ("i_n", "c_n") if row.get(k) is not None]
    return int(sum(n)) if n else None


def _flip(row: dict, higher_favours: bool) -> bool:
    return (row.get("higher_is_better") == "Yes") != higher_favours


def _raw(row: dict, measure: str, higher_favours: bool) -> RowEffect:
    """MD, RR or RD computed from the arms' values."""
    kind = row.get("data_type")
    if measure == "MD":
        sd1, sd2 = od.arm_sd(row, "i"), od.arm_sd(row, "c")
        if kind != od.CONTINUOUS or None in (sd1, sd2, row.get("i_mean"), row.get("c_mean")):
            raise LeftOut(f"reports {WHAT.get(kind, 'no usable data')}, from which no mean difference can be "
                          "computed")
        es = escalc("MD", m1i=row["i_mean"], sd1i=sd1, n1i=row["i_n"], m2i=row["c_mean"], sd2i=sd2,
                    n2i=row["c_n"])
    else:
        if kind != od.DICHOTOMOUS:
            raise LeftOut(f"reports {WHAT.get(kind, 'no usable data')}, from which no {measure} can be computed "
                          "(needs events in two groups)")
        es = escalc(measure, ai=row["i_events"], n1i=row["i_n"], ci=row["c_events"], n2i=row["c_n"])
    yi, vi = float(es.yi[0]), float(es.vi[0])
    if _flip(row, higher_favours):
        yi = -yi
    return RowEffect(yi, vi, _participants(row))


def row_effect_as(row: dict, *, measure: str, higher_favours: bool) -> RowEffect:
    """The row's effect on ``measure``, positive favouring the intervention; raises LeftOut."""
    kind = row.get("data_type")
    effect = od.row_effect(row, higher_favours_intervention=higher_favours)
    if not effect.complete:
        raise LeftOut("incomplete outcome data: needs " + ", ".join(effect.missing))
    n = _participants(row)
    if (kind == od.PREPOST) != (measure == "SMCR"):
        if kind == od.PREPOST:
            raise LeftOut("a pre-post change within one group cannot be pooled with comparisons of two groups")
        raise LeftOut("a comparison of two groups cannot enter a pre-post (SMCR) analysis")
    if effect.measure == measure:
        return RowEffect(effect.yi, effect.vi, n, effect.note)
    try:
        if measure in ("MD", "RR", "RD") and kind != od.EFFECT:
            return _raw(row, measure, higher_favours)
        if measure == "SMD" and effect.measure == "OR":
            return RowEffect(effect.yi / LOGISTIC, effect.vi / LOGISTIC**2, n,
                             "log odds ratio converted to an SMD (Chinn 2000)")
        if measure == "OR" and effect.measure == "SMD":
            return RowEffect(effect.yi * LOGISTIC, effect.vi * LOGISTIC**2, n,
                             "SMD converted to a log odds ratio (Chinn 2000)")
    except MetaAnalysisError as exc:
        raise LeftOut(f"no {measure} can be computed: {exc}") from exc
    raise LeftOut(f"reports {effect.measure} ({WHAT.get(kind, kind)}), which cannot be converted to {measure}")
