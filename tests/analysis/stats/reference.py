"""Loading the metafor reference results (tests/data/metafor) for the tests.

The file is what metafor 3.8-1 computes, converged, on published data sets;
``make_ref.R`` beside it produced it.  Non-finite numbers are stored as the
strings "Inf", "-Inf", "NaN" and NA as null.
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any

import numpy as np

from tests.support import data_path, shared_data

REFERENCE = data_path("metafor", "metafor_reference.json")

#: metafor's stored doubles round-trip exactly; 1e-6 is the agreed target
#: (DESIGN.md "Targets") and leaves room for metafor's own stopping rules
RTOL = 1e-6
#: the Q-profile bounds come from metafor's uniroot (tol 1e-12): 1e-5 agreed
RTOL_CI = 1e-5
#: floor for quantities that are 0 in theory but come from sums of k terms
ATOL = 1e-12
#: metafor's SJIT approaches a zero root geometrically and stops at a change
#: below 1e-12, leaving tau2 up to ~2e-11 (we return the exact 0)
ATOL_TAU2 = 1e-10
#: the same residue on the percent scale of I2 and R2 (I2 = 100 tau2/(vt+tau2))
ATOL_PERCENT = 1e-8


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    with open(REFERENCE, encoding="utf-8") as fh:
        return json.load(fh)


def reference() -> dict[str, Any]:
    """The parsed reference file; skips the test (fails under CI=true) when absent."""
    shared_data("metafor", "metafor_reference.json")
    return _load()


def available() -> bool:
    return REFERENCE.exists()


def number(x: Any) -> float | None:
    """A stored number as float (None for NA)."""
    if x is None:
        return None
    if isinstance(x, str):
        return float(x)
    return float(x)


def numbers(x: Any) -> np.ndarray:
    return np.array([math.nan if v is None else number(v) for v in np.atleast_1d(x)], dtype=float)


def escalc_arguments(call: str) -> dict[str, str]:
    """``{"ai": "tpos", ...}`` from a stored call like ``escalc(measure="RR", ai=tpos, ...)``."""
    args = call.split(",", 1)[1]
    return dict(re.findall(r"(\w+)=([\w.]+)", args))
