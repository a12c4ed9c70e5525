"""Duval and Tweedie's trim and fill, as metafor's trimfill."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._inputs import as_yi_vi, json_safe
from ..errors import ConvergenceError, MetaAnalysisError
from ..rma import RmaResult, rma
from ..tau2 import METAFOR_DEFAULT


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


def _fit(yi: np.ndarray, vi: np.ndarray, method: str, level: float = 95, mods: Any = None) -> RmaResult:
    """One of trimfill's internal fits: the engine's :func:`rma` with metafor's default control,
    which ``trimfill.rma.uni`` uses for every model it fits (not the fitted model's control)."""
    with warnings.catch_warnings():  # metafor: suppressWarnings()
        warnings.simplefilter("ignore")
        return rma(yi, vi, method=method, level=level, mods=mods, control=METAFOR_DEFAULT)


def _slope_sign_side(yi: np.ndarray, vi: np.ndarray, method: str) -> str:
    """'right' when small studies lean left (negative slope on the SE), as metafor."""
    slope = _fit(yi, vi, method, mods=np.sqrt(vi)).coefficients.b[1]
    return "right" if slope < 0 else "left"


_SUMMARY_FIELDS = ("b", "se", "zval", "pval", "ci_lb", "ci_ub", "tau2", "QE", "QEp", "I2", "H2")


def _fit_fields(fit: RmaResult) -> dict[str, float]:
    # rma reports what metafor gives as NA (e.g. QE with a zero variance) as None
    return {name: math.nan if getattr(fit, name) is None else float(getattr(fit, name))
            for name in _SUMMARY_FIELDS}


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
    PMM R's ``uniroot`` stopped at a tolerance of 1.2e-4, for DLIT and SJIT
    their iterations stopped at a change of 1e-5; these are the engine's
    :func:`analysis.stats.rma` fits with ``control=METAFOR_DEFAULT``, which
    take the same steps, so that k0, the filled values and the refit match
    metafor.
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
        beta = _fit(ys[: k - k0], vs[: k - k0], method).b
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
        summary = _fit_fields(_fit(yf, vf, method, level))
    else:
        summary = _fit_fields(rma(yi, vi, method=method, level=level))
        yf, vf, fill = yi.copy(), vi.copy(), np.zeros(k, bool)
    return TrimfillResult(estimator=estimator, side=side, method=method, k0=k0, se_k0=float(se_k0),
                          p_k0=p_k0, k=int(yf.size), yi=yf, vi=vf, fill=fill, **summary)
