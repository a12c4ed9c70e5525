"""One run's numbers and plots from its stored inputs (plain Python over the engine; no Django).

``compute(inputs)`` is all a run does once its inputs are gathered, so the same inputs always give
the same results, in the app, in the foreground command and in the exported Python script.
"""
from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import ngettext
from scipy import stats as scipy_stats

import svgkit
from analysis import stats
from analysis.stats import MetaAnalysisError, json_safe

from . import wording

RATIO = ("OR", "RR")
#: small-study tests and trim-and-fill need enough studies to mean anything (Cochrane Handbook 13.3.5.4)
MIN_K_FUNNEL_TESTS = 10
MEASURE_NAMES = {"SMD": "SMD (Hedges' g)", "MD": "Mean difference", "OR": "Odds ratio", "RR": "Risk ratio",
                 "RD": "Risk difference", "SMCR": "Standardised mean change"}


class AnalysisRefused(Exception):
    """The data cannot give this analysis; the message says why in words."""


# The plots a run draws, by the name its pages, downloads and reproducible folder use.
PLOTS = ("forest", "funnel")


@dataclass
class Computed:
    results: dict
    plots: dict[str, str]  # name (PLOTS) -> SVG


def shown(measure: str, x: float | None) -> float | None:
    """A value on the scale people read: ratios exponentiated."""
    if x is None:
        return None
    return math.exp(x) if measure in RATIO else x


def prepost_share(prepost: list[dict], level: float = 95) -> dict | None:
    """Share of uncontrolled studies whose change favoured the intervention, with a Wilson CI."""
    n = len(prepost)
    if n == 0:
        return None
    x = sum(1 for p in prepost if p["favourable"])
    ci = scipy_stats.binomtest(x, n).proportion_ci(confidence_level=level / 100, method="wilson")
    return {"k": n, "favourable": x, "share": x / n, "ci_lb": float(ci.low), "ci_ub": float(ci.high),
            "level": level, "method": "Wilson score interval"}


def _fit_summary(fit: stats.RmaResult, measure: str, participants: int | None) -> dict:
    d = fit.to_dict()
    keys = ("b", "se", "zval", "pval", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "se_tau2", "tau2_ci", "I2",
            "I2_ci", "H2", "QE", "QEp", "k", "weights", "method", "test", "level", "warnings", "ddf")
    out = {k: d.get(k) for k in keys}
    out["participants"] = participants
    out["measure"] = measure
    out["shown"] = {k: shown(measure, d.get(k)) for k in ("b", "ci_lb", "ci_ub", "pi_lb", "pi_ub")}
    return out


def _numbered_svg(svg: str, i: int) -> str:
    # nested plots keep unique ids for their accessible names
    return svg.replace('id="plot-title"', f'id="plot-title-{i}"').replace('id="plot-desc"', f'id="plot-desc-{i}"') \
        .replace('aria-labelledby="plot-title plot-desc"', f'aria-labelledby="plot-title-{i} plot-desc-{i}"')


def stack_svgs(panels: list[tuple[str, str]], title: str) -> str:
    """One SVG of several plots one above the other, each under its heading."""
    head_h, y, width, parts = 30, 0.0, 0, []
    for i, (heading, svg) in enumerate(panels):
        w = int(re.search(r'width="(\d+)"', svg).group(1))
        h = int(re.search(r'height="(\d+)"', svg).group(1))
        width = max(width, w)
        parts.append(svgkit.text(16, f"{y + 22:.0f}", heading, font_size=15, font_weight=700, fill="#1f2933",
                                 class_="group-heading"))
        y += head_h
        parts.append(_numbered_svg(svg, i).replace("<svg ", f'<svg x="0" y="{y:.0f}" ', 1))
        y += h
    return svgkit.document(width, y, parts, font=svgkit.FONT_UI, name=title, label=True, separator="\n")


def favours_axis(spec: dict) -> str:
    """Which side of the axis favours what (left | right)."""
    sides = ("comparator", "intervention") if spec.get("higher_favours", True) else ("intervention", "comparator")
    return f"favours {sides[0]} | favours {sides[1]}"


def _forest(yi, vi, labels, fit, spec, xlim=None) -> str:
    measure = spec["measure"]
    kwargs = {"xlim": xlim, "transform": "exp" if measure in RATIO else None, "level": spec["level"],
              "effect_label": measure, "xlab": f"{MEASURE_NAMES.get(measure, measure)}: " + favours_axis(spec),
              "title": f"Forest plot: {spec['name']}"}
    return stats.forest_svg(yi, vi, labels, fit, **kwargs)


def _subgroups(yi, vi, labels, groups, spec, fit) -> tuple[dict | None, str | None]:
    """The subgroup table and a forest plot with a heading per subgroup; (None, None) without groups."""
    method, test, level = spec["method"], spec["test"], spec["level"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sub = stats.subgroup_analysis(yi, vi, groups, method=method, test=test, level=level)
    except MetaAnalysisError as exc:
        return {"error": str(exc)}, None
    measure = spec["measure"]
    rows = []
    for level_name, f in sub.fits.items():
        rows.append({"group": level_name, "k": f.k, "b": f.b, "ci_lb": f.ci_lb, "ci_ub": f.ci_ub, "pval": f.pval,
                     "tau2": f.tau2, "I2": f.I2,
                     "shown": {k: shown(measure, getattr(f, k)) for k in ("b", "ci_lb", "ci_ub")}})
    table = {"rows": rows, "errors": sub.errors, "Q_between": sub.Q_between, "df": sub.df, "p": sub.p,
             "missing": sum(1 for g in groups if g is None), "convention": sub.convention}
    # one axis for every panel, so the subgroups can be compared by eye
    crit = scipy_stats.norm.isf((1 - level / 100) / 2)
    fits = [fit, *sub.fits.values()]
    ends = [*(yi - crit * np.sqrt(vi)), *(yi + crit * np.sqrt(vi))]
    ends += [x for f in fits for x in (f.pi_lb, f.pi_ub, f.ci_lb, f.ci_ub) if x is not None and math.isfinite(x)]
    ends.append(0.0)  # the null line (a ratio of 1 on the log scale)
    xlim = (min(ends), max(ends))
    panels = []
    # runs from before the label was stored name the field by its key
    field_name = spec.get("subgroup_label") or spec["subgroup_field"].replace("_", " ").capitalize()
    for level_name in sub.levels:
        idx = [i for i, g in enumerate(groups) if g == level_name]
        if level_name in sub.fits and len(idx) >= 1:
            panels.append((f"{field_name}: {level_name}",
                           _forest(yi[idx], vi[idx], [labels[i] for i in idx], sub.fits[level_name], spec, xlim)))
    panels.append(("All studies", _forest(yi, vi, labels, fit, spec, xlim)))
    return table, stack_svgs(panels, f"Forest plot by subgroup: {spec['name']}")


def _metareg(yi, vi, studies, spec) -> dict:
    names = spec["moderators"]
    keep = [i for i, s in enumerate(studies) if all(s["moderators"].get(m) is not None for m in names)]
    if len(keep) < 3:
        return {"error": ngettext("Only %d study has every moderator; a meta-regression needs more.",
                                  "Only %d studies have every moderator; a meta-regression needs more.",
                                  len(keep)) % len(keep)}
    mods = {m: [studies[i]["moderators"][m] for i in keep] for m in names}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = stats.rma(yi[keep], vi[keep], method=spec["method"], test=spec["test"], level=spec["level"],
                            mods=mods)
    except MetaAnalysisError as exc:
        return {"error": str(exc)}
    c = fit.coefficients
    return json_safe({"k": fit.k, "left_out": len(studies) - len(keep), "QM": fit.QM, "QMp": fit.QMp,
                  "QMdf": fit.QMdf, "R2": fit.R2, "tau2": fit.tau2, "QE": fit.QE, "QEp": fit.QEp,
                  "coefficients": [{"name": c.names[j], "b": c.b[j], "se": c.se[j], "zval": c.zval[j],
                                    "pval": c.pval[j], "ci_lb": c.ci_lb[j], "ci_ub": c.ci_ub[j]}
                                   for j in range(len(c.names))]})


def _funnel(yi, vi, labels, fit, tf, spec) -> str:
    measure = spec["measure"]
    return stats.funnel_svg(yi, vi, fit, trimfill=tf, level=spec["level"],
                            transform="exp" if measure in RATIO else None, xlab=MEASURE_NAMES.get(measure, measure),
                            labels=labels, title=f"Funnel plot: {spec['name']}")


def plots(inputs: dict) -> dict[str, str]:
    """{"forest", "funnel"}: a run's plots drawn again from its stored inputs, as compute() draws them,
    without the tables (leave-one-out, tests) that only the results need. A review archive's
    importer draws an imported run's plots with it rather than keeping the archive's markup."""
    spec, studies = inputs["spec"], inputs["studies"]
    yi = np.array([s["yi"] for s in studies], dtype=float)
    vi = np.array([s["vi"] for s in studies], dtype=float)
    labels = [str(s["label"]) for s in studies]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = stats.rma(yi, vi, method=spec["method"], test=spec["test"], level=spec["level"])
        tf = None
        if len(studies) >= MIN_K_FUNNEL_TESTS:
            try:
                tf = stats.trimfill(yi, vi, method=spec["method"])
            except MetaAnalysisError:
                tf = None
    forest = None
    if spec.get("subgroup_field"):
        _, forest = _subgroups(yi, vi, labels, [s.get("subgroup") for s in studies], spec, fit)
    if forest is None:
        forest = _forest(yi, vi, labels, fit, spec)
    return {"forest": forest, "funnel": _funnel(yi, vi, labels, fit, tf, spec)}


def compute(inputs: dict) -> Computed:
    """Fit the analysis on its inputs: summary, leave-one-out, small-study tests, subgroups,
    meta-regression, plots and the plain-language paragraph."""
    spec, studies = inputs["spec"], inputs["studies"]
    k = len(studies)
    if k < 2:
        reasons = sorted({e["reason"].split(":")[0].split(" (")[0] for e in inputs["excluded"]})
        which = f" ({studies[0]['label']})" if k == 1 else ""
        raise AnalysisRefused(
            f"{'Only one study' if k == 1 else 'No study'}{which} enters this analysis; pooling needs at least two. "
            + (f"Studies were left out for: {'; '.join(reasons)}." if reasons else ""))
    yi = np.array([s["yi"] for s in studies], dtype=float)
    vi = np.array([s["vi"] for s in studies], dtype=float)
    labels = [s["label"] for s in studies]
    measure, method, test, level = spec["measure"], spec["method"], spec["test"], spec["level"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = stats.rma(yi, vi, method=method, test=test, level=level)
        l1o = stats.leave1out(yi, vi, method=method, test=test, level=level)
    ns = [s["n"] for s in studies]
    participants = sum(n for n in ns if n) if any(ns) else None
    summary = _fit_summary(fit, measure, participants)
    results: dict[str, Any] = {"summary": summary, "engine": "analysis.stats"}
    results["leave1out"] = [
        {"label": labels[i], "estimate": l1o.estimate[i], "ci_lb": l1o.ci_lb[i], "ci_ub": l1o.ci_ub[i],
         "pval": l1o.pval[i], "tau2": l1o.tau2[i], "I2": l1o.I2[i],
         "shown": {"estimate": shown(measure, l1o.estimate[i]), "ci_lb": shown(measure, l1o.ci_lb[i]),
                   "ci_ub": shown(measure, l1o.ci_ub[i])}}
        for i in range(k)]
    tf = None
    if k >= MIN_K_FUNNEL_TESTS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                eg = stats.regtest(yi, vi, model="rma", predictor="sei", method=method, test=test, level=level)
                results["egger"] = eg.to_dict()
            except MetaAnalysisError as exc:
                results["egger"] = {"error": str(exc)}
            try:
                tf = stats.trimfill(yi, vi, method=method, level=level)
                results["trimfill"] = {key: getattr(tf, key) for key in
                                       ("k0", "side", "estimator", "b", "se", "ci_lb", "ci_ub", "pval", "tau2")}
                results["trimfill"]["shown"] = {key: shown(measure, getattr(tf, key)) for key in ("b", "ci_lb",
                                                                                                     "ci_ub")}
            except MetaAnalysisError as exc:
                results["trimfill"] = {"error": str(exc)}
                tf = None
    else:
        results["funnel_note"] = (f"Egger's test and trim-and-fill need at least {MIN_K_FUNNEL_TESTS} studies; "
                                  f"this analysis has {k}.")
    funnel = _funnel(yi, vi, labels, fit, tf, spec)
    forest = None
    if spec.get("subgroup_field"):
        results["subgroups"], forest = _subgroups(yi, vi, labels, [s.get("subgroup") for s in studies], spec, fit)
    if forest is None:
        forest = _forest(yi, vi, labels, fit, spec)
    if spec.get("moderators"):
        results["metareg"] = _metareg(yi, vi, studies, spec)
    results["prepost"] = prepost_share(inputs.get("prepost", []), level)
    results = json_safe(results)
    results["plain_language"] = wording.plain_language(spec, results)
    return Computed(results=results, plots={"forest": forest, "funnel": funnel})
