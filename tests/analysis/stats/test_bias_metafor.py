"""Bias and sensitivity analyses against metafor 3.8-1 on 12 published data sets.

Reference: tests/data/metafor/metafor_reference.json, ``datasets.<id>.bias``,
produced by make_ref.R beside it (every call is written out there).
"""
from __future__ import annotations

import json
import math
from functools import lru_cache

import numpy as np
import pytest

from analysis.stats.bias import fsn, ranktest, regtest, trimfill
from analysis.stats.sensitivity import leave1out
from tests.support import data_path, shared_data

# The project's agreement target with metafor run converged (DESIGN.md, "Targets").
RTOL = 1e-6
# For values metafor reports as exactly 0 (tau2, I2 at the boundary), where we
# can only differ by rounding noise; far below any reported digit.
ATOL = 1e-12

REFERENCE = data_path("metafor", "metafor_reference.json")


@lru_cache(maxsize=1)
def _reference() -> dict:
    return json.loads(shared_data("metafor", "metafor_reference.json").read_text())


def _dataset_ids() -> list[str]:
    # collected before any test runs; an absent file gives one case that skips (or fails in CI)
    if not REFERENCE.exists():
        return ["reference-missing"]
    return list(json.loads(REFERENCE.read_text())["datasets"])


DATASETS = _dataset_ids()


def _num(x):
    if x is None:
        return math.nan
    if isinstance(x, str):
        return float(x)  # "Inf", "-Inf", "NaN"
    if isinstance(x, list):
        return np.array([_num(v) for v in x], dtype=float)
    return float(x)


def _data(ds: str):
    d = _reference()["datasets"][ds]
    return np.array(d["yi"], float), np.array(d["vi"], float), d["bias"]


def _assert_fields(ours: dict, ref: dict, pairs: list[tuple[str, str]], where: str) -> None:
    bad = []
    for our_name, ref_name in pairs:
        want = _num(ref[ref_name])
        got = np.asarray(ours[our_name], dtype=float)
        if np.shape(got) != np.shape(want) or not np.allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True):
            bad.append(f"{our_name}: ours {got!r} metafor {want!r}")
    assert not bad, f"{where} differs from metafor:\n" + "\n".join(bad)


REGTEST_CASES = {
    "regtest_default_REML": dict(model="rma", method="REML"),
    "regtest_default_FE": dict(model="rma", method="FE"),
    "regtest_lm": dict(model="lm"),
}


@pytest.mark.parametrize("key", list(REGTEST_CASES))
@pytest.mark.parametrize("ds", DATASETS)
def test_regtest_matches_metafor(ds, key):
    yi, vi, bias = _data(ds)
    ref = bias[key]
    res = regtest(yi, vi, **REGTEST_CASES[key])
    _assert_fields(res.__dict__, ref, [("zval", "zval"), ("pval", "pval"), ("est", "est"),
                                       ("ci_lb", "ci.lb"), ("ci_ub", "ci.ub")], f"{ds} {key}")
    assert res.dfs == ref["dfs"]


@pytest.mark.parametrize("ds", DATASETS)
def test_ranktest_matches_metafor(ds):
    yi, vi, bias = _data(ds)
    ref = bias["ranktest"]
    res = ranktest(yi, vi)
    _assert_fields(res.__dict__, ref, [("tau", "tau"), ("pval", "pval")], f"{ds} ranktest")
    # metafor warns exactly when cor.test falls back to the normal approximation
    assert res.exact == (not any("ties" in w for w in ref["warnings"]))


TRIMFILL_CASES = {
    "trimfill_REML_L0": dict(method="REML", estimator="L0"),
    "trimfill_FE_L0": dict(method="FE", estimator="L0"),
    "trimfill_DL_L0": dict(method="DL", estimator="L0"),
    "trimfill_REML_R0": dict(method="REML", estimator="R0"),
}


@pytest.mark.parametrize("key", list(TRIMFILL_CASES))
@pytest.mark.parametrize("ds", DATASETS)
def test_trimfill_matches_metafor(ds, key):
    yi, vi, bias = _data(ds)
    ref = bias[key]
    res = trimfill(yi, vi, **TRIMFILL_CASES[key])
    assert (res.side, res.k0, res.k) == (ref["side"], ref["k0"], ref["k"])
    assert res.fill.tolist() == [bool(f) for f in ref["fill"]]
    pairs = [("b", "b"), ("se", "se"), ("zval", "zval"), ("pval", "pval"), ("ci_lb", "ci.lb"),
             ("ci_ub", "ci.ub"), ("tau2", "tau2"), ("QE", "QE"), ("QEp", "QEp"), ("I2", "I2"),
             ("yi", "yi"), ("vi", "vi"), ("se_k0", "se.k0")]
    if ref["p.k0"] is not None:
        pairs.append(("p_k0", "p.k0"))
    else:
        assert res.p_k0 is None
    _assert_fields(res.__dict__, ref, pairs, f"{ds} {key}")


@pytest.mark.parametrize("method", ["REML", "DL", "FE"])
@pytest.mark.parametrize("ds", DATASETS)
def test_leave1out_matches_metafor(ds, method):
    yi, vi, bias = _data(ds)
    ref = bias[f"leave1out_{method}"]
    res = leave1out(yi, vi, method=method)
    pairs = [("estimate", "estimate"), ("se", "se"), ("zval", "zval"), ("pval", "pval"),
             ("ci_lb", "ci.lb"), ("ci_ub", "ci.ub"), ("Q", "Q"), ("Qp", "Qp"), ("I2", "I2"), ("H2", "H2")]
    if method != "FE":  # metafor drops the tau2 column of a fixed-effect model
        pairs.append(("tau2", "tau2"))
    _assert_fields(res.__dict__, ref, pairs, f"{ds} leave1out {method}")


@pytest.mark.parametrize("kind", ["Rosenthal", "Orwin", "Rosenberg"])
@pytest.mark.parametrize("ds", DATASETS)
def test_fsn_matches_metafor(ds, kind):
    yi, vi, bias = _data(ds)
    ref = bias[f"fsn_{kind}"]
    res = fsn(yi, vi, type=kind)
    pairs = [(name, name) for name in ("fsnum", "alpha", "pval", "meanes", "target") if ref[name] is not None]
    _assert_fields(res.__dict__, ref, pairs, f"{ds} fsn {kind}")
    for name in ("pval", "meanes", "target"):
        if ref[name] is None:
            assert getattr(res, name) is None, f"metafor gives no {name} for {kind}"
