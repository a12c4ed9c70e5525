"""Bias and sensitivity functions: refusals where metafor refuses, and edge cases."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis.stats import MetaAnalysisError, fsn, leave1out, ranktest, regtest, trimfill

YI = np.array([0.10, 0.35, -0.20, 0.55, 0.30, 0.80, 0.05, 0.42, 0.61, 0.25])
VI = np.array([0.04, 0.09, 0.02, 0.16, 0.05, 0.25, 0.01, 0.12, 0.20, 0.03])


@pytest.mark.parametrize("call", [
    lambda: trimfill([0.3], [0.1]),
    lambda: leave1out([0.3], [0.1]),
])
def test_it_refuses_a_single_study_as_metafor(call):
    with pytest.raises(MetaAnalysisError, match="k = 1"):
        call()


@pytest.mark.parametrize("model", ["rma", "lm"])
def test_regtest_refuses_when_all_standard_errors_are_equal(model):
    with pytest.raises(MetaAnalysisError, match="no longer of full rank"):
        regtest(YI, np.full(YI.size, 0.05), model=model)


def test_regtest_needs_sample_sizes_for_sample_size_predictors():
    with pytest.raises(MetaAnalysisError, match="sample size"):
        regtest(YI, VI, predictor="ninv")
    res = regtest(YI, VI, predictor="ni", ni=np.arange(20, 30))
    assert res.est is None  # the intercept at n = 0 is no limit estimate


def test_regtest_knha_reports_a_t_test_on_k_minus_2_df():
    res = regtest(YI, VI, test="knha")
    assert res.dfs == YI.size - 2


def test_ranktest_exact_p_agrees_with_the_exact_kendall_distribution():
    res = ranktest(YI, VI)
    wi = 1 / VI
    theta = np.sum(wi * YI) / np.sum(wi)
    x = (YI - theta) / np.sqrt(VI - 1 / np.sum(wi))
    independent = stats.kendalltau(x, VI, method="exact")
    assert res.exact
    assert res.tau == pytest.approx(independent.statistic, rel=1e-12)
    assert res.pval == pytest.approx(independent.pvalue, rel=1e-10)


def test_ranktest_falls_back_to_the_normal_approximation_with_ties():
    vi = VI.copy()
    vi[1] = vi[0]
    assert not ranktest(YI, vi).exact


def test_trimfill_respects_a_given_side_and_flags_filled_studies():
    res = trimfill(YI, VI, side="left", method="FE")
    assert res.side == "left"
    assert res.yi.size == YI.size + res.k0 == res.fill.size
    assert np.array_equal(res.yi[: YI.size], YI)
    assert res.fill.sum() == res.k0
    if res.k0:
        # filled studies mirror the most extreme studies around the trimmed estimate: on the left
        assert np.all(res.yi[res.fill] < np.max(YI))


def test_trimfill_rejects_unknown_options():
    with pytest.raises(MetaAnalysisError, match="estimator"):
        trimfill(YI, VI, estimator="L1")
    with pytest.raises(MetaAnalysisError, match="side"):
        trimfill(YI, VI, side="up")


def test_fsn_orwin_needs_no_variances_and_is_infinite_for_target_zero():
    assert fsn(YI, type="Orwin").fsnum == math.ceil(YI.size * (YI.mean() - YI.mean() / 2) / (YI.mean() / 2))
    assert fsn(YI, type="Orwin", target=0).fsnum == math.inf
    with pytest.raises(MetaAnalysisError, match="vi"):
        fsn(YI, type="Rosenthal")


def test_fsn_rosenthal_fisher_takes_metafors_root():
    # metafor 3.8: fsn(yi, vi, type="Rosenthal", test="Fisher") on YI/VI gives 12, p 0.0014903752854729039
    # (uniroot stops at 11.4903; its objective counts floor(n) null p-values with 2(k + n) df)
    res = fsn(YI, VI, type="Rosenthal", test="Fisher")
    assert res.fsnum == 12
    assert res.pval == pytest.approx(0.0014903752854729039, rel=1e-12)


def test_results_serialise_to_plain_json():
    import json

    for res in (regtest(YI, VI), ranktest(YI, VI), trimfill(YI, VI), fsn(YI, VI), leave1out(YI, VI)):
        json.dumps(res.to_dict(), allow_nan=False)
