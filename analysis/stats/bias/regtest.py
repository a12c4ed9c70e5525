"""Egger's regression test for funnel-plot asymmetry, as metafor's regtest."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from .._inputs import as_yi_vi, json_safe
from ..errors import MetaAnalysisError
from ..rma import rma
from ..wls import Wls


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

    def to_dict(self) -> dict[str, Any]:
        return dict(json_safe(self.__dict__))


_PREDICTORS = ("sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv")


def _predictor_column(predictor: str, vi: np.ndarray, ni: ArrayLike | None) -> np.ndarray:
    if predictor == "sei":
        return np.asarray(np.sqrt(vi))
    if predictor == "vi":
        return vi
    if ni is None:
        raise MetaAnalysisError("No sample size information available to use this predictor.")
    n = np.asarray(ni, dtype=float).ravel()
    if n.size != vi.size:
        raise MetaAnalysisError("Length of 'yi' and 'ni' is not the same.")
    columns: dict[str, np.ndarray] = {"ni": n, "ninv": 1 / n, "sqrtni": np.sqrt(n), "sqrtninv": 1 / np.sqrt(n)}
    return columns[predictor]


def regtest(yi: ArrayLike, vi: ArrayLike, model: str = "rma", predictor: str = "sei", method: str = "REML",
            test: str = "z", level: float = 95, ni: ArrayLike | None = None) -> RegtestResult:
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
        fit = rma(yi, vi, method=method, test=test, mods=xcol, level=level)
        table = fit.coefficients
        zval, pval, dfs = float(table.zval[1]), float(table.pval[1]), fit.ddf
        est, lo, hi = float(table.b[0]), float(table.ci_lb[0]), float(table.ci_ub[0])
    else:
        if not np.all(vi > 0):
            raise MetaAnalysisError("Sampling variances must be positive for the weighted regression.")
        dfs = yi.size - 2
        if dfs < 1:
            raise MetaAnalysisError("At least 3 studies are needed for the weighted regression test.")
        # lm(yi ~ X, weights = 1/vi): the engine's weighted least squares, its residual
        # sum of squares Q over k - 2 as the multiplicative dispersion
        wls = Wls(X, 1 / vi, yi)
        beta = wls.beta
        se = np.sqrt(np.diag(wls.S) * (wls.Q / dfs))
        zval = float(beta[1] / se[1])
        pval = float(2 * stats.t.sf(abs(zval), dfs))
        crit = stats.t.isf(alpha / 2, dfs)
        est = float(beta[0])
        lo, hi = est - crit * se[0], est + crit * se[0]
    return RegtestResult(model=model, predictor=predictor, method=method if model == "rma" else None,
                         zval=zval, pval=pval,
                         dfs=dfs, est=est if has_limit else None,
                         ci_lb=float(lo) if has_limit else None, ci_ub=float(hi) if has_limit else None)
