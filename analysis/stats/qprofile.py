"""Q-profile confidence interval for tau² (metafor ``confint.rma.uni``, type "QP").

The bounds are the tau² values at which the generalised Q statistic equals
the upper and lower chi-square quantiles on k - p degrees of freedom.
Conventions follow metafor at the edges of the search interval
``[0, max(100, 10 tau²)]``:

* Q(0) below the lower quantile: both bounds are 0 (signs "<", "<"), the
  interval is "null".
* Q(0) below the upper quantile only: the lower bound is 0 (no sign).
* Q(upper) above a quantile: that bound is the search limit (sign ">").

Reference: Viechtbauer W (2007). Confidence intervals for the amount of
heterogeneity in meta-analysis. Stat Med 26:37-52.
"""
from __future__ import annotations

from dataclasses import dataclass

from scipy import special

from .tau2 import solve_generalized_q
from .wls import Array, FitCache


@dataclass(frozen=True)
class Tau2Interval:
    """Bounds of the Q-profile interval and metafor's ``lb.sign``/``ub.sign``.

    A sign of ">" means the bound lies beyond the search limit that is
    reported; "<" means the true interval lies below the reported 0.
    """

    lb: float
    ub: float
    lb_sign: str
    ub_sign: str

    @property
    def null(self) -> bool:
        """metafor's ``ci.null``: the whole interval collapses onto 0."""
        return self.lb_sign == "<" and self.ub_sign == "<" and self.lb <= 0


def tau2_qprofile(
    y: Array, v: Array, X: Array | None, tau2: float, alpha: float,
    fits: FitCache | None = None,
) -> Tau2Interval:
    """Q-profile interval for tau² at confidence ``1 - alpha``.

    Parameters
    ----------
    y, v : ndarray of shape (k,)
        Outcomes and (positive) sampling variances.
    X : ndarray of shape (k, p), or None
        Design matrix (None: intercept only).
    tau2 : float
        The model's estimate; it sets the search limit ``max(100, 10 tau²)``.
    alpha : float
        1 - confidence level, e.g. 0.05.
    fits : FitCache, optional
        Fits of ``(y, v, X)`` already computed for the model.
    """
    if fits is None:
        fits = FitCache(X, v, y)
    k = y.shape[0]
    p = 1 if X is None else X.shape[1]
    df = k - p
    crit_u = float(special.chdtri(df, alpha / 2))       # upper alpha/2 quantile
    crit_l = float(special.chdtri(df, 1 - alpha / 2))   # lower alpha/2 quantile
    t_min = min(0.0, tau2)
    t_max = max(100.0, 10.0 * tau2, 10.0 * t_min)
    q_min = fits(t_min).Q
    q_max = fits(t_max).Q

    lb_sign = ub_sign = ""
    if q_min < crit_l:
        lb = ub = t_min
        lb_sign = ub_sign = "<"
    else:
        if q_max > crit_l:
            ub, ub_sign = t_max, ">"
        else:
            ub = solve_generalized_q(fits, crit_l, t_min, t_max)
    if q_max > crit_u:
        lb = ub = t_max
        lb_sign = ub_sign = ">"
    elif q_min < crit_u:
        lb = t_min
        if t_min > 0:
            lb_sign = "<"
    else:
        lb = solve_generalized_q(fits, crit_u, t_min, t_max)
    return Tau2Interval(lb, ub, lb_sign, ub_sign)
