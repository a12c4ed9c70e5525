"""rma() against metafor 3.8-1 on every stored data set, method and test.

One test per (data set, method|test) fit: every field metafor reports,
including its refusals (``ok: false``), and the Q-profile interval for
tau2 (confint).  Tolerances are explained in ``reference.py``.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from analysis.stats import MetaAnalysisError, rma
from tests.analysis.stats.reference import (
    ATOL,
    ATOL_PERCENT,
    ATOL_TAU2,
    RTOL,
    RTOL_CI,
    _load,
    available,
    number,
    numbers,
    reference,
)

#: RmaResult field -> metafor field
SCALARS = {
    "b": "b", "se": "se", "zval": "zval", "pval": "pval", "ci_lb": "ci.lb", "ci_ub": "ci.ub",
    "pi_lb": "pi.lb", "pi_ub": "pi.ub", "tau2": "tau2", "se_tau2": "se.tau2", "I2": "I2",
    "H2": "H2", "QE": "QE", "QEp": "QEp", "QM": "QM", "QMp": "QMp", "s2w": "s2w", "vt": "vt",
}
ATOLS = {"tau2": ATOL_TAU2, "se_tau2": ATOL_TAU2, "I2": ATOL_PERCENT}


def _fit_cases() -> list:
    if not available():
        return [pytest.param(None, None, id="reference-missing")]
    return [
        pytest.param(ds_id, key, id=f"{ds_id}-{key}")
        for ds_id, ds in _load()["datasets"].items()
        for key in ds["fits"]
    ]


def assert_close(actual, expected, what: str, rtol: float = RTOL, atol: float = ATOL) -> None:
    exp = numbers(expected)
    act = np.atleast_1d(np.asarray(actual, dtype=float))
    assert act.shape == exp.shape, f"{what}: shape {act.shape} != {exp.shape}"
    np.testing.assert_allclose(act, exp, rtol=rtol, atol=atol, err_msg=what)


@pytest.mark.parametrize(("ds_id", "key"), _fit_cases())
def test_rma_matches_metafor(ds_id: str, key: str) -> None:
    ds = reference()["datasets"][ds_id]
    ref = ds["fits"][key]
    method, test = key.split("|")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if not ref["ok"]:
            with pytest.raises(MetaAnalysisError, match=ref["error"].rstrip(".")):
                rma(ds["yi"], ds["vi"], method=method, test=test)
            return
        res = rma(ds["yi"], ds["vi"], method=method, test=test)
    # metafor's warnings (e.g. Knapp-Hartung in an FE model) are given too
    for message in ref["warnings"]:
        assert any(message in str(w.message) for w in caught), message

    assert res.k == ref["k"] and res.p == ref["p"]
    assert res.method == method and res.test == test
    for ours, theirs in SCALARS.items():
        if ref[theirs] is None:
            assert getattr(res, ours) is None or ours == "vt", ours
            continue
        assert_close(getattr(res, ours), ref[theirs], ours, atol=ATOLS.get(ours, ATOL))
    assert_close(res.weights, ref["weights_pct"], "weights")
    assert res.ddf == (None if ref["ddf"] is None else int(ref["ddf"]))
    for kind in ("ML", "REML"):
        for stat in ("ll", "dev", "AIC", "BIC", "AICc"):
            assert_close(getattr(res.fit_stats[kind], stat), ref["fit.stats"][kind][stat], f"{kind} {stat}")

    ci = ref.get("confint")
    if method in ("FE", "EE", "CE"):
        assert res.tau2_ci is None
    elif ci and "tau2" in ci:
        assert_close(res.tau2_ci, [ci["tau2"]["ci.lb"], ci["tau2"]["ci.ub"]], "tau2 CI", rtol=RTOL_CI, atol=ATOL)
        assert_close(res.tau_ci, [ci["tau"]["ci.lb"], ci["tau"]["ci.ub"]], "tau CI", rtol=RTOL_CI, atol=ATOL)
        assert_close(res.I2_ci, [ci["I2"]["ci.lb"], ci["I2"]["ci.ub"]], "I2 CI", rtol=RTOL_CI, atol=ATOL_PERCENT)
        assert_close(res.H2_ci, [ci["H2"]["ci.lb"], ci["H2"]["ci.ub"]], "H2 CI", rtol=RTOL_CI, atol=ATOL)
    else:
        # GENQ: metafor's default CI there needs CompQuadForm (stored as an
        # error); we give the Q-profile interval, which equals the DL fit's
        dl = ds["fits"][f"DL|{test}"]["confint"]["tau2"]
        assert_close(res.tau2_ci, [dl["ci.lb"], dl["ci.ub"]], "GENQ Q-profile CI", rtol=RTOL_CI)


def test_reference_covers_every_method_and_test() -> None:
    """Guard against a truncated reference file silently shrinking the suite."""
    data = reference()
    keys = {key for ds in data["datasets"].values() for key in ds["fits"]}
    assert len(data["datasets"]) == 12
    assert len(keys) == 17 * 3
    assert number(data["datasets"]["bcg_RR"]["fits"]["REML|z"]["tau2"]) == pytest.approx(0.3132433, rel=1e-6)
