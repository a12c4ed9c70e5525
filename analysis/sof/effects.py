"""Absolute effects for the summary of findings (plain Python, no Django).

Binary measures with an assumed control risk p0 give the risk with the intervention per 1000 and
the difference per 1000, each with the CI carried over from the relative effect (Cochrane Handbook
14.1.5): RR: p1 = RR p0; OR: p1 = OR p0 / (1 - p0 + OR p0); RD: p1 = p0 + RD. An SMD is stated as
"x SD higher/lower" and, given a familiar scale's SD, back-translated into points (Handbook 15.5.3.2).
Every difference is worded by :mod:`analysis.wording` (direction words, unsigned bounds).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..wording import difference_in_words, effect_text


@dataclass(frozen=True)
class Absolute:
    comparator: str  # "Risk with comparator" column
    intervention: str  # "Risk with intervention" / the difference
    note: str = ""


def _risk(measure: str, p0: float, effect: float) -> float:
    if measure == "RR":
        return min(1.0, max(0.0, effect * p0))
    if measure == "OR":
        return effect * p0 / (1 - p0 + effect * p0)
    return min(1.0, max(0.0, p0 + effect))  # RD


def absolute_effect(measure: str, shown: tuple[float, float, float], *, control_risk: float | None = None,
                    sd: float | None = None, sd_scale: str = "") -> Absolute | None:
    """``shown``: (estimate, CI lower, CI upper) on the scale people read (ratios exponentiated)."""
    b, lb, ub = shown
    if None in shown:
        return None
    if measure in ("RR", "OR", "RD"):
        if control_risk is None:
            return Absolute("—", "—", "Set an assumed control risk for absolute effects.")
        p0 = control_risk
        p1, p1_lb, p1_ub = (_risk(measure, p0, x) for x in (b, lb, ub))
        lo, hi = sorted((p1_lb, p1_ub))
        d, d_lo, d_hi = (round(1000 * (x - p0)) for x in (p1, lo, hi))
        return Absolute(
            f"{round(1000 * p0)} per 1000",
            f"{round(1000 * p1)} per 1000 ({round(1000 * lo)} to {round(1000 * hi)}): "
            + difference_in_words(d, d_lo, d_hi, digits=0, per="per 1000", up="more", down="fewer"))
    if measure in ("SMD", "SMCR", "MD"):
        note = ""
        if sd and measure != "MD":
            note = "About " + difference_in_words(b * sd, lb * sd, ub * sd, digits=1, unit="points",
                                                  per=f"on {sd_scale}" if sd_scale else "", note=f"SD {sd:g}")
        return Absolute("—", effect_text(measure, b, lb, ub), note)
    return None
