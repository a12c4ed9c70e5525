"""rma() at the edges: metafor's answer or metafor's refusal, never a silent NaN.

Expected numbers come from metafor 3.8-1 with
``control=list(threshold=1e-12, maxiter=10000, tol=1e-12)``; each R call is
written beside its values.
"""
from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

from analysis.stats import MetaAnalysisError, rma, subgroup_analysis

RTOL = 1e-9  # closed forms or converged solutions: far tighter than the 1e-6 target


def quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rma(*args, **kwargs)


def test_a_single_study_is_its_own_estimate_without_heterogeneity() -> None:
    # rma(0.5, 0.04): b=0.5, se=0.2, tau2=0, QE=0, QEp=1, I2=0, H2=1; confint() refuses
    res = rma([0.5], [0.04])
    assert (res.b, res.se, res.tau2, res.QE, res.QEp, res.I2, res.H2) == pytest.approx((0.5, 0.2, 0, 0, 1, 0, 1))
    assert res.ci_lb == pytest.approx(0.1080072030919893, rel=RTOL)
    assert res.tau2_ci is None and res.se_tau2 is None


def test_a_single_study_falls_back_to_the_z_test() -> None:
    with pytest.warns(RuntimeWarning, match='test="z" since k=1'):
        res = rma([0.5], [0.04], test="knha")
    assert res.test == "z"


@pytest.mark.parametrize(
    ("method", "b", "se", "tau2", "I2"),
    [
        # rma(c(0.1, 0.9), c(0.04, 0.09), method=...)
        ("REML", 0.46875000000000011, 0.39877742852373188, 0.255, 79.6875),
        ("DL", 0.46875000000000022, 0.39877742852373183, 0.255, 79.6875),
        ("PM", 0.46875000000000022, 0.39877742852373171, 0.255, 79.6875),
        ("ML", 0.43585005740859256, 0.27556797115557818, 0.090884784865566087, 58.30253731558502),
    ],
)
def test_two_studies(method: str, b: float, se: float, tau2: float, I2: float) -> None:
    res = rma([0.1, 0.9], [0.04, 0.09], method=method)
    assert (res.b, res.se, res.tau2, res.I2) == pytest.approx((b, se, tau2, I2), rel=RTOL)
    assert res.QE == pytest.approx(4.9230769230769234, rel=RTOL)
    # confint(): Q(100) is still above the lower quantile, so the upper bound
    # is the search limit, flagged ">"
    assert res.tau2_ci == (0.0, 100.0)
    assert res.tau2_ci_signs == ("", ">")


def test_homogeneous_studies_put_tau2_on_the_boundary() -> None:
    # rma(c(.10,.12,.11,.13,.09), rep(.01, 5)): tau2 = 0, QE = 0.1, confint = (0, 0) with "<" "<"
    y, v = [0.10, 0.12, 0.11, 0.13, 0.09], [0.01] * 5
    res = rma(y, v)
    assert res.tau2 == 0.0 and res.I2 == 0.0 and res.H2 == 1.0
    assert res.b == pytest.approx(0.11, rel=RTOL)
    assert res.se == pytest.approx(0.044721359549995794, rel=RTOL)
    assert res.QEp == pytest.approx(0.99879089572574964, rel=RTOL)
    assert res.tau2_ci == (0.0, 0.0) and res.tau2_ci_signs == ("<", "<")
    assert rma(y, v, method="PM").se_tau2 == pytest.approx(0.0070710678118654753, rel=RTOL)
    # rma(..., method="DL", test="knha"): s2w = 0.025 (not truncated at 1)
    knha = rma(y, v, method="DL", test="knha")
    assert (knha.se, knha.zval, knha.pval, knha.s2w) == pytest.approx(
        (0.0070710678118654762, 15.556349186104043, 9.9689685871835049e-05, 0.025), rel=RTOL
    )


Y0, V0 = [0.2, 0.5, 0.3, 0.8], [0.0, 0.02, 0.03, 0.05]


@pytest.mark.parametrize("method", ["DL", "PM", "HS"])
def test_a_zero_variance_is_refused_where_metafor_refuses(method: str) -> None:
    with pytest.raises(MetaAnalysisError, match=f"{method} estimator cannot be used when there are non-positive"):
        quiet(Y0, V0, method=method)


def test_a_zero_variance_with_a_common_effect_is_a_division_by_zero() -> None:
    with pytest.raises(MetaAnalysisError, match="Division by zero"):
        quiet(Y0, V0, method="FE")


def test_a_zero_variance_with_reml_fits_but_has_no_heterogeneity_test() -> None:
    # rma(c(.2,.5,.3,.8), c(0,.02,.03,.05)): b, se, tau2 as below; QE and I2 NA
    with pytest.warns(RuntimeWarning, match="non-positive sampling variances"):
        res = rma(Y0, V0)
    assert (res.b, res.se, res.tau2) == pytest.approx(
        (0.39552692019961178, 0.12242632116533345, 0.040281464726951967), rel=1e-8
    )
    assert res.QE is None and res.I2 is None and res.H2 is None and res.tau2_ci is None
    assert any("Cannot compute Q-test" in w for w in res.warnings)


def test_more_coefficients_than_studies_is_refused() -> None:
    with pytest.raises(MetaAnalysisError, match="larger than the number of observations"):
        rma([1, 2, 3], [0.1] * 3, mods=np.array([[1, 2], [2, 1], [3, 5]]))


def test_unknown_method_and_test_are_refused() -> None:
    with pytest.raises(MetaAnalysisError, match="Unknown 'method'"):
        rma([0.1, 0.2], [0.1, 0.1], method="XX")
    with pytest.raises(MetaAnalysisError, match="'test'"):
        rma([0.1, 0.2], [0.1, 0.1], test="q")


def test_missing_values_leave_the_study_out_with_a_warning() -> None:
    with pytest.warns(RuntimeWarning, match="NAs omitted"):
        res = rma([0.1, math.nan, 0.3, 0.5], [0.1, 0.1, 0.2, 0.1])
    assert res.k == 3 and res.included == (True, False, True, True)
    assert len(res.weights) == 3


def test_weights_are_percentages_of_inverse_total_variance() -> None:
    res = rma([0.1, 0.4, 0.3], [0.1, 0.2, 0.4], method="FE")
    assert sum(res.weights) == pytest.approx(100)
    assert res.weights[0] / res.weights[2] == pytest.approx(4)


def test_sei_can_replace_vi() -> None:
    a = rma([0.1, 0.4, 0.3], [0.01, 0.04, 0.09])
    b = rma([0.1, 0.4, 0.3], sei=[0.1, 0.2, 0.3])
    assert a.b == pytest.approx(b.b, rel=1e-12) and a.tau2 == pytest.approx(b.tau2, rel=1e-12)


def test_categorical_moderators_are_dummy_coded_against_the_first_sorted_level() -> None:
    y = [0.1, 0.3, 0.5, 0.2, 0.6, 0.4, 0.35]
    v = [0.02] * 7
    group = ["b", "a", "c", "a", "c", "b", "a"]
    res = rma(y, v, mods={"grp": group}, method="FE")
    assert res.coefficients.names == ("intrcpt", "grpb", "grpc")
    # with a common effect per group the coefficients are differences of group means
    means = {g: np.mean([yy for yy, gg in zip(y, group, strict=True) if gg == g]) for g in "abc"}
    assert res.coefficients.b == pytest.approx((means["a"], means["b"] - means["a"], means["c"] - means["a"]))
    assert res.QMdf == (2, None)


def test_a_matrix_of_moderators_gets_an_intercept() -> None:
    x = [1.0, 2.0, 3.0, 4.0, 5.0]
    res = rma([0.1, 0.2, 0.35, 0.38, 0.5], [0.01] * 5, mods=x, method="FE")
    assert res.coefficients.names == ("intrcpt", "mods")
    assert res.coefficients.b[1] == pytest.approx(np.polyfit(x, [0.1, 0.2, 0.35, 0.38, 0.5], 1)[0])


def test_redundant_moderators_are_dropped_with_a_warning() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    with pytest.warns(RuntimeWarning, match="Redundant predictors"):
        res = rma([0.1, 0.2, 0.35, 0.38, 0.5], [0.01] * 5, mods=np.column_stack([x, 2 * x]), method="FE")
    assert res.p == 2


def test_to_dict_is_strict_json() -> None:
    res = rma([0.5], [0.04])  # k = 1: BIC on k - p = 0 is -inf in metafor
    text = json.dumps(res.to_dict(), allow_nan=False)
    data = json.loads(text)
    assert data["b"] == 0.5 and data["tau2_ci"] is None
    assert data["fit_stats"]["REML"]["BIC"] is None
    full = rma([0.1, 0.4, 0.3, 0.2], [0.01, 0.04, 0.09, 0.02], mods={"x": [1, 2, 3, 4]})
    assert json.loads(json.dumps(full.to_dict(), allow_nan=False))["coefficients"]["names"] == ["intrcpt", "x"]


def test_subgroup_analysis_needs_two_groups() -> None:
    with pytest.raises(MetaAnalysisError, match="at least two subgroups"):
        subgroup_analysis([0.1, 0.2, 0.3], [0.1] * 3, ["a", "a", "a"])


def test_subgroup_test_compares_the_subgroup_estimates() -> None:
    y = [0.1, 0.15, 0.12, 0.6, 0.65, 0.62]
    v = [0.01] * 6
    res = subgroup_analysis(y, v, ["a", "a", "a", "b", "b", "b"], method="FE")
    a, b = res.fits["a"], res.fits["b"]
    expected = (a.b - b.b) ** 2 / (a.se**2 + b.se**2)
    assert res.Q_between == pytest.approx(expected, rel=1e-12)
    assert res.df == 1
    # with one tau2 (0 here) the mixed model's QM is the same test
    assert res.mixed is not None and res.mixed.QM == pytest.approx(expected, rel=1e-9)
    assert json.dumps(res.to_dict(), allow_nan=False)


BCG_RR_ABLAT = [44, 55, 42, 52, 13, 44, 19, 13, 27, 42, 18, 33, 33]


def _bcg():
    from tests.analysis.stats.reference import reference

    ds = reference()["datasets"]["bcg_RR"]
    return ds["yi"], ds["vi"]


def test_level_changes_every_interval() -> None:
    # rma(yi, vi, data=dat.bcg RR, level=90); confint(..., control=list(tol=1e-12))
    y, v = _bcg()
    res = rma(y, v, level=90)
    assert (res.ci_lb, res.ci_ub, res.pi_lb) == pytest.approx(
        (-1.0102466209826237, -0.41881806333365551, -1.6814553904362195), rel=1e-9
    )
    assert res.tau2_ci == pytest.approx((0.14100224158316046, 0.9098054719527322), rel=1e-8)


@pytest.mark.parametrize(
    ("method", "b", "tau2"),
    [
        # rma(yi, vi, mods=cbind(ablat), intercept=FALSE, method=...): metafor
        # estimates tau2 from the centred outcomes, which matters without an intercept
        ("REML", -0.022995268621428207, 0.29863532375054913),
        ("DL", -0.023024222913459933, 0.39361436156785418),
    ],
)
def test_a_model_without_intercept(method: str, b: float, tau2: float) -> None:
    y, v = _bcg()
    res = rma(y, v, mods=np.array(BCG_RR_ABLAT, float), intercept=False, method=method)
    assert res.coefficients.names == ("mods",)
    assert (res.b, res.tau2) == pytest.approx((b, tau2), rel=1e-9)
    if method == "REML":
        # the omnibus test then covers the slope itself
        assert (res.QM, res.QE, res.I2) == pytest.approx(
            (21.339165268860835, 209.68561528800302, 92.591866887012472), rel=1e-9
        )


def test_escalc_output_can_be_passed_directly() -> None:
    from analysis.stats import escalc

    es = escalc("OR", ai=[4, 6, 3], bi=[119, 300, 228], ci=[11, 29, 11], di=[128, 274, 209])
    assert rma(es).b == rma(es.yi, es.vi).b


@pytest.mark.parametrize("method", ["REML", "ML", "PM", "DL"])
def test_shifting_every_effect_shifts_only_the_estimate(method: str) -> None:
    """Effects far from 0 (e.g. raw means) must not lose precision to cancellation."""
    rng = np.random.default_rng(7)
    v = 10.0 ** rng.uniform(-3, 1, 40)
    y = rng.normal(0.0, np.sqrt(v + 0.3))
    base = rma(y, v, method=method)
    shifted = rma(y + 1e4, v, method=method)
    assert shifted.b - 1e4 == pytest.approx(base.b, abs=1e-8)
    assert shifted.tau2 == pytest.approx(base.tau2, rel=1e-8)
    assert shifted.tau2_ci == pytest.approx(base.tau2_ci, rel=1e-8)
    assert shifted.QE == pytest.approx(base.QE, rel=1e-8)
