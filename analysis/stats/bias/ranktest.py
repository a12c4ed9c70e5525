"""Begg and Mazumdar's rank correlation test, as metafor's ranktest."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from .._inputs import as_yi_vi, json_safe
from ..errors import MetaAnalysisError
from ..wls import Wls


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

    def to_dict(self) -> dict[str, Any]:
        return dict(json_safe(self.__dict__))


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


def ranktest(yi: ArrayLike, vi: ArrayLike, exact: bool = True) -> RanktestResult:
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
    fixed = Wls(None, 1 / vi, yi)  # the fixed-effect fit: its estimate and its variance 1/sum(w)
    vi_star = vi - 1 / fixed.sw
    x = (yi - fixed.mu) / np.sqrt(vi_star)
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
