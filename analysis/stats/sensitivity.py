"""Leave-one-out sensitivity analysis, as metafor's ``leave1out.rma.uni``.

Each study is dropped in turn and the same model (tau2 estimator, test,
level) is refitted on the remaining k - 1 studies.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._inputs import as_yi_vi, json_safe
from .errors import MetaAnalysisError

__all__ = ["Leave1outResult", "leave1out"]


@dataclass(frozen=True)
class Leave1outResult:
    """Refits with one study left out; every array has shape (k,).

    Entry ``i`` is the fit without study ``i``. ``zval`` is the t statistic
    when the test is "knha" (metafor names it ``tval`` then). A refit that
    fails (for instance too few studies for the estimator) gives NaN, as
    metafor gives NA.
    """

    method: str
    test: str
    estimate: np.ndarray
    se: np.ndarray
    zval: np.ndarray
    pval: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray
    Q: np.ndarray
    Qp: np.ndarray
    tau2: np.ndarray
    I2: np.ndarray
    H2: np.ndarray
    labels: tuple[str, ...] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        return dict(json_safe(self.__dict__))


_FIELDS = ("estimate", "se", "zval", "pval", "ci_lb", "ci_ub", "Q", "Qp", "tau2", "I2", "H2")
# where each leave1out column comes from in the refit
_SOURCE = {"estimate": "b", "Q": "QE", "Qp": "QEp"}


def leave1out(yi: ArrayLike, vi: ArrayLike, method: str = "REML", test: str = "z", level: float = 95,
              labels: Sequence[str] | None = None) -> Leave1outResult:
    """Refit the random-effects model k times, each time without one study.

    Parameters
    ----------
    yi, vi : array_like of shape (k,)
        Effect sizes and their sampling variances.
    method : str
        tau2 estimator passed to :func:`analysis.stats.rma` ("REML", "DL", "FE", ...).
    test : {"z", "knha"}
        Test and CI type of each refit.
    level : float
        Confidence level in percent.
    labels : sequence of str, optional
        Study labels, kept in the result for display.

    Returns
    -------
    Leave1outResult

    Raises
    ------
    ValueError
        When k = 1 (metafor: "Stopped because k = 1.").

    References
    ----------
    Viechtbauer W, Cheung MW-L (2010). Outlier and influence diagnostics for
    meta-analysis. Research Synthesis Methods 1, 112-125.
    """
    from .rma import rma

    yi, vi = as_yi_vi(yi, vi)
    k = yi.size
    if k == 1:
        raise MetaAnalysisError("Stopped because k = 1.")
    out = {name: np.full(k, np.nan) for name in _FIELDS}
    keep = np.ones(k, dtype=bool)
    for i in range(k):
        keep[i] = False
        try:
            with warnings.catch_warnings():  # metafor: try(suppressWarnings(...))
                warnings.simplefilter("ignore")
                fit = rma(yi[keep], vi[keep], method=method, test=test, level=level)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            fit = None  # metafor leaves NA for a refit that fails
        keep[i] = True
        if fit is None:
            continue
        for name in _FIELDS:
            value = getattr(fit, _SOURCE.get(name, name))
            out[name][i] = np.nan if value is None else float(value)
    return Leave1outResult(method=method, test=test,
                           labels=None if labels is None else tuple(str(s) for s in labels),
                           **out)
