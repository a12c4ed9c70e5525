"""The engine against R's metafor, run live on a few hundred seeded random data sets.

One Rscript process fits every case (see metafor_oracle.py and oracle.R); each case is its own
test, so a failure names the data set, the estimator and the quantities that disagree.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests.analysis.stats.metafor_oracle import generate_cases, rscript_problem, run_metafor
from tests.support import require

pytestmark = pytest.mark.oracle

# DESIGN.md: every quantity equals converged metafor to 1e-6 relative, the Q-profile tau2 CI to 1e-5
RTOL = 1e-6
RTOL_TAU2_CI = 1e-5
# Near zero a relative tolerance means nothing: a centred coefficient or a p-value near 1 can be
# 1e-17 on one side and 0 on the other.
ATOL = 1e-9
# When the optimum is the boundary tau2 = 0, metafor's Fisher scoring stops at tau2 ~ 1e-13 instead
# (seen up to 5e-13); the engine gives 0.
ATOL_TAU2 = 1e-10
# uniroot in confint() is run with tol 1e-12 on tau2; bounds at 0 come out as 0 or a few 1e-12
ATOL_TAU2_CI = 1e-9

CASES = generate_cases()


@pytest.fixture(scope="session")
def metafor(tmp_path_factory):
    problem = rscript_problem()
    require(problem is None, problem or "")
    return run_metafor(CASES, tmp_path_factory.mktemp("metafor_oracle"))


def _ours_escalc(case):
    from analysis.stats import escalc

    es = escalc(case["measure"], **{name: np.asarray(col) for name, col in case["data"].items()})
    return np.asarray(es.yi, dtype=float), np.asarray(es.vi, dtype=float)


def _ours_rma(case, yi, vi):
    from analysis.stats import rma

    mods = None if case["mods"] is None else np.column_stack(case["mods"])
    return rma(yi, vi, method=case["method"], test=case["test"], mods=mods, level=case["level"])


def _vector(value) -> np.ndarray:
    if value is None:
        return np.array([math.nan])
    return np.atleast_1d(np.asarray(value, dtype=float))


def _ref(value) -> np.ndarray:
    if value is None:
        return np.array([math.nan])
    return np.asarray([math.nan if v is None else v for v in np.atleast_1d(value)], dtype=float)


class Mismatches:
    """Collects every disagreement of one case, so one run shows all of them."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def check(self, name, ours, ref, rtol=RTOL, atol=ATOL) -> None:
        a, b = _vector(ours), _ref(ref)
        if a.shape != b.shape:
            self.lines.append(f"{name}: shape {a.shape} but metafor has {b.shape}")
            return
        same_nan = np.isnan(a) & np.isnan(b)
        close = np.abs(a - b) <= atol + rtol * np.abs(b)
        bad = ~(same_nan | close)
        for i in np.flatnonzero(bad):
            rel = abs(a[i] - b[i]) / abs(b[i]) if b[i] else math.inf
            at = f"[{i}]" if a.size > 1 else ""
            self.lines.append(f"{name}{at}: ours {a[i]!r}, metafor {b[i]!r} (rel err {rel:.2e})")

    def check_exact(self, name, ours, ref) -> None:
        if ours != ref:
            self.lines.append(f"{name}: ours {ours!r}, metafor {ref!r}")

    def assert_none(self, case) -> None:
        assert not self.lines, f"{case['id']} disagrees with metafor:\n  " + "\n  ".join(self.lines)


def _tau2_ci(res):
    ci = res.tau2_ci
    return None if ci is None else list(ci)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_engine_matches_metafor(case, metafor):
    ref = metafor["results"][case["id"]]
    found = Mismatches()

    if "measure" in case:
        yi, vi = _ours_escalc(case)
        found.check("escalc yi", yi, ref["yi"])
        found.check("escalc vi", vi, ref["vi"])
        # fit metafor's own effect sizes, so an escalc slip is not reported twice
        yi, vi = np.asarray(ref["yi"]), np.asarray(ref["vi"])
    else:
        yi, vi = np.asarray(case["yi"]), np.asarray(case["vi"])

    if "error" in ref:
        found.assert_none(case)
        with pytest.raises(ValueError):
            _ours_rma(case, yi, vi)
        return

    res = _ours_rma(case, yi, vi)
    found.check_exact("k", res.k, ref["k"])
    # with k = 1 metafor falls back from knha to z and says so; the result must name the test used
    found.check_exact("test", res.test, ref["test"])
    found.check("tau2", res.tau2, ref["tau2"], atol=ATOL_TAU2)
    found.check("se_tau2", res.se_tau2, ref["se_tau2"])
    # I2 = 100 tau2 / (tau2 + vt) carries metafor's boundary slack multiplied by 100 / vt, which
    # is 1e6 when the studies are large (vt = 1e-4): the same tau2 slack, seen through I2
    vt = ref["vt"][0]
    found.check("I2", res.I2, ref["I2"], atol=ATOL + (100 * ATOL_TAU2 / vt if vt else 0.0))
    found.check("H2", res.H2, ref["H2"])
    found.check("QE", res.QE, ref["QE"])
    found.check("QEp", res.QEp, ref["QEp"])
    found.check("weights", res.weights, ref["weights"])

    if case["mods"] is None:
        for name in ("b", "se", "zval", "pval", "ci_lb", "ci_ub", "pi_lb", "pi_ub"):
            found.check(name, getattr(res, name), ref[name])
    else:
        for name in ("b", "se", "zval", "pval", "ci_lb", "ci_ub"):
            found.check(f"coefficients.{name}", getattr(res.coefficients, name), ref[name])
        found.check("QM", res.QM, ref["QM"])
        found.check("QMp", res.QMp, ref["QMp"])
        tau2_without_mods = ref["tau2_RE"][0]
        if case["method"] != "FE" and tau2_without_mods is not None and tau2_without_mods <= ATOL_TAU2:
            # without moderators tau2 is already 0: metafor's rule gives R2 = 0 at the exact
            # optimum, while its early stop leaves (5e-13 - 2e-13) / 5e-13, any number at all
            found.check("R2 (tau2 without moderators is 0)", res.R2, 0.0)
        else:
            found.check("R2", res.R2, ref["R2"])

    if "tau2_ci" in ref:
        found.check("tau2_ci", _tau2_ci(res), ref["tau2_ci"], rtol=RTOL_TAU2_CI, atol=ATOL_TAU2_CI)
    elif "tau2_ci_error" in ref:
        # metafor gives no CI (k = 1): the engine must not invent one
        ci = _tau2_ci(res)
        if ci is not None and not all(v is None or math.isnan(v) for v in ci):
            found.lines.append(f"tau2_ci: ours {ci}, metafor refuses ({ref['tau2_ci_error']})")
    found.assert_none(case)


def test_r_fitted_exactly_the_numbers_python_sent(metafor):
    """Guards the oracle itself: a lossy JSON round trip would make every comparison moot."""
    for case in CASES:
        if "yi" in case:
            ref = metafor["results"][case["id"]]
            assert ref["yi"] == case["yi"], case["id"]
            assert ref["vi"] == case["vi"], case["id"]


def test_cases_cover_what_the_suite_promises(metafor):
    results = metafor["results"].values()
    fitted = [r for r in results if "error" not in r]
    assert len(CASES) >= 250
    assert {c["method"] for c in CASES} == {"REML", "DL", "ML", "PM", "EB", "SJ", "HE", "HS", "FE"}
    assert {c["test"] for c in CASES} == {"z", "knha"}
    assert max(r["k"] for r in fitted) == 500 and min(r["k"] for r in fitted) == 1
    assert sum(r["tau2"][0] == 0.0 for r in fitted if r["method"] != "FE") >= 30
    assert sum(1 for c in CASES if c.get("measure") in ("OR", "RR", "RD")) >= 30
    assert any(
        a == 0 and c == 0
        for case in CASES if case.get("measure") == "OR"
        for a, c in zip(case["data"]["ai"], case["data"]["ci"], strict=True)
    )
    assert sum(c["mods"] is not None for c in CASES) >= 40
    assert any("error" in r for r in results)
