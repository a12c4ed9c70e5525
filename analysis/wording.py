"""A run's result in the words of a review's results section, generated from its numbers."""
from __future__ import annotations

MINUS = "\u2212"
MODELS = {"EE": "a common-effect model", "FE": "a common-effect model"}
DESIGN_WORDS = {"Randomised controlled trial": "randomised",
                "Non-randomised controlled study": "non-randomised controlled",
                "Uncontrolled pre-post study": "uncontrolled pre-post"}


def num(x: float | None, digits: int = 2) -> str:
    if x is None:
        return "NA"
    s = f"{x:.{digits}f}"
    if s.startswith("-") and float(s) != 0:
        return MINUS + s[1:]
    return s.lstrip("-")


def pvalue(p: float | None) -> str:
    if p is None:
        return "p = NA"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def heterogeneity_word(i2: float | None) -> str:
    # bands of the Cochrane Handbook (10.10.2), which overlap; the lower bound of each decides here
    if i2 is None:
        return "not estimable"
    if i2 < 30:
        return "low"
    if i2 < 50:
        return "moderate"
    if i2 < 75:
        return "substantial"
    return "considerable"


def plain_language(spec: dict, results: dict) -> str:
    s = results["summary"]
    measure, k = spec["measure"], s["k"]
    ratio = measure in ("OR", "RR")
    null = 1.0 if ratio else 0.0
    est, lo, hi = s["shown"]["b"], s["shown"]["ci_lb"], s["shown"]["ci_ub"]
    designs = ("controlled" if set(spec["designs"]) == set(list(DESIGN_WORDS)[:2])
               else " or ".join(DESIGN_WORDS.get(d, d.lower()) for d in spec["designs"]))
    who = f"{k} {designs} studies" + (f" ({s['participants']:,} participants)" if s.get("participants") else "")
    if lo is not None and hi is not None and (lo > null or hi < null):
        favours = (est > null) == spec.get("higher_favours", True)
        direction = ("favoured the intervention" if favours else "favoured the comparator")
    else:
        direction = "showed no clear difference between the intervention and the comparator"
    model = MODELS.get(s["method"], f"a random-effects model ({s['method']}"
                       + (", Knapp-Hartung" if s["test"] == "knha" else "") + ")")
    level = f"{s['level']:g}%"
    text = (f"Pooling {who} with {model}, the effect on {spec['outcome'].lower()} {direction}: "
            f"{measure} {num(est)} ({level} CI {num(lo)} to {num(hi)}; {pvalue(s['pval'])}).")
    if s["method"] not in ("EE", "FE"):
        tau_ci = s.get("tau2_ci") or [None, None]
        text += (f" Heterogeneity was {heterogeneity_word(s.get('I2'))} (I\u00b2 = {num(s.get('I2'), 0)}%, "
                 f"\u03c4\u00b2 = {num(s['tau2'], 3)} [{num(tau_ci[0], 3)} to {num(tau_ci[1], 3)}], "
                 f"Q = {num(s.get('QE'))}, df = {k - 1}, {pvalue(s.get('QEp'))}).")
        if s["shown"].get("pi_lb") is not None:
            text += (f" The {level} prediction interval, where the effect in a new study like these would be "
                     f"expected to lie, ran from {num(s['shown']['pi_lb'])} to {num(s['shown']['pi_ub'])}.")
    side = "above" if spec.get("higher_favours", True) else "below"
    text += f" Values {side} {'1' if ratio else '0'} favour the intervention."
    pp = results.get("prepost")
    if pp:
        text += (f" Of {pp['k']} uncontrolled pre-post {'study' if pp['k'] == 1 else 'studies'}, "
                 f"{pp['favourable']} ({pp['share'] * 100:.0f}%, {level} CI {pp['ci_lb'] * 100:.0f}% to "
                 f"{pp['ci_ub'] * 100:.0f}%) changed in the favourable direction.")
    return text
