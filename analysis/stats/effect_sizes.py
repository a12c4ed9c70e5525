"""Effect sizes and their sampling variances (metafor ``escalc``), and
conversions of reported summaries (estimate with CI, SE, t, F or p).

Argument names are metafor's: two-by-two tables ``ai, bi, ci, di`` (or
``ai, n1i, ci, n2i``); group means ``m1i, m2i, sd1i, sd2i, n1i, n2i``;
pre-post ``m1i, m2i, sd1i, sd2i, ni, ri``; correlations ``ri, ni``;
proportions ``xi, ni`` (or ``xi, mi``).  Variances are metafor's default
large-sample ones (``vtype="LS"``).  Results that are not finite (e.g. a
log of 0 with ``to="none"``) are NaN, as metafor's NA; :func:`rma` leaves
such studies out with a warning.

References
----------
Hedges LV (1981). Distribution theory for Glass's estimator of effect size
and related estimators. J Educ Stat 6:107-128 (exact correction factor).
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor
package. J Stat Softw 36(3).
Borenstein M, Hedges LV, Higgins JPT, Rothstein HR (2009). Introduction to
Meta-Analysis, ch. 7 (converting among effect sizes).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from .errors import MetaAnalysisError
from .wls import Array

MEASURES = ("SMD", "MD", "SMCR", "SMCC", "ROM", "OR", "RR", "RD", "ZCOR", "COR", "PLO", "PR")
_TWO_BY_TWO = ("OR", "RR", "RD")
_PROPORTIONS = ("PLO", "PR")
_TO = ("only0", "all", "if0all", "none")


@dataclass(frozen=True)
class EffectSizes:
    """Effect sizes ``yi`` and sampling variances ``vi``, each of shape (k,)."""

    yi: Array
    vi: Array
    measure: str

    @property
    def sei(self) -> Array:
        """Standard errors, ``sqrt(vi)``."""
        return np.sqrt(self.vi)

    def __len__(self) -> int:
        return int(self.yi.shape[0])


def _arr(x: Any) -> Array | None:
    if x is None:
        return None
    return np.atleast_1d(np.asarray(x, dtype=float))


def _require(measure: str, **cols: Array | None) -> None:
    missing = [name for name, col in cols.items() if col is None]
    if missing:
        raise MetaAnalysisError(f"Measure {measure} needs {', '.join(missing)}.")
    lengths = {col.shape[0] for col in cols.values() if col is not None}
    if len(lengths) > 1:
        raise MetaAnalysisError("Supplied data vectors are not all of the same length.")


def cmicalc(mi: Array) -> Array:
    """Exact small-sample correction ``c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))``."""
    mi = np.asarray(mi, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.exp(special.gammaln(mi / 2) - np.log(np.sqrt(mi / 2)) - special.gammaln((mi - 1) / 2))
    return np.where(mi <= 1, np.nan, out)


def escalc(
    measure: str,
    *,
    add: float = 0.5,
    to: str = "only0",
    drop00: bool = False,
    vtype: str = "LS",
    **columns: Any,
) -> EffectSizes:
    """Compute effect sizes and sampling variances as metafor's ``escalc``.

    Parameters
    ----------
    measure : str
        One of :data:`MEASURES`: "SMD" (Hedges' g, exact correction), "MD",
        "SMCR" (pre-post change standardised by the pre-test SD), "SMCC"
        (standardised by the SD of the change), "ROM" (log ratio of means),
        "OR"/"RR" (log odds / risk ratio), "RD", "ZCOR" (Fisher's z),
        "COR", "PLO" (logit proportion), "PR" (proportion).
    add : float
        Amount added to cells of two-by-two tables and proportions.
    to : {"only0", "all", "if0all", "none"}
        Where ``add`` goes: the studies with a zero cell (default), every
        study, every study if any has a zero cell, or nowhere.
    drop00 : bool
        Give NaN for studies with no events (or only events) in both groups.
    vtype : str
        Only "LS" (metafor's default) is offered.
    **columns : array_like
        The data columns under metafor's names (see the module docstring).
        For SMD a reported ``di`` (Cohen's d) or ``ti`` (t statistic) may
        replace the means and SDs, as in metafor.

    Returns
    -------
    EffectSizes
    """
    if measure not in MEASURES:
        raise MetaAnalysisError(f"Unknown measure {measure!r}; choose one of {', '.join(MEASURES)}.")
    if to not in _TO:
        raise MetaAnalysisError(f"Unknown value for 'to': {to!r}; choose one of {', '.join(_TO)}.")
    if vtype != "LS":
        raise MetaAnalysisError("Only vtype='LS' (metafor's default) is implemented.")
    known = {"ai", "bi", "ci", "di", "n1i", "n2i", "m1i", "m2i", "sd1i", "sd2i",
             "xi", "mi", "ni", "ri", "ti"}
    unknown = set(columns) - known
    if unknown:
        raise MetaAnalysisError(f"Unknown argument(s) for escalc: {', '.join(sorted(unknown))}.")
    c = {name: _arr(val) for name, val in columns.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure in _TWO_BY_TWO:
            yi, vi = _two_by_two(measure, c, add, to, drop00)
        elif measure in _PROPORTIONS:
            yi, vi = _proportion(measure, c, add, to)
        elif measure in ("SMD", "MD", "ROM"):
            yi, vi = _two_groups(measure, c)
        elif measure in ("SMCR", "SMCC"):
            yi, vi = _pre_post(measure, c)
        else:
            yi, vi = _correlation(measure, c)
    bad = ~np.isfinite(yi) | ~np.isfinite(vi)
    if np.any(bad & ~(np.isnan(yi) | np.isnan(vi))):
        warnings.warn("Some 'yi' and/or 'vi' values equal to +-Inf. Recoded to NAs.", RuntimeWarning, stacklevel=2)
    yi = np.where(bad, np.nan, yi)
    vi = np.where(bad | (vi < 0), np.nan, vi)
    return EffectSizes(yi=yi, vi=vi, measure=measure)


def _two_by_two(measure: str, c: dict[str, Array | None], add: float, to: str, drop00: bool) -> tuple[Array, Array]:
    ai, bi, ci, di = c.get("ai"), c.get("bi"), c.get("ci"), c.get("di")
    n1i, n2i = c.get("n1i"), c.get("n2i")
    if bi is None and ai is not None and n1i is not None:
        bi = n1i - ai
    if di is None and ci is not None and n2i is not None:
        di = n2i - ci
    _require(measure, ai=ai, bi=bi, ci=ci, di=di)
    assert ai is not None and bi is not None and ci is not None and di is not None
    if n1i is not None and np.any(n1i != ai + bi):
        raise MetaAnalysisError("One or more 'n1i' values are not equal to 'ai + bi'.")
    if n2i is not None and np.any(n2i != ci + di):
        raise MetaAnalysisError("One or more 'n2i' values are not equal to 'ci + di'.")
    if np.any(np.array([ai, bi, ci, di]) < 0):
        raise MetaAnalysisError("One or more counts are negative.")
    ai, bi, ci, di = (x.astype(float).copy() for x in (ai, bi, ci, di))
    if drop00:
        both = ((ai == 0) & (ci == 0)) | ((bi == 0) & (di == 0))
        for x in (ai, bi, ci, di):
            x[both] = np.nan
    if to == "all":
        ai, bi, ci, di = ai + add, bi + add, ci + add, di + add
    elif to in ("only0", "if0all"):
        zero = (ai == 0) | (bi == 0) | (ci == 0) | (di == 0)
        if to == "if0all":
            zero = np.full_like(zero, bool(np.any(zero)))
        ai, bi, ci, di = (np.where(zero, x + add, x) for x in (ai, bi, ci, di))
    n1, n2 = ai + bi, ci + di
    p1, p2 = ai / n1, ci / n2
    if measure == "RR":
        return np.log(p1) - np.log(p2), 1 / ai - 1 / n1 + 1 / ci - 1 / n2
    if measure == "OR":
        return np.log(p1 / (1 - p1)) - np.log(p2 / (1 - p2)), 1 / ai + 1 / bi + 1 / ci + 1 / di
    return p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2


def _proportion(measure: str, c: dict[str, Array | None], add: float, to: str) -> tuple[Array, Array]:
    xi, mi, ni = c.get("xi"), c.get("mi"), c.get("ni")
    if mi is None and xi is not None and ni is not None:
        mi = ni - xi
    _require(measure, xi=xi, mi=mi)
    assert xi is not None and mi is not None
    if ni is not None and np.any(ni != xi + mi):
        raise MetaAnalysisError("One or more 'ni' values are not equal to 'xi + mi'.")
    if np.any(xi < 0) or np.any(mi < 0):
        raise MetaAnalysisError("One or more counts are negative.")
    xi, mi = xi.astype(float), mi.astype(float)
    if to == "all":
        xi, mi = xi + add, mi + add
    elif to in ("only0", "if0all"):
        zero = (xi == 0) | (mi == 0)
        if to == "if0all":
            zero = np.full_like(zero, bool(np.any(zero)))
        xi, mi = np.where(zero, xi + add, xi), np.where(zero, mi + add, mi)
    n = xi + mi
    pr = xi / n
    if measure == "PR":
        return pr, pr * (1 - pr) / n
    return np.log(pr / (1 - pr)), 1 / xi + 1 / mi


def _two_groups(measure: str, c: dict[str, Array | None]) -> tuple[Array, Array]:
    m1, m2, sd1, sd2 = c.get("m1i"), c.get("m2i"), c.get("sd1i"), c.get("sd2i")
    n1, n2 = c.get("n1i"), c.get("n2i")
    if measure == "SMD" and (c.get("di") is not None or c.get("ti") is not None):
        _require(measure, n1i=n1, n2i=n2)
        assert n1 is not None and n2 is not None
        d_rep = c.get("di")
        if d_rep is None:
            d_rep = np.full(n1.shape, np.nan)
        ti = c.get("ti")
        if ti is not None:
            d_rep = np.where(np.isnan(d_rep), ti * np.sqrt(1 / n1 + 1 / n2), d_rep)
        given = ~np.isnan(d_rep)
        # a reported d stands in for the means, as metafor does
        m1 = np.where(given, d_rep, m1 if m1 is not None else np.nan)
        m2 = np.where(given, 0.0, m2 if m2 is not None else np.nan)
        sd1 = np.where(given, 1.0, sd1 if sd1 is not None else np.nan)
        sd2 = np.where(given, 1.0, sd2 if sd2 is not None else np.nan)
    _require(measure, m1i=m1, m2i=m2, sd1i=sd1, sd2i=sd2, n1i=n1, n2i=n2)
    assert m1 is not None and m2 is not None and sd1 is not None and sd2 is not None
    assert n1 is not None and n2 is not None
    if np.any(sd1 < 0) or np.any(sd2 < 0):
        raise MetaAnalysisError("One or more standard deviations are negative.")
    if np.any(n1 <= 0) or np.any(n2 <= 0):
        raise MetaAnalysisError("One or more group sizes are <= 0.")
    if measure == "MD":
        return m1 - m2, sd1**2 / n1 + sd2**2 / n2
    if measure == "ROM":
        return np.log(m1 / m2), sd1**2 / (n1 * m1**2) + sd2**2 / (n2 * m2**2)
    n = n1 + n2
    m = n - 2
    sdp = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / m)
    yi = cmicalc(m) * (m1 - m2) / sdp
    return yi, 1 / n1 + 1 / n2 + yi**2 / (2 * n)


def _pre_post(measure: str, c: dict[str, Array | None]) -> tuple[Array, Array]:
    m1, m2, sd1, sd2 = c.get("m1i"), c.get("m2i"), c.get("sd1i"), c.get("sd2i")
    ni, ri = c.get("ni"), c.get("ri")
    if measure == "SMCR":
        _require(measure, m1i=m1, m2i=m2, sd1i=sd1, ni=ni, ri=ri)
    else:
        _require(measure, m1i=m1, m2i=m2, sd1i=sd1, sd2i=sd2, ni=ni, ri=ri)
    assert m1 is not None and m2 is not None and sd1 is not None and ni is not None and ri is not None
    if np.any(np.abs(ri) > 1):
        raise MetaAnalysisError("One or more correlations are > 1 or < -1.")
    if np.any(ni <= 0):
        raise MetaAnalysisError("One or more sample sizes are <= 0.")
    cm = cmicalc(ni - 1)
    if measure == "SMCR":
        yi = cm * (m1 - m2) / sd1
        return yi, 2 * (1 - ri) / ni + yi**2 / (2 * ni)
    assert sd2 is not None
    sdd = np.sqrt(sd1**2 + sd2**2 - 2 * ri * sd1 * sd2)
    yi = cm * (m1 - m2) / sdd
    return yi, 1 / ni + yi**2 / (2 * ni)


def _correlation(measure: str, c: dict[str, Array | None]) -> tuple[Array, Array]:
    ri, ni = c.get("ri"), c.get("ni")
    _require(measure, ri=ri, ni=ni)
    assert ri is not None and ni is not None
    if np.any(np.abs(ri) > 1):
        raise MetaAnalysisError("One or more correlations are > 1 or < -1.")
    if np.any(ni <= 0):
        raise MetaAnalysisError("One or more sample sizes are <= 0.")
    if measure == "ZCOR":
        if np.any(ni <= 3):
            warnings.warn("Cannot estimate the sampling variance when ni <= 3.", RuntimeWarning, stacklevel=4)
        yi, vi = np.arctanh(ri), 1 / (ni - 3)
    else:
        yi, vi = ri.astype(float), (1 - ri**2) ** 2 / (ni - 1)
    return yi, np.where(ni <= 3, np.nan, vi)


# -- conversions of reported summaries ---------------------------------------

def from_summary(
    estimate: Any,
    *,
    se: Any = None,
    ci_lb: Any = None,
    ci_ub: Any = None,
    level: float = 95,
    t: Any = None,
    f: Any = None,
    p: Any = None,
    df: Any = None,
    log: bool = False,
    measure: str = "GEN",
) -> EffectSizes:
    """Turn reported summaries into ``yi`` and ``vi`` so such studies can be pooled.

    For each study the first available of these gives the standard error:

    1. ``se`` as reported;
    2. a confidence interval: ``se = (ci_ub - ci_lb) / (2 q)`` with ``q`` the
       normal quantile for ``level`` (the t quantile when ``df`` is given);
    3. a t statistic: ``se = |estimate / t|``;
    4. an F statistic with one numerator df: ``se = |estimate| / sqrt(F)``;
    5. a two-sided p value: ``se = |estimate| / q`` with ``q`` the normal
       (or t, with ``df``) quantile of ``1 - p/2``.

    Parameters
    ----------
    estimate : array_like of shape (k,)
        The reported effects, on the scale of the analysis unless ``log``.
    se, ci_lb, ci_ub, t, f, p, df : array_like of shape (k,), optional
        Reported statistics; NaN (or None) where a study did not report one.
    level : float
        Confidence level of the reported intervals, in percent.
    log : bool
        Ratio measures (OR, RR, HR...) reported on their natural scale:
        the estimate and interval are log-transformed first.
    measure : str
        Label carried to the result (e.g. "OR" when ``log`` is used).

    Returns
    -------
    EffectSizes
        NaN where nothing usable was reported (rma leaves these out).
    """
    est = _arr(estimate)
    assert est is not None
    k = est.shape[0]

    def col(x: Any) -> Array:
        if x is None:
            return np.full(k, np.nan)
        a = np.atleast_1d(np.asarray([np.nan if v is None else v for v in np.atleast_1d(x)], dtype=float))
        if a.shape[0] == 1 and k > 1:
            a = np.repeat(a, k)
        if a.shape[0] != k:
            raise MetaAnalysisError("All summaries must have one value per study.")
        return a

    se_, lb, ub, t_, f_, p_, df_ = map(col, (se, ci_lb, ci_ub, t, f, p, df))
    with np.errstate(divide="ignore", invalid="ignore"):
        if log:
            if np.any(est <= 0) or np.any(lb <= 0) or np.any(ub <= 0):
                raise MetaAnalysisError("Ratio estimates and limits must be > 0 to take logs.")
            est, lb, ub = np.log(est), np.log(lb), np.log(ub)
        alpha = (100.0 - level) / 100.0 if level > 1 else 1.0 - level
        q_ci = np.where(np.isnan(df_), -special.ndtri(alpha / 2), -special.stdtrit(df_, alpha / 2))
        q_p = np.where(np.isnan(df_), -special.ndtri(p_ / 2), -special.stdtrit(df_, p_ / 2))
        candidates = (
            se_,
            (ub - lb) / (2 * q_ci),
            np.abs(est / t_),
            np.abs(est) / np.sqrt(f_),
            np.abs(est) / q_p,
        )
    out = np.full(k, np.nan)
    for cand in candidates:
        out = np.where(np.isnan(out) & np.isfinite(cand) & (cand > 0), cand, out)
    return EffectSizes(yi=est, vi=out**2, measure=measure)
