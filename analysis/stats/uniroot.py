"""R's uniroot, whose stopping rule the engine needs to reproduce metafor where it stops early.

Used by the tau² estimators under metafor's default control (PM, MP, PMM: :mod:`.tau2`) and by
Rosenthal's fail-safe N with Fisher's method (:mod:`.bias.fsn`).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import MetaAnalysisError


def r_uniroot(f: Callable[[float], float], lower: float, upper: float, tol: float, maxiter: int,
              extend_up: bool = False) -> float:
    """Root of ``f`` exactly as R's ``uniroot`` finds it (Brent's zeroin, R_zeroin2).

    metafor stops its root searches at R's default tolerance
    (``.Machine$double.eps^0.25``), so the root it reports is wherever
    zeroin stands at that point; reproducing metafor means taking the same
    steps. ``extend_up`` is ``extendInt="upX"``: widen the interval (upper
    end) until f changes sign.
    """
    f_lo, f_hi = f(lower), f(upper)
    if extend_up:
        delta = 0.01 * max(1e-4, abs(lower))
        it = 0
        while f_lo > 0:
            it += 1
            if it > maxiter:
                raise MetaAnalysisError(f"no sign change found in {it - 1} iterations")
            lower -= delta
            f_lo = f(lower)
            delta *= 2
        delta = 0.01 * max(1e-4, abs(upper))
        while f_hi < 0:
            it += 1
            if it > maxiter:
                raise MetaAnalysisError(f"no sign change found in {it - 1} iterations")
            upper += delta
            f_hi = f(upper)
            delta *= 2
    if not np.sign(f_lo) * np.sign(f_hi) <= 0:
        raise MetaAnalysisError("f() values at end points not of opposite sign")
    eps = np.finfo(float).eps
    a, b, fa, fb = lower, upper, f_lo, f_hi
    c, fc = a, fa
    if fa == 0:
        return a
    if fb == 0:
        return b
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * eps * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q, t1, t2 = fa / fc, fb / fc, fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    # R warns "_NOT_ converged" and still returns the last approximation
    return b
