"""Subgroup analysis and the test for subgroup differences.

Two conventions are offered, because reviews use both:

* ``separate`` (the result's main fields, as RevMan / the Cochrane
  Handbook): each subgroup is pooled on its own, with its own tau², and the
  subgroup estimates are compared with a fixed-effect Q test,
  ``Q_between = sum w_g (b_g - b_bar)²`` with ``w_g = 1/se_g²``, on
  G - 1 degrees of freedom.  This is what metafor gives with
  ``rma(b_g, sei=se_g, method="FE")$QE``.
* ``common`` (``SubgroupResult.mixed``): a mixed-effects meta-regression
  on the dummy-coded subgroup factor, with one tau² shared by all
  subgroups; the omnibus moderator test QM (chi-square on G - 1 df, or F
  under Knapp-Hartung) tests the differences.

Reference: Borenstein M, Higgins JPT (2013). Meta-analysis and subgroups.
Prev Sci 14:134-143.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import MetaAnalysisError
from .rma import RmaResult, rma


@dataclass(frozen=True)
class SubgroupResult:
    """Per-subgroup fits and the test for subgroup differences.

    ``fits`` maps each level (in sorted order) to its own model; levels
    that could not be fitted are in ``errors`` and left out of the test.
    ``Q_between``, ``df`` and ``p`` are the separate-tau² test; ``mixed``
    is the common-tau² meta-regression (None when it cannot be fitted,
    with the reason in ``mixed_error``).
    """

    levels: tuple[str, ...]
    fits: dict[str, RmaResult]
    errors: dict[str, str]
    Q_between: float
    df: int
    p: float
    mixed: RmaResult | None
    mixed_error: str | None = None
    convention: str = field(default="separate tau2 per subgroup; fixed-effect Q test between")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (floats, lists, dicts)."""
        return {
            "levels": list(self.levels),
            "fits": {lv: r.to_dict() for lv, r in self.fits.items()},
            "errors": dict(self.errors),
            "Q_between": self.Q_between,
            "df": self.df,
            "p": self.p,
            "mixed": None if self.mixed is None else self.mixed.to_dict(),
            "mixed_error": self.mixed_error,
            "convention": self.convention,
        }


def subgroup_analysis(
    yi: Any, vi: Any, groups: Any, method: str = "REML", test: str = "z", level: float = 95,
) -> SubgroupResult:
    """Fit ``rma`` within each subgroup and test whether the subgroups differ.

    Parameters
    ----------
    yi, vi : array_like of shape (k,)
        Effect sizes and sampling variances.
    groups : array_like of shape (k,)
        Subgroup label of each study (missing labels leave the study out).
    method, test, level
        As for :func:`analysis.stats.rma`, used in every subgroup and in
        the mixed-effects model.

    Returns
    -------
    SubgroupResult
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    labels = np.array([None if g is None or (isinstance(g, float) and np.isnan(g)) else str(g)
                       for g in groups], dtype=object)
    if not (y.shape == v.shape == labels.shape):
        raise MetaAnalysisError("yi, vi and groups must have the same length.")
    present = np.array([g is not None for g in labels])
    levels = tuple(sorted({g for g in labels[present]}))
    fits: dict[str, RmaResult] = {}
    errors: dict[str, str] = {}
    for level_name in levels:
        idx = labels == level_name
        try:
            fits[level_name] = rma(y[idx], v[idx], method=method, test=test, level=level)
        except MetaAnalysisError as exc:
            errors[level_name] = str(exc)
    if len(fits) < 2:
        raise MetaAnalysisError(
            "A test for subgroup differences needs at least two subgroups that can be fitted"
            + (f" (failed: {errors})" if errors else "") + "."
        )
    est = np.array([r.b for r in fits.values()])
    se = np.array([r.se for r in fits.values()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        between = rma(est, sei=se, method="FE")
    # every subgroup's estimate has a positive variance, so the common-effect fit has its Q
    assert between.QE is not None and between.QEp is not None
    Q, df, pval = float(between.QE), len(fits) - 1, float(between.QEp)
    mixed = mixed_error = None
    try:
        mixed = rma(y[present], v[present], method=method, test=test, level=level,
                    mods={"group": list(labels[present])})
    except MetaAnalysisError as exc:
        mixed_error = str(exc)
    return SubgroupResult(levels, fits, errors, Q, df, pval, mixed, mixed_error)
