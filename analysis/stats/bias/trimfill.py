"""Duval and Tweedie's trim and fill, as metafor's trimfill."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from .._inputs import as_yi_vi, json_safe
from ..errors import ConvergenceError, MetaAnalysisError
from .uniroot import r_uniroot

if TYPE_CHECKING:
    from ..rma import RmaResult


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

    def to_dict(self) -> dict[str, Any]:
        return dict(json_safe(self.__dict__))


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
    return max(0.0, float(tau2))


def _default_control_pm(yi: np.ndarray, vi: np.ndarray, X: np.ndarray, method: str) -> float:
    """Paule-Mandel tau2 as metafor's default control leaves it: R's uniroot at tol eps^0.25."""
    k, p = X.shape
    if not np.all(vi > 0):
        raise MetaAnalysisError(f"{method} estimator cannot be used when there are non-positive "
                                "sampling variances in the data.")
    target = stats.chi2.ppf(0.5, k - p) if method == "PMM" else k - p

    def excess(tau2: float) -> float:
        return float(_Residual(vi + tau2, X, yi).yPy - target)

    if excess(0.0) < 0:
        return 0.0
    if excess(_DEFAULT_TAU2_MAX) > 0:
        raise MetaAnalysisError("Value of 'tau2.max' too low. Try increasing 'tau2.max' or switch to "
                                "another 'method'.")
    return max(0.0, r_uniroot(excess, 0.0, _DEFAULT_TAU2_MAX, tol=_DEFAULT_LL_TOL, maxiter=_DEFAULT_MAXITER))


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


def _loglik(yi: np.ndarray, vi: np.ndarray, X: np.ndarray, tau2: float, method: str) -> float:
    w = 1 / (vi + tau2)
    WX = X * w[:, None]
    xtwx = X.T @ WX
    beta = np.linalg.solve(xtwx, WX.T @ yi)
    rss = np.sum(w * (yi - X @ beta) ** 2)
    k, p = X.shape
    if method == "ML":
        return float(-0.5 * k * math.log(2 * math.pi) - 0.5 * np.sum(np.log(vi + tau2)) - 0.5 * rss)
    return float(-0.5 * (k - p) * math.log(2 * math.pi) - 0.5 * np.sum(np.log(vi + tau2))
            - 0.5 * np.linalg.slogdet(xtwx)[1] - 0.5 * rss)


def _wls(yi: np.ndarray, vi: np.ndarray, X: np.ndarray, tau2: float) -> np.ndarray:
    w = 1 / (vi + tau2)
    WX = X * w[:, None]
    return np.linalg.solve(X.T @ WX, WX.T @ yi)


def _slope_sign_side(yi: np.ndarray, vi: np.ndarray, method: str) -> str:
    """'right' when small studies lean left (negative slope on the SE), as metafor."""
    X = np.column_stack([np.ones_like(yi), np.sqrt(vi)])
    if method in _DEFAULT_CONTROL_METHODS:
        slope = _wls(yi, vi, X, _default_control_tau2(yi, vi, X, method))[1]
    else:
        from ..rma import rma

        with warnings.catch_warnings():  # metafor: suppressWarnings()
            warnings.simplefilter("ignore")
            slope = float(rma(yi, vi, method=method, mods=np.sqrt(vi)).coefficients.b[1])
    return "right" if slope < 0 else "left"


def _pooled(yi: np.ndarray, vi: np.ndarray, method: str) -> float:
    if method in _DEFAULT_CONTROL_METHODS:
        X = np.ones((yi.size, 1))
        return float(_wls(yi, vi, X, _default_control_tau2(yi, vi, X, method))[0])
    from ..rma import rma

    with warnings.catch_warnings():  # metafor: suppressWarnings()
        warnings.simplefilter("ignore")
        return float(rma(yi, vi, method=method).b)


_SUMMARY_FIELDS = ("b", "se", "zval", "pval", "ci_lb", "ci_ub", "tau2", "QE", "QEp", "I2", "H2")


def _fit_fields(fit: RmaResult) -> dict[str, float]:
    # rma reports what metafor gives as NA (e.g. QE with a zero variance) as None
    return {name: math.nan if getattr(fit, name) is None else float(getattr(fit, name))
            for name in _SUMMARY_FIELDS}


def _refit_summary(yi: np.ndarray, vi: np.ndarray, method: str, level: float) -> dict[str, Any]:
    """The fields of the trim-and-fill refit, with metafor's default control."""
    from ..rma import rma

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


def trimfill(yi: ArrayLike, vi: ArrayLike, estimator: str = "L0", side: str | None = None, method: str = "REML",
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
        from ..rma import rma

        summary = _fit_fields(rma(yi, vi, method=method, level=level))
        yf, vf, fill = yi.copy(), vi.copy(), np.zeros(k, bool)
    return TrimfillResult(estimator=estimator, side=side, method=method, k0=k0, se_k0=float(se_k0),
                          p_k0=p_k0, k=int(yf.size), yi=yf, vi=vf, fill=fill, **summary)
