"""Small-study effects and publication bias, as in metafor 3.8-1.

``regtest`` (Egger's regression test), ``ranktest`` (Begg and Mazumdar),
``trimfill`` (Duval and Tweedie) and ``fsn`` (fail-safe N) take the effect
sizes and sampling variances and reproduce metafor's results, including its
quirks (documented on each function).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._inputs import as_yi_vi, json_safe
from .errors import ConvergenceError, MetaAnalysisError

__all__ = [
    "RegtestResult", "RanktestResult", "TrimfillResult", "FsnResult",
    "regtest", "ranktest", "trimfill", "fsn",
]


# --------------------------------------------------------------------- regtest

@dataclass(frozen=True)
class RegtestResult:
    """Egger-type regression test for funnel plot asymmetry.

    ``zval`` is the test statistic of the predictor's coefficient (a t value
    when ``dfs`` is not None), ``est`` with ``ci_lb``/``ci_ub`` the model's
    intercept: the "limit estimate" for a study with zero standard error
    (None for predictors where the intercept is not such an estimate).
    """

    model: str
    predictor: str
    method: str | None  # tau2 estimator of the "rma" model; None for "lm"
    zval: float
    pval: float
    dfs: int | None
    est: float | None
    ci_lb: float | None
    ci_ub: float | None

    def to_dict(self) -> dict:
        return json_safe(self.__dict__)


_PREDICTORS = ("sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv")


def _predictor_column(predictor: str, vi: np.ndarray, ni) -> np.ndarray:
    if predictor == "sei":
        return np.sqrt(vi)
    if predictor == "vi":
        return vi
    if ni is None:
        raise MetaAnalysisError("No sample size information available to use this predictor.")
    n = np.asarray(ni, dtype=float).ravel()
    if n.size != vi.size:
        raise MetaAnalysisError("Length of 'yi' and 'ni' is not the same.")
    return {"ni": n, "ninv": 1 / n, "sqrtni": np.sqrt(n), "sqrtninv": 1 / np.sqrt(n)}[predictor]


def regtest(yi, vi, model: str = "rma", predictor: str = "sei", method: str = "REML",
            test: str = "z", level: float = 95, ni=None) -> RegtestResult:
    """Regression test for funnel plot asymmetry (Egger's test and variants).

    Parameters
    ----------
    yi, vi : array_like of shape (k,)
        Effect sizes and sampling variances.
    model : {"rma", "lm"}
        "rma" (metafor's default): a meta-regression on the predictor with the
        same tau2 estimator and test as the main fit. "lm": the classic Egger
        test, a weighted least-squares regression (weights 1/vi) with a
        multiplicative dispersion and t tests on k - 2 degrees of freedom.
    predictor : {"sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv"}
        Moderator added to the model; the ``ni`` forms need ``ni``.
    method, test, level
        Passed to :func:`analysis.stats.rma` when ``model="rma"``; ``level``
        (percent) also sets the CI of the limit estimate under "lm".
    ni : array_like of shape (k,), optional
        Sample sizes.

    Returns
    -------
    RegtestResult

    Raises
    ------
    ValueError
        When the predictor is collinear with the intercept (for example all
        sampling variances equal), as metafor: "Model matrix no longer of
        full rank after addition of predictor."

    References
    ----------
    Egger M, Davey Smith G, Schneider M, Minder C (1997). Bias in
    meta-analysis detected by a simple, graphical test. BMJ 315, 629-634.
    Sterne JAC, Egger M (2005). Regression methods to detect publication and
    other bias in meta-analysis. In: Publication Bias in Meta-Analysis.
    """
    if model not in ("rma", "lm"):
        raise MetaAnalysisError(f"model must be 'rma' or 'lm', not {model!r}.")
    if predictor not in _PREDICTORS:
        raise MetaAnalysisError(f"predictor must be one of {', '.join(_PREDICTORS)}, not {predictor!r}.")
    yi, vi = as_yi_vi(yi, vi)
    xcol = _predictor_column(predictor, vi, ni)
    X = np.column_stack([np.ones_like(yi), xcol])
    if np.linalg.matrix_rank(X) < 2:
        raise MetaAnalysisError("Model matrix no longer of full rank after addition of predictor. "
                                "Cannot fit model.")
    alpha = 1 - level / 100
    has_limit = predictor in ("sei", "vi", "ninv", "sqrtninv")

    if model == "rma":
        from .rma import rma

        fit = rma(yi, vi, method=method, test=test, mods=xcol, level=level)
        coef = fit.coefficients
        zval, pval, dfs = float(coef.zval[1]), float(coef.pval[1]), fit.ddf
        est, lo, hi = float(coef.b[0]), float(coef.ci_lb[0]), float(coef.ci_ub[0])
    else:
        w = 1 / vi
        if not np.all(np.isfinite(w)):
            raise MetaAnalysisError("Sampling variances must be positive for the weighted regression.")
        sw = np.sqrt(w)
        coef, *_ = np.linalg.lstsq(X * sw[:, None], yi * sw, rcond=None)
        resid = yi - X @ coef
        dfs = yi.size - 2
        if dfs < 1:
            raise MetaAnalysisError("At least 3 studies are needed for the weighted regression test.")
        sigma2 = np.sum(w * resid**2) / dfs
        cov = sigma2 * np.linalg.inv(X.T @ (X * w[:, None]))
        se = np.sqrt(np.diag(cov))
        zval = float(coef[1] / se[1])
        pval = float(2 * stats.t.sf(abs(zval), dfs))
        crit = stats.t.isf(alpha / 2, dfs)
        est = float(coef[0])
        lo, hi = est - crit * se[0], est + crit * se[0]
    return RegtestResult(model=model, predictor=predictor, method=method if model == "rma" else None,
                         zval=zval, pval=pval,
                         dfs=dfs, est=est if has_limit else None,
                         ci_lb=float(lo) if has_limit else None, ci_ub=float(hi) if has_limit else None)


# -------------------------------------------------------------------- ranktest

@dataclass(frozen=True)
class RanktestResult:
    """Begg and Mazumdar's rank correlation test.

    ``tau`` is Kendall's tau-b between the standardised effects and the
    sampling variances; ``exact`` says whether ``pval`` comes from the exact
    null distribution (no ties) or the normal approximation with the ties
    correction (what R's ``cor.test`` falls back to, with a warning).
    """

    tau: float
    pval: float
    exact: bool

    def to_dict(self) -> dict:
        return json_safe(self.__dict__)


def _kendall_inversions_cdf(q: int, n: int) -> float:
    """P(T <= q) for T the number of inversions of a random permutation of n."""
    dist = np.ones(1)
    for m in range(2, n + 1):
        # adding element m spreads each count over m new positions (Mahonian numbers)
        c = np.concatenate([[0.0], np.cumsum(dist)])
        size = dist.size + m - 1
        idx = np.arange(size)
        dist = (c[np.minimum(idx + 1, dist.size)] - c[np.maximum(idx - m + 1, 0)]) / m
    if q < 0:
        return 0.0
    return float(np.sum(dist[: q + 1]))


# R's pkendall counts permutations in doubles and divides by n!, which
# overflows beyond n = 170 (cor.test returns NaN there); above that we use the
# normal approximation, which is indistinguishable at that size.
_EXACT_MAX_N = 170


def _kendall_tau_b(x: np.ndarray, y: np.ndarray) -> float:
    dx = np.sign(x[:, None] - x[None, :])
    dy = np.sign(y[:, None] - y[None, :])
    iu = np.triu_indices(x.size, 1)
    sx, sy = dx[iu], dy[iu]
    denom = math.sqrt(float(np.sum(sx != 0)) * float(np.sum(sy != 0)))
    return float(np.sum(sx * sy)) / denom if denom > 0 else float("nan")


def _tie_sizes(x: np.ndarray) -> np.ndarray:
    _, counts = np.unique(x, return_counts=True)
    return counts[counts > 1].astype(float)


def ranktest(yi, vi, exact: bool = True) -> RanktestResult:
    """Rank correlation test for funnel plot asymmetry (Begg and Mazumdar).

    Kendall's tau between the standardised deviations from the fixed-effect
    estimate, ``(yi - theta) / sqrt(vi - 1/sum(1/vi))``, and ``vi``.

    Parameters
    ----------
    yi, vi : array_like of shape (k,)
        Effect sizes and sampling variances (the fitted model does not matter).
    exact : bool
        Exact p-value when there are no ties (metafor's default); with ties
        the normal approximation with ties correction is used, as R's
        ``cor.test`` does.

    Returns
    -------
    RanktestResult

    References
    ----------
    Begg CB, Mazumdar M (1994). Operating characteristics of a rank
    correlation test for publication bias. Biometrics 50, 1088-1101.
    """
    yi, vi = as_yi_vi(yi, vi)
    n = yi.size
    if n < 2:
        raise MetaAnalysisError("not enough finite observations")
    wi = 1 / vi
    theta = np.sum(wi * yi) / np.sum(wi)
    vi_star = vi - 1 / np.sum(wi)
    x = (yi - theta) / np.sqrt(vi_star)
    y = vi
    tau = _kendall_tau_b(x, y)
    if not math.isfinite(tau):
        return RanktestResult(tau=float("nan"), pval=float("nan"), exact=False)
    ties = min(np.unique(x).size, np.unique(y).size) < n
    if exact and not ties and n <= _EXACT_MAX_N:
        q = round((tau + 1) * n * (n - 1) / 4)
        if q > n * (n - 1) / 4:
            p = 1 - _kendall_inversions_cdf(q - 1, n)
        else:
            p = _kendall_inversions_cdf(q, n)
        return RanktestResult(tau=tau, pval=min(2 * p, 1.0), exact=True)
    tx, ty = _tie_sizes(x), _tie_sizes(y)
    t0 = n * (n - 1) / 2
    t1 = np.sum(tx * (tx - 1)) / 2
    t2 = np.sum(ty * (ty - 1)) / 2
    s = tau * math.sqrt((t0 - t1) * (t0 - t2))
    v0 = n * (n - 1) * (2 * n + 5)
    vt = np.sum(tx * (tx - 1) * (2 * tx + 5))
    vu = np.sum(ty * (ty - 1) * (2 * ty + 5))
    v1 = np.sum(tx * (tx - 1)) * np.sum(ty * (ty - 1))
    v2 = np.sum(tx * (tx - 1) * (tx - 2)) * np.sum(ty * (ty - 1) * (ty - 2))
    var_s = (v0 - vt - vu) / 18 + v1 / (2 * n * (n - 1)) + v2 / (9 * n * (n - 1) * (n - 2))
    z = s / math.sqrt(var_s)
    return RanktestResult(tau=tau, pval=float(2 * stats.norm.sf(abs(z))), exact=False)


# ------------------------------------------------------------ R's uniroot

def _r_uniroot(f, lower: float, upper: float, tol: float, maxiter: int, extend_up: bool = False) -> float:
    """Root of ``f`` exactly as R's ``uniroot`` finds it (Brent's zeroin, R_zeroin2).

    metafor stops its root searches at R's default tolerance
    (``.Machine$double.eps^0.25``), so the root it reports is wherever
    zeroin stands at that point; reproducing metafor means taking the same
    steps. ``extend_up`` is ``extendInt="upX"``: widen the interval (upper
    end) until f changes sign.
    """
    f_lo, f_hi = f(lower), f(upper)
    if extend_up:
        delta = 0.01 * max(1e-4, abs(lower))
        it = 0
        while f_lo > 0:
            it += 1
            if it > maxiter:
                raise MetaAnalysisError(f"no sign change found in {it - 1} iterations")
            lower -= delta
            f_lo = f(lower)
            delta *= 2
        delta = 0.01 * max(1e-4, abs(upper))
        while f_hi < 0:
            it += 1
            if it > maxiter:
                raise MetaAnalysisError(f"no sign change found in {it - 1} iterations")
            upper += delta
            f_hi = f(upper)
            delta *= 2
    if not np.sign(f_lo) * np.sign(f_hi) <= 0:
        raise MetaAnalysisError("f() values at end points not of opposite sign")
    eps = np.finfo(float).eps
    a, b, fa, fb = lower, upper, f_lo, f_hi
    c, fc = a, fa
    if fa == 0:
        return a
    if fb == 0:
        return b
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * eps * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q, t1, t2 = fa / fc, fb / fc, fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    # R warns "_NOT_ converged" and still returns the last approximation
    return b


# -------------------------------------------------------------------- trimfill

@dataclass(frozen=True)
class TrimfillResult:
    """Trim-and-fill analysis: the estimated number of missing studies and the
    model refitted on the observed plus filled-in studies.

    ``yi``, ``vi`` and ``fill`` have shape (k + k0,): the observed studies in
    their original order, then the filled ones (``fill`` True). ``p_k0`` is
    only defined for the R0 estimator.
    """

    estimator: str
    side: str
    method: str
    k0: int
    se_k0: float
    p_k0: float | None
    k: int
    b: float
    se: float
    zval: float
    pval: float
    ci_lb: float
    ci_ub: float
    tau2: float
    QE: float
    QEp: float
    I2: float
    H2: float
    yi: np.ndarray
    vi: np.ndarray
    fill: np.ndarray

    def to_dict(self) -> dict:
        return json_safe(self.__dict__)


# metafor's default control, which trimfill.rma.uni uses for every internal
# refit (it does not pass on the fitted model's control)
_DEFAULT_THRESHOLD = 1e-5
_DEFAULT_MAXITER = 100
_DEFAULT_LL_TOL = np.finfo(float).eps ** 0.25
_FISHER_METHODS = ("REML", "ML", "EB")
_PM_METHODS = ("PM", "MP", "PMM")
# estimators whose metafor default control differs from a converged fit
_DEFAULT_CONTROL_METHODS = _FISHER_METHODS + _PM_METHODS
_DEFAULT_TAU2_MAX = 100.0


def _default_control_tau2(yi: np.ndarray, vi: np.ndarray, X: np.ndarray, method: str) -> float:
    """tau2 from metafor's Fisher scoring with its default control.

    Starts at the Hedges (HE) estimate and stops once tau2 changes by at most
    1e-5, then applies metafor's check against tau2 = 0 (ML/REML). Needed
    because metafor's trimfill fits with these defaults, which can leave tau2
    several percent from the optimum.
    """
    k, p = X.shape
    if method in _PM_METHODS:
        return _default_control_pm(yi, vi, X, method)
    # Hedges start: (y'P0 y - tr(P0 V)) / (k - p) with P0 = I - X (X'X)^-1 X'
    xtx_inv = np.linalg.inv(X.T @ X)
    resid0 = yi - X @ (xtx_inv @ (X.T @ yi))
    tau2 = (resid0 @ resid0 - (np.sum(vi) - np.trace(xtx_inv @ (X.T @ (X * vi[:, None]))))) / (k - p)
    tau2 = max(0.0, tau2)
    change = _DEFAULT_THRESHOLD + 1
    it = 0
    while change > _DEFAULT_THRESHOLD:
        it += 1
        old = tau2
        r = _Residual(vi + tau2, X, yi)
        if method == "REML":
            adj = (r.Py @ r.Py - r.trace_P()) / r.trace_PP()
        elif method == "ML":
            adj = (r.Py @ r.Py - np.sum(r.w)) / np.sum(r.w**2)
        else:  # EB
            adj = (r.yPy * k / (k - p) - k) / np.sum(r.w)
        if not np.isfinite(adj):
            adj = 0.0
        while tau2 + adj < 0:
            adj /= 2
        tau2 = tau2 + adj
        change = abs(old - tau2)
        if it > _DEFAULT_MAXITER:
            raise ConvergenceError("Fisher scoring algorithm did not converge.")
    if method in ("ML", "REML") and np.all(vi > 0):
        if _loglik(yi, vi, X, 0.0, method) - _loglik(yi, vi, X, tau2, method) > _DEFAULT_LL_TOL \
                and tau2 > _DEFAULT_THRESHOLD:
            tau2 = 0.0
    return max(0.0, tau2)


def _default_control_pm(yi: np.ndarray, vi: np.ndarray, X: np.ndarray, method: str) -> float:
    """Paule-Mandel tau2 as metafor's default control leaves it: R's uniroot at tol eps^0.25."""
    k, p = X.shape
    if not np.all(vi > 0):
        raise MetaAnalysisError(f"{method} estimator cannot be used when there are non-positive "
                                "sampling variances in the data.")
    target = stats.chi2.ppf(0.5, k - p) if method == "PMM" else k - p

    def excess(tau2: float) -> float:
        return _Residual(vi + tau2, X, yi).yPy - target

    if excess(0.0) < 0:
        return 0.0
    if excess(_DEFAULT_TAU2_MAX) > 0:
        raise MetaAnalysisError("Value of 'tau2.max' too low. Try increasing 'tau2.max' or switch to "
                                "another 'method'.")
    return max(0.0, _r_uniroot(excess, 0.0, _DEFAULT_TAU2_MAX, tol=_DEFAULT_LL_TOL, maxiter=_DEFAULT_MAXITER))


class _Residual:
    """metafor's P = W - W X (X'WX)^-1 X'W applied without forming the k x k matrix."""

    def __init__(self, v: np.ndarray, X: np.ndarray, y: np.ndarray) -> None:
        w = 1 / v
        if not np.all(np.isfinite(w)):
            raise MetaAnalysisError("Division by zero when computing the inverse variance weights.")
        self.w, self.X = w, X
        self.S = np.linalg.inv(X.T @ (X * w[:, None]))
        self.Py = w * (y - X @ (self.S @ (X.T @ (w * y))))
        self.yPy = float(y @ self.Py)

    def _cross(self, power: int) -> np.ndarray:
        return self.X.T @ (self.X * (self.w**power)[:, None])  # X' W^power X

    def trace_P(self) -> float:
        return float(np.sum(self.w) - np.trace(self.S @ self._cross(2)))

    def trace_PP(self) -> float:
        A = self.S @ self._cross(2)
        return float(np.sum(self.w**2) - 2 * np.trace(self.S @ self._cross(3)) + np.trace(A @ A))


def _loglik(yi, vi, X, tau2, method) -> float:
    w = 1 / (vi + tau2)
    WX = X * w[:, None]
    xtwx = X.T @ WX
    beta = np.linalg.solve(xtwx, WX.T @ yi)
    rss = np.sum(w * (yi - X @ beta) ** 2)
    k, p = X.shape
    if method == "ML":
        return -0.5 * k * math.log(2 * math.pi) - 0.5 * np.sum(np.log(vi + tau2)) - 0.5 * rss
    return (-0.5 * (k - p) * math.log(2 * math.pi) - 0.5 * np.sum(np.log(vi + tau2))
            - 0.5 * np.linalg.slogdet(xtwx)[1] - 0.5 * rss)


def _wls(yi, vi, X, tau2) -> np.ndarray:
    w = 1 / (vi + tau2)
    WX = X * w[:, None]
    return np.linalg.solve(X.T @ WX, WX.T @ yi)


def _slope_sign_side(yi, vi, method) -> str:
    """'right' when small studies lean left (negative slope on the SE), as metafor."""
    X = np.column_stack([np.ones_like(yi), np.sqrt(vi)])
    if method in _DEFAULT_CONTROL_METHODS:
        slope = _wls(yi, vi, X, _default_control_tau2(yi, vi, X, method))[1]
    else:
        from .rma import rma

        with warnings.catch_warnings():  # metafor: suppressWarnings()
            warnings.simplefilter("ignore")
            slope = float(rma(yi, vi, method=method, mods=np.sqrt(vi)).coefficients.b[1])
    return "right" if slope < 0 else "left"


def _pooled(yi, vi, method) -> float:
    if method in _DEFAULT_CONTROL_METHODS:
        X = np.ones((yi.size, 1))
        return float(_wls(yi, vi, X, _default_control_tau2(yi, vi, X, method))[0])
    from .rma import rma

    with warnings.catch_warnings():  # metafor: suppressWarnings()
        warnings.simplefilter("ignore")
        return float(rma(yi, vi, method=method).b)


_SUMMARY_FIELDS = ("b", "se", "zval", "pval", "ci_lb", "ci_ub", "tau2", "QE", "QEp", "I2", "H2")


def _fit_fields(fit) -> dict:
    # rma reports what metafor gives as NA (e.g. QE with a zero variance) as None
    return {name: math.nan if getattr(fit, name) is None else float(getattr(fit, name))
            for name in _SUMMARY_FIELDS}


def _refit_summary(yi, vi, method, level) -> dict:
    """The fields of the trim-and-fill refit, with metafor's default control."""
    from .rma import rma

    if method not in _DEFAULT_CONTROL_METHODS:
        with warnings.catch_warnings():  # metafor: suppressWarnings()
            warnings.simplefilter("ignore")
            return _fit_fields(rma(yi, vi, method=method, level=level))
    k = yi.size
    tau2 = _default_control_tau2(yi, vi, np.ones((k, 1)), method)
    w = 1 / (vi + tau2)
    b = np.sum(w * yi) / np.sum(w)
    se = math.sqrt(1 / np.sum(w))
    crit = stats.norm.isf((1 - level / 100) / 2)
    w0 = 1 / vi
    b0 = np.sum(w0 * yi) / np.sum(w0)
    QE = float(np.sum(w0 * (yi - b0) ** 2))
    # metafor's "typical" sampling variance, (k - 1) / tr(P) with P from 1/vi
    vt = (k - 1) / (np.sum(w0) - np.sum(w0**2) / np.sum(w0))
    return {"b": float(b), "se": se, "zval": float(b / se), "pval": float(2 * stats.norm.sf(abs(b / se))),
            "ci_lb": float(b - crit * se), "ci_ub": float(b + crit * se), "tau2": float(tau2),
            "QE": QE, "QEp": float(stats.chi2.sf(QE, k - 1)) if k > 1 else 1.0,
            "I2": float(100 * tau2 / (vt + tau2)), "H2": float((vt + tau2) / vt)}


def trimfill(yi, vi, estimator: str = "L0", side: str | None = None, method: str = "REML",
             level: float = 95, maxiter: int = 100) -> TrimfillResult:
    """Duval and Tweedie's trim-and-fill method.

    Parameters
    ----------
    yi, vi : array_like of shape (k,)
        Effect sizes and sampling variances.
    estimator : {"L0", "R0", "Q0"}
        Estimator of the number of missing studies.
    side : {"left", "right"}, optional
        Side on which studies are missing. By default, as metafor: "right"
        when the slope of a meta-regression of ``yi`` on ``sqrt(vi)`` is
        negative, else "left".
    method : str
        tau2 estimator of the model (as in :func:`analysis.stats.rma`).
    level : float
        Confidence level (percent) of the refitted model's CI.
    maxiter : int
        Maximum number of trim iterations.

    Returns
    -------
    TrimfillResult

    Notes
    -----
    metafor 3.8's ``trimfill`` fits every internal model (the side
    regression, each trimmed fit and the final fit on the filled data) with
    metafor's *default* control, not the fitted model's. For REML, ML and EB
    that is Fisher scoring stopped at a tau2 change of 1e-5, for PM, MP and
    PMM R's ``uniroot`` stopped at a tolerance of 1.2e-4; we take the same
    steps so that k0, the filled values and the refit match metafor.
    When no study is filled (k0 = 0) metafor returns the original fit, which
    here is the converged :func:`analysis.stats.rma` fit. The refit always
    uses the z test, as metafor's does.

    References
    ----------
    Duval S, Tweedie R (2000). Trim and fill: a simple funnel-plot-based
    method of testing and adjusting for publication bias in meta-analysis.
    Biometrics 56, 455-463.
    """
    if estimator not in ("L0", "R0", "Q0"):
        raise MetaAnalysisError(f"estimator must be 'L0', 'R0' or 'Q0', not {estimator!r}.")
    if side not in (None, "left", "right"):
        raise MetaAnalysisError(f"side must be 'left', 'right' or None, not {side!r}.")
    yi, vi = as_yi_vi(yi, vi)
    k = yi.size
    if k == 1:
        raise MetaAnalysisError("Stopped because k = 1.")
    if side is None:
        side = _slope_sign_side(yi, vi, method)

    flip = -1.0 if side == "right" else 1.0
    order = np.argsort(flip * yi, kind="stable")
    ys, vs = flip * yi[order], vi[order]
    k0, k0_prev, it = 0, -1, 0
    while k0 != k0_prev:
        k0_prev = k0
        it += 1
        if it > maxiter:
            raise ConvergenceError("Trim and fill algorithm did not converge.")
        beta = _pooled(ys[: k - k0], vs[: k - k0], method)
        yc = ys - beta
        # rank(abs(yc), ties.method = "first")
        ranks = np.empty(k)
        ranks[np.argsort(np.abs(yc), kind="stable")] = np.arange(1, k + 1)
        signed = np.sign(yc) * ranks
        if estimator == "R0":
            neg = -signed[signed < 0]
            if neg.size == 0:
                raise MetaAnalysisError("R0 estimator undefined: no study lies below the pooled estimate.")
            k0_raw = (k - neg.max()) - 1
            se_k0 = math.sqrt(2 * max(0.0, k0_raw) + 2)
        else:
            sr = float(np.sum(signed[signed > 0]))
            if estimator == "L0":
                k0_raw = (4 * sr - k * (k + 1)) / (2 * k - 1)
            else:
                k0_raw = k - 0.5 - math.sqrt(2 * k**2 - 4 * sr + 0.25)
            var_sr = (k * (k + 1) * (2 * k + 1) + 10 * k0_raw**3 + 27 * k0_raw**2 + 17 * k0_raw
                      - 18 * k * k0_raw**2 - 18 * k * k0_raw + 6 * k**2 * k0_raw) / 24
            if estimator == "L0":
                se_k0 = 4 * math.sqrt(var_sr) / (2 * k - 1)
            else:
                se_k0 = 2 * math.sqrt(var_sr) / math.sqrt((k - 0.5) ** 2 - k0_raw * (2 * k - k0_raw - 1))
        # R's round() halves to even, like Python's
        k0 = int(max(0, round(k0_raw)))
        se_k0 = max(0.0, se_k0)

    # metafor's 1 - sum(choose(m + 1, m + 1) * 0.5^(m + 2)), m = -1..k0-1, telescopes to this
    p_k0 = 0.5 ** (k0 + 1) if estimator == "R0" else None

    if k0 > 0:
        filled_y = flip * (2 * beta - ys[k - k0:])
        yf = np.concatenate([yi, filled_y])
        vf = np.concatenate([vi, vs[k - k0:]])
        fill = np.concatenate([np.zeros(k, bool), np.ones(k0, bool)])
        summary = _refit_summary(yf, vf, method, level)
    else:
        from .rma import rma

        summary = _fit_fields(rma(yi, vi, method=method, level=level))
        yf, vf, fill = yi.copy(), vi.copy(), np.zeros(k, bool)
    return TrimfillResult(estimator=estimator, side=side, method=method, k0=k0, se_k0=float(se_k0),
                          p_k0=p_k0, k=int(yf.size), yi=yf, vi=vf, fill=fill, **summary)


# ------------------------------------------------------------------------- fsn

@dataclass(frozen=True)
class FsnResult:
    """Fail-safe N: how many null studies would overturn the result.

    ``pval`` is the combined p-value of the observed studies (Rosenthal,
    Rosenberg); ``meanes`` the mean effect (Orwin: unweighted unless
    ``weighted``; Rosenberg: fixed-effect); ``target`` the Orwin target.
    """

    type: str
    fsnum: float
    alpha: float
    pval: float | None
    meanes: float | None
    target: float | None

    def to_dict(self) -> dict:
        return json_safe(self.__dict__)


def fsn(yi, vi=None, type: str = "Rosenthal", alpha: float = 0.05, target: float | None = None,
        weighted: bool = False, test: str = "Stouffer") -> FsnResult:
    """Fail-safe N (file drawer analysis), as metafor's ``fsn``.

    Parameters
    ----------
    yi : array_like of shape (k,)
        Effect sizes.
    vi : array_like of shape (k,), optional
        Sampling variances; not needed for unweighted Orwin.
    type : {"Rosenthal", "Orwin", "Rosenberg"}
        Rosenthal (1979): studies averaging a null z to push the combined
        one-sided p above ``alpha``. Orwin (1983): studies with effect 0
        that bring the mean effect down to ``target`` (default half the
        observed mean). Rosenberg (2005): studies that make the weighted
        fixed-effect estimate non-significant at two-sided ``alpha``.
    alpha : float
        Significance level.
    target : float, optional
        Orwin's target effect.
    weighted : bool
        Orwin: use the inverse-variance weighted mean.
    test : {"Stouffer", "Fisher"}
        How Rosenthal's method combines p-values.

    Returns
    -------
    FsnResult
        ``fsnum`` is rounded up to a whole number of studies (infinite when
        the Orwin target is 0).

    Notes
    -----
    metafor's "REM" type (Bayesian-simulation based) is not offered; it is
    random and cannot be reproduced exactly.
    """
    if type not in ("Rosenthal", "Orwin", "Rosenberg"):
        raise MetaAnalysisError(f"type must be 'Rosenthal', 'Orwin' or 'Rosenberg', not {type!r}.")
    if test not in ("Stouffer", "Fisher"):
        raise MetaAnalysisError(f"test must be 'Stouffer' or 'Fisher', not {test!r}.")
    needs_vi = type != "Orwin" or weighted
    if needs_vi and vi is None:
        raise MetaAnalysisError("Must specify 'vi' or 'sei' argument.")
    yi, vi = as_yi_vi(yi, vi if vi is not None else np.zeros(np.size(yi)))
    k = yi.size
    pval = meanes = None
    out_target = None
    if type == "Rosenthal" and test == "Stouffer":
        z_avg = abs(np.sum(yi / np.sqrt(vi)) / math.sqrt(k))
        pval = float(stats.norm.sf(z_avg))
        fsnum = max(0.0, k * (z_avg / stats.norm.isf(alpha)) ** 2 - k)
    elif type == "Rosenthal":
        pi = stats.norm.sf(np.abs(yi / np.sqrt(vi)))

        def excess(n_null: float) -> float:
            # metafor's rep(0.5, n) adds floor(n) null p-values while the df
            # grow continuously; the root found depends on that step function
            chi = -2 * (np.sum(np.log(pi)) + math.floor(n_null) * math.log(0.5))
            return float(stats.chi2.sf(chi, 2 * (k + n_null)) - alpha)

        pval = excess(0.0) + alpha
        if pval >= alpha:
            fsnum = 0.0
        else:
            fsnum = _r_uniroot(excess, 0.0, 1000.0, tol=np.finfo(float).eps ** 0.25, maxiter=1000,
                               extend_up=True)
    elif type == "Orwin":
        if weighted:
            w = 1 / vi
            meanes = float(np.sum(w * yi) / np.sum(w))
        else:
            meanes = float(np.mean(yi))
        out_target = meanes / 2 if target is None else float(target)
        if out_target == 0:
            fsnum = math.inf
        else:
            if np.sign(out_target) != np.sign(meanes):
                out_target = -out_target
            fsnum = max(0.0, k * (meanes - out_target) / out_target)
    else:
        w = 1 / vi
        meanes = float(np.sum(w * yi) / np.sum(w))
        zval = meanes / math.sqrt(1 / np.sum(w))
        w_p = (np.sum(w * yi) / stats.norm.isf(alpha / 2)) ** 2 - np.sum(w)
        pval = float(2 * stats.norm.sf(abs(zval)))
        fsnum = max(0.0, k * w_p / np.sum(w))
    if math.isfinite(fsnum) and abs(fsnum - round(fsnum)) >= np.finfo(float).eps ** 0.5:
        fsnum = float(math.ceil(fsnum))
    else:
        fsnum = float(round(fsnum)) if math.isfinite(fsnum) else fsnum
    return FsnResult(type=type, fsnum=fsnum, alpha=alpha, pval=pval, meanes=meanes, target=out_target)
