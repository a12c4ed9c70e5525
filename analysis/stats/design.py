"""Model matrices for meta-regression, built the way metafor builds them.

``mods`` may be a vector, a (k, p) matrix, or a mapping (dict or pandas
DataFrame) of named moderators.  Named numeric moderators give one column
each; categorical ones (strings, booleans, pandas categoricals) are dummy
coded like R's ``factor()`` treatment contrasts: the reference level is the
first category of a pandas categorical, otherwise the first in sorted order,
and a column is named ``<name><level>`` (as ``factor(alloc)random`` when the
key is ``"factor(alloc)"``).  Booleans use R's spelling ``<name>TRUE``.
Note: Python sorts strings by code point, R by locale, so mixed-case
levels may get another reference level than in R.

As in metafor, an intercept is added unless ``intercept=False``; a column of
ones in ``mods`` is taken as the intercept; columns that are linear
combinations of earlier ones are dropped with a warning.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import MetaAnalysisError
from .wls import Array

#: metafor's .is.intercept tolerance
_INTERCEPT_EPS = 1e-8
#: pivot tolerance of R's lm() QR, which metafor uses to find redundant columns
_QR_TOL = 1e-7
#: metafor's evtol: smallest eigenvalue of X'X accepted
_EVTOL = 1e-7


@dataclass(frozen=True)
class Design:
    """A model matrix with column names.

    ``X`` is None for the intercept-only model (the fast path).  ``missing``
    flags rows with a missing moderator value.
    """

    X: Array | None
    names: tuple[str, ...]
    intercept: bool
    missing: np.ndarray

    @property
    def p(self) -> int:
        return len(self.names)


def build_design(mods: Any, k: int, intercept: bool = True) -> Design:
    """Turn ``mods`` into a :class:`Design` for ``k`` studies."""
    missing: np.ndarray = np.zeros(k, dtype=bool)
    if mods is None:
        if not intercept:
            warnings.warn(
                "Must either include an intercept and/or moderators in model. "
                "Coerced intercept into the model.",
                RuntimeWarning,
                stacklevel=3,
            )
        return Design(None, ("intrcpt",), True, missing)
    cols, names = _columns(mods, k)
    M = np.column_stack(cols) if cols else np.empty((k, 0))
    missing = np.asarray(np.isnan(M).any(axis=1))
    # a column of ones among the moderators is the intercept
    is_int = [bool(np.all(np.abs(M[~missing, j] - 1) < _INTERCEPT_EPS)) for j in range(M.shape[1])]
    if any(is_int):
        keep = [j for j in range(M.shape[1]) if not is_int[j]]
        M = M[:, keep]
        names = [names[j] for j in keep]
        intercept = True
    if intercept:
        M = np.column_stack([np.ones(k), M])
        names = ["intrcpt", *names]
    if M.shape[1] == 0:
        raise MetaAnalysisError("The model has no coefficients.")
    M, names = _drop_redundant(M, names, missing)
    names = _make_unique(names)
    Mu = M[~missing]
    if Mu.shape[0] and np.linalg.eigvalsh(Mu.T @ Mu).min() <= _EVTOL:
        raise MetaAnalysisError("Model matrix not of full rank. Cannot fit model.")
    if intercept and M.shape[1] == 1:
        return Design(None, ("intrcpt",), True, missing)
    return Design(M, tuple(names), intercept, missing)


def _columns(mods: Any, k: int) -> tuple[list[Array], list[str]]:
    if isinstance(mods, Mapping) or hasattr(mods, "columns"):
        keys = list(mods.keys()) if isinstance(mods, Mapping) else list(mods.columns)
        cols: list[Array] = []
        names: list[str] = []
        for key in keys:
            c, n = _named_column(str(key), mods[key], k)
            cols += c
            names += n
        return cols, names
    M = np.asarray(mods, dtype=float)
    if M.ndim == 1:
        M = M[:, None]
        names = ["mods"]
    elif M.ndim == 2:
        names = [f"mods{j + 1}" for j in range(M.shape[1])]
    else:
        raise MetaAnalysisError("mods must be a vector, a matrix or a mapping of moderators.")
    if M.shape[0] != k:
        raise MetaAnalysisError(
            f"Number of rows in the model matrix ({M.shape[0]}) does not match "
            f"length of the outcome vector ({k})."
        )
    return [M[:, j] for j in range(M.shape[1])], names


def _named_column(name: str, values: Any, k: int) -> tuple[list[Array], list[str]]:
    categories = getattr(getattr(values, "cat", None), "categories", None)
    if categories is None:
        categories = getattr(values, "categories", None)
    raw = list(values) if not isinstance(values, np.ndarray) else values
    arr = np.asarray(raw, dtype=object)
    if arr.shape != (k,):
        raise MetaAnalysisError(f"Moderator {name!r} has {arr.size} values for {k} studies.")
    is_missing = np.array([_is_missing(x) for x in arr], dtype=bool)
    present = arr[~is_missing]
    if categories is None and all(_is_number(x) for x in present):
        col = np.full(k, math.nan)
        col[~is_missing] = np.asarray(present, dtype=float)
        return [col], [name]
    if categories is not None:
        levels = list(categories)
    elif all(isinstance(x, (bool, np.bool_)) for x in present):
        levels = [False, True]
    else:
        levels = sorted({str(x) for x in present})
        arr = np.array([x if _is_missing(x) else str(x) for x in arr], dtype=object)
    cols, names = [], []
    for level in levels[1:]:
        col = np.array([math.nan if m else float(x == level) for x, m in zip(arr, is_missing, strict=True)])
        cols.append(col)
        names.append(f"{name}{'TRUE' if level is True else level}")
    return cols, names


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _is_missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return bool(isinstance(x, (float, np.floating)) and math.isnan(x))
    except TypeError:
        return False


def _drop_redundant(M: Array, names: list[str], missing: np.ndarray) -> tuple[Array, list[str]]:
    """Drop columns that are linear combinations of earlier columns (R lm's pivoting)."""
    A = M[~missing]
    kept: list[int] = []
    basis: list[Array] = []
    for j in range(A.shape[1]):
        col = A[:, j].astype(float)
        norm = float(np.linalg.norm(col))
        r = col.copy()
        for q in basis:
            r -= (q @ r) * q
        rn = float(np.linalg.norm(r))
        if norm == 0.0 or rn <= _QR_TOL * norm:
            continue
        basis.append(r / rn)
        kept.append(j)
    if len(kept) < A.shape[1]:
        warnings.warn("Redundant predictors dropped from the model.", RuntimeWarning, stacklevel=4)
    return M[:, kept], [names[j] for j in kept]


def _make_unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}.{seen[n]}")
        else:
            seen[n] = 0
            out.append(n)
    return out
