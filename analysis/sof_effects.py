"""Absolute effects for the summary of findings (plain Python, no Django).

Binary measures with an assumed control risk p0 give the risk with the intervention per 1000 and
the difference per 1000, each with the CI carried over from the relative effect (Cochrane Handbook
14.1.5): RR: p1 = RR p0; OR: p1 = OR p0 / (1 - p0 + OR p0); RD: p1 = p0 + RD. An SMD is stated as
"x SD higher/lower" and, given a familiar scale's SD, back-translated into points (Handbook 15.5.3.2).
"""
from __future__ import annotations

import math
from dataclasses import dataclass


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


def _dir(x: float, up: str, down: str) -> str:
    return up if x >= 0 else down


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
            f"{abs(d)} {_dir(d, 'more', 'fewer')} per 1000 ({_signed(d_lo)} to {_signed(d_hi)})")
    if measure in ("SMD", "SMCR"):
        text = f"SMD {abs(b):.2f} SD {_dir(b, 'higher', 'lower')} ({lb:.2f} to {ub:.2f})"
        note = ""
        if sd:
            scale = f" on {sd_scale}" if sd_scale else ""
            note = (f"About {abs(b * sd):.1f} points {_dir(b, 'higher', 'lower')}{scale} "
                    f"({lb * sd:.1f} to {ub * sd:.1f}; SD {sd:g})")
        return Absolute("—", text, note)
    if measure == "MD":
        return Absolute("—", f"MD {abs(b):.2f} {_dir(b, 'higher', 'lower')} ({lb:.2f} to {ub:.2f})")
    return None


def _signed(x: int) -> str:
    return f"{x:+d}".replace("-", "−") if x else "0"


def is_finite(*xs) -> bool:
    return all(x is not None and math.isfinite(x) for x in xs)
