"""Seeded random meta-analysis cases, and one Rscript run that fits them all with metafor.

The cases cover what a review meets and what breaks naive solvers: k from 1 to 500,
heterogeneity estimates on the boundary tau2 = 0, sampling variances spanning six orders of
magnitude, 2x2 tables with zero cells (including double-zero studies) through escalc, SMDs
from means and SDs, and moderators, continuous and dummy-coded categorical.

A case is a JSON-ready dict: ``id``, ``method``, ``test``, ``level``; either ``yi``/``vi``
or ``measure`` with raw ``data`` columns named as in metafor's escalc; and ``mods``, a list of
numeric columns (no intercept; metafor adds it) or None.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np

ORACLE_SCRIPT = Path(__file__).with_name("oracle.R")
# fixed, so a failure names a case that reproduces; set METAFOR_ORACLE_SEED to explore other draws
SEED = int(os.environ.get("METAFOR_ORACLE_SEED", "20240917"))
OTHER_METHODS = ("DL", "ML", "PM", "EB", "SJ", "HE", "HS", "FE")


def rscript_problem() -> str | None:
    """Why metafor cannot be run here, or None when it can."""
    if shutil.which("Rscript") is None:
        return "Rscript not found (apt-get install r-base-core r-cran-metafor r-cran-jsonlite)"
    probe = subprocess.run(
        ["Rscript", "-e", "suppressPackageStartupMessages({library(metafor); library(jsonlite)})"],
        capture_output=True, text=True, timeout=120,
    )
    if probe.returncode != 0:
        return f"R packages metafor/jsonlite missing: {probe.stderr.strip()[-300:]}"
    return None


def run_metafor(cases: list[dict], workdir: Path) -> dict:
    """Fit all ``cases`` in one Rscript process; return {"results": {id: result}, ...}.

    Numbers come back exactly as R held them; "NA" becomes None.
    """
    cases_path = workdir / "cases.json"
    results_path = workdir / "results.json"
    cases_path.write_text(json.dumps(cases, allow_nan=False))
    run = subprocess.run(
        ["Rscript", str(ORACLE_SCRIPT), str(cases_path), str(results_path)],
        capture_output=True, text=True, timeout=1800,
    )
    if run.returncode != 0:
        raise RuntimeError(f"oracle.R failed ({run.returncode}):\n{run.stderr[-3000:]}")
    raw = json.loads(results_path.read_text())
    raw["results"] = {r["id"]: _decode(r) for r in raw["results"]}
    return raw


def _decode(value):
    if isinstance(value, dict):
        return {key: _decode(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, str):
        if value == "NA":
            return None
        try:
            return float(value)
        except ValueError:
            return value
    return value


# ---------------------------------------------------------------- case generation

def _floats(a) -> list[float]:
    return [float(x) for x in np.asarray(a, dtype=float)]


def _ints(a) -> list[int]:
    return [int(x) for x in np.asarray(a)]


def _given(rng, k, tau2, vi, mu=None):
    mu = rng.normal(0.0, 0.5) if mu is None else mu
    yi = rng.normal(mu, np.sqrt(vi + tau2))
    return {"yi": _floats(yi), "vi": _floats(vi)}


def _vi_typical(rng, k):
    return rng.uniform(0.01, 0.3, k)


def _vi_spread(rng, k):
    # six orders of magnitude: one huge study beside many tiny ones, and the reverse
    return 10.0 ** rng.uniform(-4.0, 2.0, k)


def _two_by_two(rng, k, p_low, p_high):
    n1 = rng.integers(5, 200, k)
    n2 = rng.integers(5, 200, k)
    p1 = rng.uniform(p_low, p_high, k)
    p2 = np.clip(p1 * np.exp(rng.normal(-0.3, 0.4, k)), 0.0, 1.0)
    ai = rng.binomial(n1, p1)
    ci = rng.binomial(n2, p2)
    return ai, n1 - ai, ci, n2 - ci


def _smd(rng, k):
    n1 = rng.integers(4, 80, k)
    n2 = rng.integers(4, 80, k)
    delta = rng.normal(0.4, 0.3, k)
    sd = 10.0 ** rng.uniform(-1, 2, k)
    m2 = rng.normal(50, 10, k)
    m1 = m2 + delta * sd + rng.normal(0, sd / np.sqrt(n1))
    sd1 = sd * np.sqrt(rng.chisquare(n1 - 1) / (n1 - 1))
    sd2 = sd * np.sqrt(rng.chisquare(n2 - 1) / (n2 - 1))
    return {
        "m1i": _floats(m1), "sd1i": _floats(sd1), "n1i": _ints(n1),
        "m2i": _floats(m2), "sd2i": _floats(sd2), "n2i": _ints(n2),
    }


def _case(cases, label, method, test, body, mods=None, level=95):
    cid = f"{len(cases):03d}-{label}-{method}-{test}"
    if level != 95:
        cid += f"-level{level}"
    cases.append({"id": cid, "method": method, "test": test, "level": level, **body, "mods": mods})


def generate_cases(seed: int = SEED) -> list[dict]:
    """A fixed list of about 300 cases for ``seed``; REML is the bulk, every method is present."""
    rng = np.random.default_rng(seed)
    cases: list[dict] = []
    tests = ("z", "knha")

    def methods_for(i):
        # REML for most cases, the other estimators in turn for the rest
        return "REML" if i % 3 else OTHER_METHODS[(i // 3) % len(OTHER_METHODS)]

    # tiny k, where estimators and Knapp-Hartung meet their edge cases
    for k in (1, 2, 3):
        for method in ("REML",) + OTHER_METHODS:
            _case(cases, f"k{k}", method, tests[len(cases) % 2],
                  _given(rng, k, 0.05, _vi_typical(rng, k)))

    # typical reviews, k 4-60, true tau2 from none to large
    for i in range(90):
        k = int(rng.integers(4, 61))
        tau2 = float(rng.choice([0.0, 0.0, 0.01, 0.05, 0.2, 1.0]))
        _case(cases, f"typical-k{k}", methods_for(i), tests[i % 2],
              _given(rng, k, tau2, _vi_typical(rng, k)), level=90 if i % 17 == 5 else 95)

    # homogeneous data: tau2 estimate on the boundary 0 (including identical yi, QE = 0)
    for i in range(24):
        k = int(rng.integers(2, 40))
        vi = _vi_typical(rng, k)
        if i % 4 == 0:
            body = {"yi": [0.25] * k, "vi": _floats(vi)}
        else:
            body = {"yi": _floats(rng.normal(0.1, 0.2 * np.sqrt(vi))), "vi": _floats(vi)}
        method = ("REML", "ML", "DL", "PM", "EB", "SJ", "HE", "HS")[i % 8]
        _case(cases, f"boundary-k{k}", method, tests[i % 2], body)

    # sampling variances over six orders of magnitude
    for i in range(36):
        k = int(rng.integers(3, 80))
        tau2 = float(rng.choice([0.0, 0.01, 0.3]))
        _case(cases, f"spreadvi-k{k}", methods_for(i), tests[i % 2],
              _given(rng, k, tau2, _vi_spread(rng, k)))

    # large k
    for i, k in enumerate((100, 150, 200, 300, 400, 500, 500, 250, 350, 500, 120, 480)):
        vi = _vi_spread(rng, k) if i % 3 == 0 else _vi_typical(rng, k)
        _case(cases, f"large-k{k}", methods_for(i), tests[i % 2], _given(rng, k, 0.08, vi))

    # 2x2 tables through escalc: rare events give zero and double-zero cells
    for i in range(36):
        measure = ("OR", "RR", "RD")[i % 3]
        k = int(rng.integers(2, 40))
        rare = i % 2 == 0
        ai, bi, ci, di = _two_by_two(rng, k, 0.0, 0.06) if rare else _two_by_two(rng, k, 0.05, 0.6)
        if i % 6 == 0:
            ai[0], ci[0] = 0, 0  # a double-zero study, kept as metafor keeps it (drop00=FALSE)
        if i % 9 == 4:
            bi[-1] = 0  # every participant of the first arm had the event
        data = {"ai": _ints(ai), "bi": _ints(bi), "ci": _ints(ci), "di": _ints(di)}
        _case(cases, f"{measure}{'-rare' if rare else ''}-k{k}", methods_for(i), tests[i % 2],
              {"measure": measure, "data": data})

    # standardised mean differences from means and SDs
    for i in range(18):
        k = int(rng.integers(2, 50))
        _case(cases, f"SMD-k{k}", methods_for(i), tests[i % 2], {"measure": "SMD", "data": _smd(rng, k)})

    # meta-regression: continuous, categorical (dummy-coded, treatment contrasts) and both
    for i in range(48):
        k = int(rng.integers(6, 120))
        kind = ("continuous", "categorical", "both", "year")[i % 4]
        vi = _vi_spread(rng, k) if i % 5 == 0 else _vi_typical(rng, k)
        x = rng.normal(0, 1, k)
        if kind == "year":
            x = rng.integers(1975, 2024, k).astype(float)  # large offsets stress the normal equations
        levels = int(rng.integers(2, 5))
        group = np.concatenate([np.arange(levels), rng.integers(0, levels, k - levels)])
        rng.shuffle(group)
        dummies = [(group == g).astype(float) for g in range(1, levels)]
        slope = float(rng.choice([0.0, 0.2]))
        mu = 0.3 + slope * (x - x.mean()) + 0.15 * group
        tau2 = float(rng.choice([0.0, 0.02, 0.2]))
        yi = rng.normal(mu, np.sqrt(vi + tau2))
        if kind in ("continuous", "year"):
            mods = [_floats(x)]
        elif kind == "categorical":
            mods = [_floats(d) for d in dummies]
        else:
            mods = [_floats(x)] + [_floats(d) for d in dummies]
        method = "REML" if i % 2 else OTHER_METHODS[(i // 2) % len(OTHER_METHODS)]
        _case(cases, f"mods-{kind}-k{k}", method, tests[(i // 2) % 2],
              {"yi": _floats(yi), "vi": _floats(vi)}, mods=mods)

    # more parameters than studies: metafor refuses, so must the engine
    # (metafor's fixed-effect fit drops the redundant column instead, so FE is left out here)
    for method in ("REML", "DL"):
        k = 3
        _case(cases, "refuse-p-gt-k", method, "z", _given(rng, k, 0.1, _vi_typical(rng, k)),
              mods=[_floats(rng.normal(size=k)) for _ in range(3)])

    for c in cases:
        _check_finite(c)
    return cases


def _check_finite(case):
    for key in ("yi", "vi"):
        for v in case.get(key, []):
            assert math.isfinite(v), case["id"]
