"""A run's result in the words of a review's results section, generated from its numbers.

One convention for effects, everywhere they are written out (the results paragraph, the summary of
findings and its CSV, XLSX and Word files): a difference is stated with a direction word and
unsigned bounds, as in the GRADE handbook's examples ("SMD 0.35 SD lower (0.45 lower to 0.25
lower)", "48 fewer per 1000 (72 fewer to 20 fewer)"); a ratio has no sign to state ("RR 0.80 (0.70
to 0.91)"). :func:`effect_text` and :func:`difference_in_words` are the only places that write one.
Tables of numbers (forest plots, leave-one-out, meta-regression) keep signed numbers, without words.
"""
from __future__ import annotations

from gettext import ngettext  # the standard library's: the engine's words carry no Django

MINUS = "\u2212"
RATIO_MEASURES = ("OR", "RR")
# Measures that are differences from the comparator, and the unit their size is stated in.
DIFFERENCE_UNITS = {"SMD": "SD", "SMCR": "SD", "MD": "", "RD": ""}
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


def ci_label(level: float) -> str:
    """"95% CI", "90% CI": every interval names the level it was computed at."""
    return f"{level:g}% CI"


def directed(x: float, digits: int = 2, *, up: str = "higher", down: str = "lower") -> str:
    """The size of ``x`` with the word of its direction and no sign: "0.45 lower"; a value that
    rounds to zero has no direction ("0.00")."""
    size = f"{abs(x):.{digits}f}"
    if float(size) == 0:
        return size
    return f"{size} {up if x > 0 else down}"


def difference_in_words(estimate: float, lower: float, upper: float, *, digits: int = 2, unit: str = "",
                        per: str = "", up: str = "higher", down: str = "lower", level: float | None = None,
                        note: str = "") -> str:
    """A difference and its interval in GRADE's words: "0.35 SD lower (0.45 lower to 0.25 lower)";
    ``per`` follows the direction ("48 fewer per 1000 (72 fewer to 20 fewer)"); with ``level`` the
    interval names it ("(95% CI 0.45 lower to 0.25 lower)"); ``note`` ends the parenthesis."""
    size = f"{abs(estimate):.{digits}f}"
    word = "" if float(size) == 0 else (up if estimate > 0 else down)
    head = " ".join(part for part in (size, unit, word, per) if part)
    lo, hi = sorted((lower, upper))
    bounds = f"{directed(lo, digits, up=up, down=down)} to {directed(hi, digits, up=up, down=down)}"
    return f"{head} ({ci_label(level) + ' ' if level is not None else ''}{bounds}{'; ' + note if note else ''})"


def effect_text(measure: str, estimate: float | None, lower: float | None, upper: float | None, *,
                level: float | None = None, digits: int = 2, note: str = "") -> str:
    """An effect on the scale people read (ratios exponentiated), by the module's one convention."""
    tail = f"; {note}" if note else ""
    if None in (estimate, lower, upper):
        return f"{measure} {num(estimate, digits)} (no interval{tail})"
    if measure in DIFFERENCE_UNITS:
        return f"{measure} " + difference_in_words(estimate, lower, upper, digits=digits,
                                                   unit=DIFFERENCE_UNITS[measure], level=level, note=note)
    label = f"{ci_label(level)} " if level is not None else ""
    return f"{measure} {num(estimate, digits)} ({label}{num(lower, digits)} to {num(upper, digits)}{tail})"


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
    who = f"{k} {designs} {ngettext('study', 'studies', k)}"
    who += f" ({s['participants']:,} participants)" if s.get("participants") else ""
    if lo is not None and hi is not None and (lo > null or hi < null):
        favours = (est > null) == spec.get("higher_favours", True)
        direction = ("favoured the intervention" if favours else "favoured the comparator")
    else:
        direction = "showed no clear difference between the intervention and the comparator"
    model = MODELS.get(s["method"], f"a random-effects model ({s['method']}"
                       + (", Knapp-Hartung" if s["test"] == "knha" else "") + ")")
    level = f"{s['level']:g}%"
    effect = effect_text(measure, est, lo, hi, level=s["level"], note=pvalue(s["pval"]))
    text = f"Pooling {who} with {model}, the effect on {spec['outcome'].lower()} {direction}: {effect}."
    if s["method"] not in ("EE", "FE"):
        tau_ci = s.get("tau2_ci") or [None, None]
        text += (f" Heterogeneity was {heterogeneity_word(s.get('I2'))} (I\u00b2 = {num(s.get('I2'), 0)}%, "
                 f"\u03c4\u00b2 = {num(s['tau2'], 3)} [{ci_label(s['level'])} {num(tau_ci[0], 3)} to "
                 f"{num(tau_ci[1], 3)}], "
                 f"Q = {num(s.get('QE'))}, df = {k - 1}, {pvalue(s.get('QEp'))}).")
        if s["shown"].get("pi_lb") is not None:
            pi_lb, pi_ub = s["shown"]["pi_lb"], s["shown"]["pi_ub"]
            span = (f"{directed(pi_lb)} to {directed(pi_ub)}" if measure in DIFFERENCE_UNITS
                    else f"{num(pi_lb)} to {num(pi_ub)}")
            text += (f" The {level} prediction interval, where the effect in a new study like these would be "
                     f"expected to lie, ran from {span}.")
    side = "above" if spec.get("higher_favours", True) else "below"
    text += f" Values {side} {'1' if ratio else '0'} favour the intervention."
    pp = results.get("prepost")
    if pp:
        text += (f" Of {pp['k']} uncontrolled pre-post {ngettext('study', 'studies', pp['k'])}, "
                 f"{pp['favourable']} ({pp['share'] * 100:.0f}%, {level} CI {pp['ci_lb'] * 100:.0f}% to "
                 f"{pp['ci_ub'] * 100:.0f}%) changed in the favourable direction.")
    return text
