"""escalc() and from_summary().

The reference data sets are recomputed from their raw inputs; the other
expected values were computed with metafor 3.8-1 (``escalc(...)`` call
written beside each) and pinned here.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from analysis.stats import MetaAnalysisError, escalc, from_summary
from tests.analysis.stats.reference import _load, available, escalc_arguments, reference

#: yi/vi are closed-form; only the last bits of log/lgamma may differ from R
RTOL = 1e-12


def _escalc_cases() -> list:
    if not available():
        return [pytest.param(None, id="reference-missing")]
    return [pytest.param(ds_id, id=ds_id) for ds_id, ds in _load()["datasets"].items() if ds["escalc_call"]]


@pytest.mark.parametrize("ds_id", _escalc_cases())
def test_escalc_reproduces_metafor_on_reference_data(ds_id: str) -> None:
    ds = reference()["datasets"][ds_id]
    columns = {arg: ds["input"][col] for arg, col in escalc_arguments(ds["escalc_call"]).items()}
    es = escalc(ds["measure"], **columns)
    np.testing.assert_allclose(es.yi, ds["yi"], rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(es.vi, ds["vi"], rtol=RTOL, atol=1e-15)


# a table with zero cells in three of four studies, one of them double-zero
AI, BI, CI, DI = [0, 3, 5, 0], [10, 7, 5, 12], [2, 0, 4, 0], [8, 10, 6, 10]


@pytest.mark.parametrize(
    ("to", "yi", "vi"),
    [
        # escalc("OR", ai=AI, bi=BI, ci=CI, di=DI, to=...)
        ("only0", [-1.8207470061013074, 2.2823823856765264, 0.40546510810816427, -0.17435338714477755],
         [2.6128851540616247, 2.5142857142857142, 0.81666666666666665, 4.175238095238095]),
        ("all", [-1.8207470061013074, 2.2823823856765264, 0.36772478012531723, -0.17435338714477755],
         [2.6128851540616247, 2.5142857142857142, 0.73970473970473971, 4.175238095238095]),
        ("if0all", [-1.8207470061013074, 2.2823823856765264, 0.36772478012531723, -0.17435338714477755],
         [2.6128851540616247, 2.5142857142857142, 0.73970473970473971, 4.175238095238095]),
        ("none", [math.nan, math.nan, 0.40546510810816427, math.nan],
         [math.nan, math.nan, 0.81666666666666665, math.nan]),
    ],
)
def test_zero_cells_are_handled_as_metafor(to: str, yi: list, vi: list) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es = escalc("OR", ai=AI, bi=BI, ci=CI, di=DI, to=to)
    np.testing.assert_allclose(es.yi, yi, rtol=RTOL)
    np.testing.assert_allclose(es.vi, vi, rtol=RTOL)


def test_drop00_leaves_out_double_zero_studies() -> None:
    es = escalc("OR", ai=AI, bi=BI, ci=CI, di=DI, drop00=True)
    np.testing.assert_allclose(
        es.yi, [-1.8207470061013074, 2.2823823856765264, 0.40546510810816427, math.nan], rtol=RTOL)


def test_group_sizes_may_replace_non_event_counts() -> None:
    by_cells = escalc("RR", ai=AI, bi=BI, ci=CI, di=DI)
    by_n = escalc("RR", ai=AI, n1i=np.add(AI, BI), ci=CI, n2i=np.add(CI, DI))
    np.testing.assert_array_equal(by_cells.yi, by_n.yi)
    # escalc("RR", ai=AI, bi=BI, ci=CI, di=DI)
    np.testing.assert_allclose(
        by_cells.yi, [-1.6094379124341001, 1.945910149055313, 0.22314355131420971, -0.16705408466316651], rtol=RTOL)
    np.testing.assert_allclose(
        by_cells.vi, [2.2181818181818183, 2.1038961038961039, 0.24999999999999997, 3.8321678321678325], rtol=RTOL)


@pytest.mark.parametrize(
    ("measure", "columns", "yi", "vi"),
    [
        # escalc("SMCR", m1i=c(10,12), m2i=c(8,11), sd1i=c(3,4), ni=c(20,30), ri=c(.5,.7))
        ("SMCR", dict(m1i=[10, 12], m2i=[8, 11], sd1i=[3, 4], ni=[20, 30], ri=[0.5, 0.7]),
         [0.63994023528283539, 0.24346874614918135], [0.060238087618346273, 0.02098795050585758]),
        # escalc("SMCC", ..., sd2i=c(2.5,3.5))
        ("SMCC", dict(m1i=[10, 12], m2i=[8, 11], sd1i=[3, 4], sd2i=[2.5, 3.5], ni=[20, 30], ri=[0.5, 0.7]),
         [0.68961995542235432, 0.33112742873476048], [0.061889392072918256, 0.035160756234341561]),
        # escalc("COR", ri=c(.3,-.2), ni=c(50,80))
        ("COR", dict(ri=[0.3, -0.2], ni=[50, 80]), [0.3, -0.2], [0.016900000000000002, 0.011665822784810126]),
        # escalc("PR", xi=c(0,5), ni=c(20,25)): 1/2 added to both cells of the zero study
        ("PR", dict(xi=[0, 5], ni=[20, 25]), [0.023809523809523808, 0.2], [0.0011067919231184536, 0.0064]),
        # escalc("SMD", ti=c(2.1,-1.3), n1i=c(20,30), n2i=c(22,28)): g from a reported t
        ("SMD", dict(ti=[2.1, -1.3], n1i=[20, 30], n2i=[22, 28]),
         [0.63655550067561373, -0.33700091512272695], [0.10027838956693096, 0.070026667468253145]),
    ],
)
def test_other_measures_match_metafor(measure: str, columns: dict, yi: list, vi: list) -> None:
    es = escalc(measure, **columns)
    np.testing.assert_allclose(es.yi, yi, rtol=RTOL)
    np.testing.assert_allclose(es.vi, vi, rtol=RTOL)


def test_escalc_rejects_impossible_input() -> None:
    with pytest.raises(MetaAnalysisError, match="not equal to 'ai \\+ bi'"):
        escalc("OR", ai=[5], bi=[5], ci=[1], di=[9], n1i=[11])
    with pytest.raises(MetaAnalysisError, match="needs"):
        escalc("SMD", m1i=[1.0], m2i=[0.5], n1i=[10], n2i=[10])
    with pytest.raises(MetaAnalysisError, match="Unknown measure"):
        escalc("XYZ", ai=[1])


def test_from_summary_uses_se_then_ci_then_statistics() -> None:
    es = from_summary(
        [0.5, 0.5, 0.5, 0.5, 0.5],
        se=[0.2, None, None, None, None],
        ci_lb=[None, 0.5 - 1.959963984540054 * 0.2, None, None, None],
        ci_ub=[None, 0.5 + 1.959963984540054 * 0.2, None, None, None],
        t=[None, None, 2.5, None, None],
        f=[None, None, None, 6.25, None],
        p=[None, None, None, None, 0.012419330651552318],  # two-sided p of z = 2.5
    )
    np.testing.assert_allclose(es.vi, [0.04] * 5, rtol=1e-12)


def test_from_summary_logs_ratio_measures() -> None:
    # an odds ratio of 2 with 95% CI 1.2 to 3.333...: log(OR) and its SE
    es = from_summary([2.0], ci_lb=[1.2], ci_ub=[10 / 3], log=True, measure="OR")
    assert es.yi[0] == pytest.approx(math.log(2))
    assert es.sei[0] == pytest.approx((math.log(10 / 3) - math.log(1.2)) / (2 * 1.959963984540054), rel=1e-12)


def test_from_summary_with_t_quantiles_for_small_samples() -> None:
    # a mean difference of 1 with 95% CI from a t distribution on 9 df
    q = 2.2621571627982053  # qt(0.975, 9) in R
    es = from_summary([1.0], ci_lb=[1 - q * 0.3], ci_ub=[1 + q * 0.3], df=[9])
    assert es.sei[0] == pytest.approx(0.3, rel=1e-12)


def test_from_summary_leaves_unusable_rows_missing() -> None:
    es = from_summary([0.4, 0.0], p=[0.03, 0.5])
    assert math.isfinite(es.vi[0]) and math.isnan(es.vi[1])
