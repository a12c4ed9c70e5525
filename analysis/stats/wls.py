"""Weighted least-squares pieces shared by the tau² estimators and the model fit.

Every quantity metafor writes with the k x k "residual maker"
``P = W - W X (X'WX)^-1 X'W`` is computed here from p x p algebra in
O(k p²): P is never formed.  With ``X=None`` the design is the intercept
alone and everything reduces to weighted sums, the path that keeps a fit
without moderators linear in k.

Notation: ``w`` are the diagonal weights of W, ``U = W X`` and
``S = (X'WX)^-1``, so ``P = W - U S U'``.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


class Wls:
    """One weighted least-squares fit of ``y`` on ``X`` with weights ``w``.

    Parameters
    ----------
    X : ndarray of shape (k, p), or None
        Design matrix; None means the intercept alone (p = 1).
    w : ndarray of shape (k,)
        Positive weights.
    y : ndarray of shape (k,)
        Outcomes.
    """

    __slots__ = ("X", "w", "y", "sw", "_S", "_beta", "mu", "resid", "Py", "Q", "_XW")

    def __init__(self, X: Array | None, w: Array, y: Array) -> None:
        self.X = X
        self.w = w
        self.y = y
        if X is None:
            # the hot path of every model without moderators: keep it to a
            # handful of vector operations
            sw = float(w.sum())
            mu = float(w @ y) / sw
            self.sw = sw
            self.mu = mu
            self._S = None
            self._beta = None
            self.resid = y - mu
        else:
            XW = X.T * w
            XtWX = XW @ X
            self._XW = XW
            self.sw = float(w.sum())
            self._S = _sym_inverse(XtWX)
            self._beta = self._S @ (XW @ y)
            self.resid = y - X @ self._beta
        self.Py = w * self.resid
        self.Q = float(self.Py @ self.resid)

    @property
    def S(self) -> Array:
        """``(X'WX)^-1`` of shape (p, p)."""
        if self._S is None:
            self._S = np.array([[1.0 / self.sw]])
        return self._S

    @property
    def beta(self) -> Array:
        """Weighted least-squares coefficients of shape (p,)."""
        if self._beta is None:
            self._beta = np.array([self.mu])
        return self._beta

    # -- traces -----------------------------------------------------------
    def cross(self, d: Array) -> Array:
        """``U' diag(d) U = X' diag(w² d) X`` of shape (p, p)."""
        c = self.w * self.w * d
        if self.X is None:
            return np.array([[float(c.sum())]])
        return (self.X.T * c) @ self.X

    def tr_PD(self, d: Array | None = None) -> float:
        """``tr(P D)`` for diagonal D (identity when ``d`` is None)."""
        if d is None:
            if self.X is None:
                return self.sw - float(self.w @ self.w) / self.sw
            return self.sw - float(np.sum(self.S * self.cross(np.ones_like(self.w))))
        if self.X is None:
            return float(self.w @ d) - float((self.w * self.w) @ d) / self.sw
        return float(self.w @ d) - float(np.sum(self.S * self.cross(d)))

    def tr_PDPE(self, d: Array | None = None, e: Array | None = None) -> float:
        """``tr(P D P E)`` for diagonal D and E (identity when None)."""
        one = np.ones_like(self.w)
        dd = one if d is None else d
        ee = one if e is None else e
        w2 = self.w * self.w
        term1 = float(w2 @ (dd * ee))
        if self.X is None:
            sw = self.sw
            term2 = float((w2 * self.w) @ (dd * ee)) / sw
            term3 = float(w2 @ dd) * float(w2 @ ee) / (sw * sw)
            return term1 - 2.0 * term2 + term3
        Md = self.cross(dd)
        Me = Md if e is d else self.cross(ee)
        term2 = float(np.sum(self.S * self.cross(self.w * dd * ee)))
        SMd = self.S @ Md
        SMe = self.S @ Me
        term3 = float(np.sum(SMd * SMe.T))
        return term1 - 2.0 * term2 + term3

    def zPz(self, z: Array) -> float:
        """The quadratic form ``z' P z``."""
        wz = self.w * z
        if self.X is None:
            s = float(wz.sum())
            return float(wz @ z) - s * s / self.sw
        u = self._XW @ z
        return float(wz @ z) - float(u @ self.S @ u)


def _sym_inverse(A: Array) -> Array:
    """Inverse of a symmetric positive definite p x p matrix via Cholesky."""
    try:
        L = np.linalg.cholesky(A)
    except np.linalg.LinAlgError as exc:
        raise ValueError("Model matrix not of full rank. Cannot fit model.") from exc
    Linv = np.linalg.inv(L)
    return Linv.T @ Linv


class FitCache:
    """Weighted fits of one ``(y, v, X)`` at tau² values, each computed once.

    A REML fit, its likelihood check, the Q test and the Q-profile interval
    all need the fits at tau² = 0 and at the estimate; sharing them saves
    about a third of the work on a model without moderators.
    """

    __slots__ = ("X", "v", "y", "_fits", "_logs", "_moms", "_W", "_Y", "_center")

    def __init__(self, X: Array | None, v: Array, y: Array) -> None:
        self.X = X
        self.v = v
        self.y = y
        self._fits: dict[float, Wls] = {}
        self._logs: dict[float, float] = {}
        self._moms: dict[float, Moments] = {}
        self._W: Array | None = None
        self._Y: Array | None = None
        self._center = math.nan

    def moments(self, tau2: float) -> Moments:
        """Weighted moments at ``tau2`` for the intercept-only model (``X`` None).

        The root finders call this many times; one (3, k) @ (k, 3) product
        gives every sum they need, about a third of the work of :class:`Wls`.
        """
        m = self._moms.get(tau2)
        if m is None:
            m = self._moments(tau2)
            if m.loss > _MAX_CANCELLATION:
                # the weighted mean is far from the centre: recentre on it
                self._center += m.mu
                self._Y = None
                m = self._moments(tau2)
            self._moms[tau2] = m
        return m

    def _moments(self, tau2: float) -> Moments:
        if self._Y is None:
            if math.isnan(self._center):
                self._center = float(self.y.sum()) / self.y.shape[0]
            yc = self.y - self._center
            self._Y = np.column_stack([np.ones_like(yc), yc, yc * yc])
            self._W = np.empty((3, yc.shape[0]))
        W = self._W
        assert W is not None
        np.add(self.v, tau2, out=W[0])
        np.reciprocal(W[0], out=W[0])
        np.multiply(W[0], W[0], out=W[1])
        np.multiply(W[1], W[0], out=W[2])
        return Moments(W @ self._Y)

    def __call__(self, tau2: float) -> Wls:
        fit = self._fits.get(tau2)
        if fit is None:
            fit = Wls(self.X, 1.0 / (self.v + tau2), self.y)
            self._fits[tau2] = fit
        return fit

    def sum_log_var(self, tau2: float) -> float:
        """``sum(log(v + tau²))``, the determinant term of the likelihood."""
        s = self._logs.get(tau2)
        if s is None:
            s = float(np.log(self.v + tau2).sum())
            self._logs[tau2] = s
        return s


#: Q from moments loses about log10(loss) digits; beyond 1e4 recentre
_MAX_CANCELLATION = 1e4


class Moments:
    """Sums ``sum(w^a y^b)`` (a = 1..3, b = 0..2) and what the solvers derive from them.

    With ``mu`` the weighted mean and ``P`` the intercept-only residual
    maker: ``Q = y'Py``, ``yPPy``, ``yPPPy``, ``trP = tr(P)``, ``trPP =
    tr(PP)``, ``sw = sum(w)``, ``s2 = sum(w²)``.
    """

    __slots__ = ("mu", "Q", "yPPy", "yPPPy", "trP", "trPP", "sw", "s2", "loss")

    def __init__(self, M: Array) -> None:
        (s1, s1y, s1yy), (s2, s2y, s2yy), (s3, s3y, s3yy) = M.tolist()
        mu = s1y / s1
        self.mu = mu
        self.sw = s1
        self.s2 = s2
        Q = s1yy - mu * s1y
        self.Q = Q
        self.loss = s1yy / Q if Q > 0 else (math.inf if s1yy > 0 else 0.0)
        self.yPPy = s2yy - 2.0 * mu * s2y + mu * mu * s2
        wpy = s2y - mu * s2
        self.yPPPy = (s3yy - 2.0 * mu * s3y + mu * mu * s3) - wpy * wpy / s1
        self.trP = s1 - s2 / s1
        self.trPP = s2 - 2.0 * s3 / s1 + s2 * s2 / (s1 * s1)
