"""Fail-safe N (Rosenthal, Orwin, Rosenberg), as metafor's fsn."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from .._inputs import as_yi_vi, json_safe
from ..errors import MetaAnalysisError
from ..uniroot import r_uniroot
from ..wls import Wls


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

    def to_dict(self) -> dict[str, Any]:
        return dict(json_safe(self.__dict__))


def fsn(yi: ArrayLike, vi: ArrayLike | None = None, type: str = "Rosenthal", alpha: float = 0.05,
        target: float | None = None, weighted: bool = False, test: str = "Stouffer") -> FsnResult:
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
            fsnum = r_uniroot(excess, 0.0, 1000.0, tol=np.finfo(float).eps ** 0.25, maxiter=1000,
                               extend_up=True)
    elif type == "Orwin":
        if weighted:
            meanes = Wls(None, 1 / vi, yi).mu
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
        fixed = Wls(None, 1 / vi, yi)  # the fixed-effect fit
        meanes, sw = fixed.mu, fixed.sw
        zval = meanes / math.sqrt(1 / sw)
        w_p = (meanes * sw / stats.norm.isf(alpha / 2)) ** 2 - sw
        pval = float(2 * stats.norm.sf(abs(zval)))
        fsnum = max(0.0, k * w_p / sw)
    if math.isfinite(fsnum) and abs(fsnum - round(fsnum)) >= np.finfo(float).eps ** 0.5:
        fsnum = float(math.ceil(fsnum))
    else:
        fsnum = float(round(fsnum)) if math.isfinite(fsnum) else fsnum
    return FsnResult(type=type, fsnum=fsnum, alpha=alpha, pval=pval, meanes=meanes, target=out_target)
