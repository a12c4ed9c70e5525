"""Outcome data: the built-in repeating group (one row per outcome, time point and comparison), the
checks that refuse impossible values, and the harmonised effect size of each complete row.

Effect sizes come from the engine (`analysis.stats.escalc` and `from_summary`): two groups with
means give Hedges' g (SMD), with events a log odds ratio (OR), a pre-post group the standardised
mean change (SMCR, post minus pre over the pre-test SD), and a reported effect its own measure.
Each row says whether higher values (or more events) are better on its instrument; when that
disagrees with the outcome's direction (which side favours the intervention), the sign of yi is
flipped, so every study's effect on one outcome points the same way.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from scipy import stats as scipy_stats

from analysis.stats import MetaAnalysisError, escalc, from_summary

SECTION_KEY = "outcome_data"
CONTINUOUS = "Means (two groups)"
DICHOTOMOUS = "Events (two groups)"
EFFECT = "Reported effect"
PREPOST = "Pre-post (one group)"
DATA_TYPES = [CONTINUOUS, DICHOTOMOUS, EFFECT, PREPOST]
REPORTED_MEASURES = ["SMD", "MD", "OR", "RR", "RD"]
RATIO_MEASURES = ("OR", "RR")
Z95 = 1.959963984540054


def _num(key: str, label: str, *, integer: bool = False, help: str = "", lo: float | None = None) -> dict:
    return {"key": key, "label": label, "type": "integer" if integer else "decimal", "required": False,
            "help": help, "choices": [], "min": lo, "max": None, "unit": ""}


def _arm(prefix: str, who: str) -> list[dict]:
    return [
        _num(f"{prefix}_n", f"{who}: n", integer=True),
        _num(f"{prefix}_mean", f"{who}: mean"),
        _num(f"{prefix}_sd", f"{who}: SD"),
        _num(f"{prefix}_se", f"{who}: SE", help="If no SD is reported (converted: SD = SE × √n)."),
        _num(f"{prefix}_ci_lb", f"{who}: 95% CI of the mean, lower"),
        _num(f"{prefix}_ci_ub", f"{who}: 95% CI of the mean, upper",
             help="If neither SD nor SE is reported (converted with the t distribution below n = 60)."),
        _num(f"{prefix}_events", f"{who}: events", integer=True),
    ]


def section() -> dict:
    """The outcome data group as a form section; every extraction form carries it unchanged."""
    return {
        "key": SECTION_KEY, "title": "Outcome data", "repeat": "Result", "kind": "outcome_data",
        "help": ("One row per outcome, time point and comparison. Fill the block that fits what the study "
                 "reports: means of two groups, events of two groups, a reported effect, or pre-post means."),
        "fields": [
            {"key": "outcome", "label": "Outcome", "type": "single", "required": True, "help": "",
             "choices": [], "choices_from": "outcomes", "min": None, "max": None, "unit": ""},
            {"key": "instrument", "label": "Instrument", "type": "text", "required": True,
             "help": "The scale or measure, e.g. EPDS.", "choices": [], "min": None, "max": None, "unit": ""},
            {"key": "higher_is_better", "label": "Higher scores (or more events) are better", "type": "single",
             "required": True, "help": "On this instrument: e.g. No for a depression scale.",
             "choices": ["Yes", "No"], "min": None, "max": None, "unit": ""},
            {"key": "timepoint", "label": "Time point", "type": "text", "required": True,
             "help": "E.g. post-treatment, 6 months.", "choices": [], "min": None, "max": None, "unit": ""},
            {"key": "data_type", "label": "Data reported as", "type": "single", "required": True, "help": "",
             "choices": DATA_TYPES, "min": None, "max": None, "unit": ""},
            {"key": "i_arm", "label": "Intervention arm", "type": "text", "required": False,
             "help": "Its name as in the arms above.", "choices": [], "min": None, "max": None, "unit": ""},
            {"key": "c_arm", "label": "Comparator arm", "type": "text", "required": False, "help": "",
             "choices": [], "min": None, "max": None, "unit": ""},
            *_arm("i", "Intervention (or the pre-post group)"),
            *_arm("c", "Comparator"),
            {"key": "effect_measure", "label": "Reported effect: measure", "type": "single", "required": False,
             "help": "Ratios (OR, RR) on their natural scale.", "choices": REPORTED_MEASURES,
             "min": None, "max": None, "unit": ""},
            _num("effect", "Reported effect: estimate", help="Intervention versus comparator."),
            _num("effect_ci_lb", "Reported effect: 95% CI lower"),
            _num("effect_ci_ub", "Reported effect: 95% CI upper"),
            _num("effect_se", "Reported effect: SE"),
            _num("effect_p", "Reported effect: two-sided p"),
            _num("pre_mean", "Pre-post: mean before"),
            _num("pre_sd", "Pre-post: SD before"),
            _num("post_mean", "Pre-post: mean after"),
            _num("post_sd", "Pre-post: SD after"),
            _num("r", "Pre-post: correlation of before and after"),
            {"key": "r_source", "label": "Pre-post correlation is", "type": "single", "required": False,
             "help": "Reported by the study, or a value assumed by the review team (say which in the notes).",
             "choices": ["Reported", "Assumed"], "min": None, "max": None, "unit": ""},
        ],
    }


FIELD_LABELS = {f["key"]: f["label"] for f in section()["fields"]}


def check_row(row: dict) -> dict[str, str]:
    """Impossible values in one row: field key -> the reason. Missing values are not errors here."""
    errors: dict[str, str] = {}
    for p in ("i", "c"):
        n, events = row.get(f"{p}_n"), row.get(f"{p}_events")
        if n is not None and n < 1:
            errors[f"{p}_n"] = "n must be at least 1"
        for key in (f"{p}_sd", f"{p}_se"):
            if row.get(key) is not None and row[key] <= 0:
                errors[key] = f"{'SD' if key.endswith('sd') else 'SE'} must be greater than 0"
        if events is not None and events < 0:
            errors[f"{p}_events"] = "events cannot be negative"
        elif events is not None and n is not None and events > n:
            errors[f"{p}_events"] = f"events ({events}) cannot exceed the total n ({n})"
        _check_ci(errors, row, f"{p}_ci_lb", f"{p}_ci_ub", row.get(f"{p}_mean"), "the mean")
    for key in ("pre_sd", "post_sd", "effect_se"):
        if row.get(key) is not None and row[key] <= 0:
            errors[key] = "must be greater than 0"
    p_value = row.get("effect_p")
    if p_value is not None and not 0 < p_value <= 1:
        errors["effect_p"] = "p must be above 0 and at most 1"
    if row.get("r") is not None and not -1 <= row["r"] <= 1:
        errors["r"] = "a correlation lies between -1 and 1"
    measure = row.get("effect_measure")
    if measure in RATIO_MEASURES:
        for key in ("effect", "effect_ci_lb", "effect_ci_ub"):
            if row.get(key) is not None and row[key] <= 0:
                errors[key] = f"a ratio ({measure}) must be greater than 0"
    if measure == "RD":
        for key in ("effect", "effect_ci_lb", "effect_ci_ub"):
            if row.get(key) is not None and not -1 <= row[key] <= 1:
                errors[key] = "a risk difference lies between -1 and 1"
    _check_ci(errors, row, "effect_ci_lb", "effect_ci_ub", row.get("effect"), "the estimate")
    return errors


def _check_ci(errors: dict, row: dict, lb_key: str, ub_key: str, estimate, what: str) -> None:
    lb, ub = row.get(lb_key), row.get(ub_key)
    if lb is not None and ub is not None and lb >= ub:
        errors[ub_key] = f"the upper limit ({ub:g}) must be above the lower limit ({lb:g})"
    elif estimate is not None and ((lb is not None and lb > estimate) or (ub is not None and ub < estimate)):
        errors[ub_key if ub is not None and ub < estimate else lb_key] = (
            f"the confidence interval must contain {what} ({estimate:g})")


@dataclass
class Effect:
    """The harmonised effect of one row, or what it still needs."""

    outcome: str
    instrument: str
    timepoint: str
    comparison: str
    complete: bool
    missing: list[str] = field(default_factory=list)
    measure: str = ""
    yi: float | None = None
    vi: float | None = None
    flipped: bool = False
    higher_favours: bool = True
    note: str = ""

    @property
    def se(self) -> float | None:
        return math.sqrt(self.vi) if self.vi is not None else None

    @property
    def ci(self) -> tuple[float, float] | None:
        if self.yi is None or self.vi is None:
            return None
        return self.yi - Z95 * self.se, self.yi + Z95 * self.se

    @property
    def favours(self) -> str:
        """Which sign favours the intervention, in words."""
        if self.measure in RATIO_MEASURES:
            return "log ratio above 0 favours the intervention" if self.higher_favours else \
                "log ratio below 0 favours the intervention"
        return "above 0 favours the intervention" if self.higher_favours else "below 0 favours the intervention"


def arm_sd(row: dict, p: str) -> float | None:
    """The SD of an arm: as reported, else from its SE, else from the CI of its mean."""
    n = row.get(f"{p}_n")
    if row.get(f"{p}_sd") is not None:
        return float(row[f"{p}_sd"])
    if n is None:
        return None
    if row.get(f"{p}_se") is not None:
        return row[f"{p}_se"] * math.sqrt(n)
    lb, ub = row.get(f"{p}_ci_lb"), row.get(f"{p}_ci_ub")
    if lb is not None and ub is not None:
        # Cochrane Handbook 6.5.2.2: the t distribution for small groups, 3.92 (2 × 1.96) from n = 60.
        q = scipy_stats.t.ppf(0.975, n - 1) if n < 60 and n > 1 else Z95
        return math.sqrt(n) * (ub - lb) / (2 * q)
    return None


def _needs(row: dict, keys: list[str]) -> list[str]:
    return [FIELD_LABELS[k] for k in keys if row.get(k) is None]


def row_effect(row: dict, *, higher_favours_intervention: bool) -> Effect:
    """The effect of one outcome data row, harmonised to the outcome's direction."""
    comparison = " vs ".join(x for x in (row.get("i_arm", ""), row.get("c_arm", "")) if x)
    effect = Effect(outcome=row.get("outcome", ""), instrument=row.get("instrument", ""),
                    timepoint=row.get("timepoint", ""), comparison=comparison, complete=False,
                    higher_favours=higher_favours_intervention)
    kind = row.get("data_type")
    missing = _needs(row, ["outcome", "higher_is_better", "data_type"])
    try:
        if kind == CONTINUOUS:
            sd1, sd2 = arm_sd(row, "i"), arm_sd(row, "c")
            missing += _needs(row, ["i_n", "i_mean", "c_n", "c_mean"])
            missing += [f"{who} SD (or SE or CI)" for who, sd in (("Intervention", sd1), ("Comparator", sd2))
                        if sd is None]
            if not missing:
                es = escalc("SMD", m1i=row["i_mean"], sd1i=sd1, n1i=row["i_n"],
                            m2i=row["c_mean"], sd2i=sd2, n2i=row["c_n"])
                effect.measure = "SMD"
        elif kind == DICHOTOMOUS:
            missing += _needs(row, ["i_events", "i_n", "c_events", "c_n"])
            if not missing:
                es = escalc("OR", ai=row["i_events"], n1i=row["i_n"], ci=row["c_events"], n2i=row["c_n"])
                effect.measure = "OR"
        elif kind == EFFECT:
            missing += _needs(row, ["effect_measure", "effect"])
            has_spread = any(row.get(k) is not None for k in ("effect_se", "effect_p")) or (
                row.get("effect_ci_lb") is not None and row.get("effect_ci_ub") is not None)
            if not has_spread:
                missing.append("its 95% CI, SE or p")
            if not missing:
                measure = row["effect_measure"]
                es = from_summary(row["effect"], se=row.get("effect_se"), ci_lb=row.get("effect_ci_lb"),
                                  ci_ub=row.get("effect_ci_ub"), p=row.get("effect_p"),
                                  log=measure in RATIO_MEASURES, measure=measure)
                effect.measure = measure
        elif kind == PREPOST:
            missing += _needs(row, ["i_n", "pre_mean", "pre_sd", "post_mean"])
            if row.get("r") is None:
                missing.append("the pre-post correlation (reported, or an assumed value stated)")
            if not missing:
                es = escalc("SMCR", m1i=row["post_mean"], m2i=row["pre_mean"], sd1i=row["pre_sd"],
                            ni=row["i_n"], ri=row["r"])
                effect.measure = "SMCR"
                if row.get("r_source") == "Assumed":
                    effect.note = f"assumed pre-post correlation r = {row['r']:g}"
    except MetaAnalysisError as exc:
        effect.missing = [str(exc)]
        return effect
    effect.missing = missing
    if missing:
        return effect
    yi, vi = float(es.yi[0]), float(es.vi[0])
    if not (math.isfinite(yi) and math.isfinite(vi)):
        effect.missing = ["values from which no effect can be computed"]
        return effect
    better_is_higher = row["higher_is_better"] == "Yes"
    effect.flipped = better_is_higher != higher_favours_intervention
    effect.yi, effect.vi, effect.complete = (-yi if effect.flipped else yi), vi, True
    return effect
