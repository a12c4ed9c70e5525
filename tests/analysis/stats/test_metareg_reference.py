"""Meta-regression and subgroup analyses against metafor 3.8-1.

Every stored meta-regression (continuous and categorical moderators, each
tau2 method with z and Knapp-Hartung tests) is a test, with the coefficient
table, QM, R2, residual heterogeneity and, for continuous moderators,
predict() at three moderator values.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from analysis.stats import rma, subgroup_analysis
from tests.analysis.stats.reference import (
    ATOL,
    ATOL_PERCENT,
    ATOL_TAU2,
    _load,
    available,
    numbers,
    reference,
)
from tests.analysis.stats.test_rma_reference import assert_close


def _outcomes(entry: dict) -> tuple[list[float], list[float]]:
    """The yi and vi the entry's fits used (make_ref.R stores them with each meta-regression)."""
    return entry["yi"], entry["vi"]


def _moderators(entry: dict) -> dict[str, list]:
    return {
        name: [np.nan if v is None else v for v in values]
        for name, values in entry["moderator_values"].items()
    }


def _cases() -> list:
    if not available():
        return [pytest.param(None, None, id="reference-missing")]
    return [
        pytest.param(label, key, id=f"{label}-{key}")
        for label, entry in _load()["metareg"].items()
        for key in entry["fits"]
    ]


@pytest.mark.parametrize(("label", "key"), _cases())
def test_meta_regression_matches_metafor(label: str, key: str) -> None:
    entry = reference()["metareg"][label]
    ref = entry["fits"][key]
    method, test = key.split("|")
    yi, vi = _outcomes(entry)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = rma(yi, vi, method=method, test=test, mods=_moderators(entry))
    assert ref["ok"]
    assert res.k == ref["k"] and res.p == ref["p"]
    coef = ref["coef"]
    assert list(res.coefficients.names) == coef["names"]
    for ours, theirs in [("b", "estimate"), ("se", "se"), ("zval", "zval"), ("pval", "pval"),
                         ("ci_lb", "ci.lb"), ("ci_ub", "ci.ub")]:
        assert_close(getattr(res.coefficients, ours), coef[theirs], f"coef {ours}")
    assert res.QMdf == (int(ref["QMdf"][0]), None if ref["QMdf"][1] is None else int(ref["QMdf"][1]))
    for ours, atol in [("QM", ATOL), ("QMp", ATOL), ("tau2", ATOL_TAU2), ("I2", ATOL_PERCENT),
                       ("H2", ATOL), ("QE", ATOL), ("QEp", ATOL), ("s2w", ATOL), ("R2", ATOL_PERCENT)]:
        assert_close(getattr(res, ours), ref[ours], ours, atol=atol)
    if ref["se.tau2"] is None:
        assert res.se_tau2 is None
    else:
        assert_close(res.se_tau2, ref["se.tau2"], "se_tau2", atol=ATOL_TAU2)
    if "predict" in ref:
        pr = res.predict(numbers(ref["predict"]["newmods"]))
        for ours, theirs in [("pred", "pred"), ("se", "se"), ("ci_lb", "ci.lb"), ("ci_ub", "ci.ub")]:
            assert_close(getattr(pr, ours), ref["predict"][theirs], f"predict {ours}")
        if ref["predict"]["pi.lb"] is None:
            # metafor gives no PI for models without a random effect; ours equals the CI
            assert pr.pi_lb == pr.ci_lb and pr.pi_ub == pr.ci_ub
        else:
            assert_close(pr.pi_lb, ref["predict"]["pi.lb"], "predict pi_lb")
            assert_close(pr.pi_ub, ref["predict"]["pi.ub"], "predict pi_ub")


def test_every_meta_regression_carries_its_outcomes() -> None:
    """Each entry's yi, vi and moderator columns have one value per study."""
    for label, entry in reference()["metareg"].items():
        k = len(entry["yi"])
        assert k > 1 and len(entry["vi"]) == k, label
        for name, values in entry["moderator_values"].items():
            assert len(values) == k, f"{label} {name}"


def _subgroup_cases() -> list:
    if not available():
        return [pytest.param(None, None, id="reference-missing")]
    return [
        pytest.param(label, method, id=f"{label}-{method}")
        for label, entry in _load()["metareg"].items()
        for method in entry.get("subgroups", {})
    ]


@pytest.mark.parametrize(("label", "method"), _subgroup_cases())
def test_subgroup_analysis_matches_metafor(label: str, method: str) -> None:
    """Separate tau2 per subgroup and the fixed-effect test between them, on the entry's own
    outcomes grouped by its categorical moderator."""
    entry = reference()["metareg"][label]
    sg = entry["subgroups"][method]
    yi, vi = _outcomes(entry)
    groups = list(entry["moderator_values"].values())[0]
    res = subgroup_analysis(yi, vi, groups, method=method)
    assert list(res.levels) == sg["levels"]
    assert res.df == sg["Q_between_df"]
    assert_close(res.Q_between, sg["Q_between"], "Q_between")
    assert_close(res.p, sg["Q_between_p"], "Q_between p")
    for level in res.levels:
        fit, ref = res.fits[level], sg["per_group"][level]
        assert fit.k == ref["k"]
        for ours, theirs in [("b", "b"), ("se", "se"), ("ci_lb", "ci.lb"), ("ci_ub", "ci.ub"),
                             ("pi_lb", "pi.lb"), ("pi_ub", "pi.ub"), ("QE", "QE"), ("I2", "I2")]:
            atol = ATOL_PERCENT if ours == "I2" else ATOL
            assert_close(getattr(fit, ours), ref[theirs], f"{level} {ours}", atol=atol)
        assert_close(fit.tau2, ref["tau2"], f"{level} tau2", atol=ATOL_TAU2)
    # the common-tau2 alternative: one mixed-effects model with the factor
    assert res.mixed is not None
    assert res.mixed.QMdf[0] == len(res.levels) - 1
    assert res.mixed.k == len(yi)
