"""Input checks and JSON conversion shared by the bias, sensitivity and plot modules."""
from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import MetaAnalysisError


def as_yi_vi(yi: ArrayLike, vi: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Return ``yi`` and ``vi`` as 1-d float arrays of equal length, finite, vi >= 0."""
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    if y.size != v.size:
        raise MetaAnalysisError(f"yi has {y.size} values but vi has {v.size}.")
    if y.size == 0:
        raise MetaAnalysisError("No studies given.")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        raise MetaAnalysisError("yi and vi must be finite numbers (remove studies with missing values first).")
    if np.any(v < 0):
        raise MetaAnalysisError("Sampling variances vi must not be negative.")
    return y, v


def json_safe(value: Any) -> Any:
    """The one JSON-safe converter of results: dataclasses and dicts to dicts (keys as text), lists,
    tuples and arrays to lists, numpy scalars to Python ones, non-finite floats to None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_safe(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    return value
