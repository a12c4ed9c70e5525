"""Estimators of the between-study variance tau² (metafor ``rma.uni`` methods).

Each estimator returns the value metafor 3.8 converges to when run with a
tight control (``threshold=1e-12, tol=1e-12``): equations are solved to
full double precision instead of stopping at metafor's default tolerances.

References
----------
Viechtbauer W (2005). Bias and efficiency of meta-analytic variance
estimators in the random-effects model. J Educ Behav Stat 30:261-293.
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor
package. J Stat Softw 36(3).
Paule RC, Mandel J (1982). Consensus values and weighting factors.
J Res Natl Bur Stand 87:377-385.
Sidik K, Jonkman JN (2005). Simple heterogeneity variance estimation for
meta-analysis. J R Stat Soc C 54:367-384.
DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control
Clin Trials 7:177-188.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import special

from .errors import ConvergenceError, MetaAnalysisError
from .uniroot import r_uniroot
from .wls import Array, FitCache, Wls

#: methods without a random effect (tau² fixed at 0)
FIXED_METHODS = frozenset({"EE", "FE", "CE"})
#: every method :func:`estimate_tau2` accepts
METHODS = (
    "EE", "FE", "CE", "DL", "DLIT", "HE", "HS", "HSk", "SJ", "SJIT",
    "PM", "MP", "PMM", "GENQ", "ML", "REML", "EB",
)
#: metafor's DLIT iteration, run with the reference control (absolute change)
DLIT_THRESHOLD = 1e-12
DLIT_MAXITER = 10000
#: Newton iterations allowed before giving up (bisection keeps them few)
_MAXITER = 200
#: a Newton step this small (relative) leaves an error of about its square
_NEWTON_DONE = 1e-8
#: metafor's ll0check: a likelihood at tau²=0 this much higher wins
_LL0_TOL = 1e-10


@dataclass(frozen=True)
class Control:
    """metafor's ``control`` for the iterative estimators, where the answer depends on it.

    ``threshold`` stops Fisher scoring (ML, REML, EB) and the DLIT and SJIT
    iterations once tau² changes by at most this much; ``tol`` is the
    tolerance of R's ``uniroot`` (PM, MP, PMM) and of the likelihood check
    against tau² = 0; ``maxiter`` bounds either.  :func:`estimate_tau2`
    without a control solves every equation to full precision instead (what
    metafor gives with ``threshold=1e-12, tol=1e-12``).
    """

    threshold: float
    maxiter: int
    tol: float


#: metafor's default control, with which its ``trimfill`` fits every internal model
METAFOR_DEFAULT = Control(threshold=1e-5, maxiter=100, tol=float(np.finfo(float).eps) ** 0.25)


@dataclass(frozen=True)
class Tau2Estimate:
    """A tau² estimate and its standard error (None where metafor gives NA)."""

    tau2: float
    se_tau2: float | None


def mad(y: Array) -> float:
    """R's ``mad()``: scaled median absolute deviation (constant 1.4826)."""
    med = float(np.median(y))
    return 1.4826 * float(np.median(np.abs(y - med)))


def tau2_max_default(y: Array) -> float:
    """metafor's default upper search bound for root-finding estimators."""
    return max(100.0, 10.0 * mad(y) ** 2)


def estimate_tau2(
    method: str, y: Array, v: Array, X: Array | None, *, allvipos: bool = True,
    fits: FitCache | None = None, control: Control | None = None,
) -> Tau2Estimate:
    """Estimate tau² by ``method`` as metafor's ``rma.uni`` does.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    y : ndarray of shape (k,)
        Observed effects.
    v : ndarray of shape (k,)
        Sampling variances (>= 0).
    X : ndarray of shape (k, p), or None
        Design matrix; None for the intercept-only model.
    allvipos : bool
        Whether every ``v`` is > 0 (several estimators need it).
    fits : FitCache, optional
        Shared fits of ``(y, v, X)`` (for a model without moderators) or of
        the centred outcomes (with moderators); built here when omitted.
    control : Control, optional
        Take metafor's steps with this control and stop where it stops
        (e.g. :data:`METAFOR_DEFAULT`); by default every equation is solved
        to full precision.

    Returns
    -------
    Tau2Estimate
        ``tau2`` (>= 0) and ``se_tau2``.

    Raises
    ------
    MetaAnalysisError
        Where metafor refuses (non-positive variances for DL/HS/PM, tau²
        beyond the search bound for PM/PMM).
    ConvergenceError
        When the iterative DL estimator does not converge.
    """
    k = y.shape[0]
    p = 1 if X is None else X.shape[1]
    # metafor estimates tau² from the centred outcomes (Ymc); identical for
    # models with an intercept, and it matters without one.
    yc = y if X is None else y - y.mean()
    if fits is None:
        fits = FitCache(X, v, yc)
    if method in FIXED_METHODS:
        return Tau2Estimate(0.0, None)
    if method in ("DL", "DLIT", "HS", "HSk", "PM", "MP", "PMM", "GENQ") and not allvipos:
        raise MetaAnalysisError(
            f"{method} estimator cannot be used when there are non-positive "
            "sampling variances in the data."
        )
    if method in ("DL", "GENQ"):
        # GENQ with weights 1/vi (the only weights offered) is DL exactly.
        fit = fits(0.0)
        trP = fit.tr_PD()
        tau2 = (fit.Q - (k - p)) / trP
        return Tau2Estimate(max(0.0, tau2), _se_dl(fit, trP, k, p, tau2))
    if method == "DLIT":
        if control is None:
            return _dlit(yc, v, X, k, p)
        return _dlit(yc, v, X, k, p, control.threshold, control.maxiter)
    if method in ("HS", "HSk"):
        fit = fits(0.0)
        if method == "HS":
            tau2 = (fit.Q - k) / fit.sw
        else:
            tau2 = (k / (k - p) * fit.Q - k) / fit.sw
        t = max(tau2, 0.0)
        se = math.sqrt(
            (2 * (k - p) + 4 * t * fit.tr_PD() + 2 * t * t * fit.tr_PDPE()) / fit.sw**2
        )
        if method == "HSk":
            se *= k / (k - p)
        return Tau2Estimate(max(0.0, tau2), se)
    if method == "HE":
        ols, trPV, tau2 = _he(yc, v, X, k, p)
        t = max(tau2, 0.0)
        se = math.sqrt(
            (2 * ols.tr_PDPE(v, v) + 4 * t * trPV + 2 * t * t * (k - p)) / (k - p) ** 2
        )
        return Tau2Estimate(max(0.0, tau2), se)
    if method == "SJ":
        dev = y - y.mean()
        t0 = float(dev @ dev) / k
        fit = fits(t0)
        tau2 = t0 * fit.Q / (k - p)
        t = max(tau2, 0.0)
        se = math.sqrt(
            t0**2 / (k - p) ** 2
            * (2 * fit.tr_PDPE(v, v) + 4 * t * fit.tr_PDPE(v, None) + 2 * t * t * fit.tr_PDPE())
        )
        return Tau2Estimate(max(0.0, tau2), se)
    if control is not None and method in ("PM", "MP", "PMM", "SJIT", "EB", "ML", "REML"):
        return _controlled(method, y, v, X, k, p, fits, control, allvipos)
    if method in ("PM", "MP", "PMM", "SJIT", "EB"):
        target = float(special.chdtri(k - p, 0.5)) if method == "PMM" else float(k - p)
        # SJIT and EB iterate to the same root as PM (their fixed point is
        # Q(tau²) = k - p) but metafor searches them without an upper bound.
        upper = tau2_max_default(y) if method in ("PM", "MP", "PMM") else math.inf
        tau2 = _q_root(fits, target, upper)
        return Tau2Estimate(tau2, _se_pm(v, tau2, k, p))
    if method in ("ML", "REML"):
        start = max(0.0, _he(yc, v, X, k, p)[2])
        tau2 = _mle(fits, reml=method == "REML", start=start, allvipos=allvipos)
        return Tau2Estimate(tau2, _se_mle(fits, tau2, method))
    raise ValueError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")


def _se_mle(fits: FitCache, tau2: float, method: str) -> float:
    fit = fits(tau2)
    if method == "ML":
        return math.sqrt(2.0 / float(fit.w @ fit.w))
    return math.sqrt(2.0 / fit.tr_PDPE())


def _controlled(
    method: str, y: Array, v: Array, X: Array | None, k: int, p: int, fits: FitCache,
    control: Control, allvipos: bool,
) -> Tau2Estimate:
    """The iterative estimators as metafor runs them under ``control``: its own steps, its own stop."""
    yc = y if X is None else y - y.mean()
    if method in ("PM", "MP", "PMM"):
        target = float(special.chdtri(k - p, 0.5)) if method == "PMM" else float(k - p)
        tau2 = _q_uniroot(fits, target, tau2_max_default(y), control)
        return Tau2Estimate(tau2, _se_pm(v, tau2, k, p))
    if method == "SJIT":
        dev = y - y.mean()
        tau2 = float(dev @ dev) / k
        for _ in range(control.maxiter):  # metafor gives up on iteration maxiter + 1
            new = tau2 * fits(tau2).Q / (k - p)
            change = abs(new - tau2)
            tau2 = new
            if change <= control.threshold:
                return Tau2Estimate(tau2, _se_pm(v, tau2, k, p))
        raise ConvergenceError("Iterative SJ estimator did not converge.")
    tau2 = _fisher_scoring(fits, method, max(0.0, _he(yc, v, X, k, p)[2]), k, p, control)
    if method == "EB":
        return Tau2Estimate(tau2, _se_pm(v, tau2, k, p))
    reml = method == "REML"
    if tau2 > control.threshold and allvipos \
            and _loglik(fits, 0.0, reml) - _loglik(fits, tau2, reml) > control.tol:
        tau2 = 0.0  # metafor's ll0check, with the control's tolerance
    return Tau2Estimate(tau2, _se_mle(fits, tau2, method))


def _fisher_scoring(fits: FitCache, method: str, start: float, k: int, p: int, control: Control) -> float:
    """metafor's Fisher scoring (ML, REML, EB), halving a step that would cross 0."""
    tau2 = start
    for _ in range(control.maxiter):  # metafor gives up on iteration maxiter + 1
        if method == "EB":
            fit = fits(tau2)
            adj = (fit.Q * k / (k - p) - k) / fit.sw
        else:
            score, info, _ = _mle_terms(fits, tau2, method == "REML")
            adj = score / info
        if not math.isfinite(adj):
            adj = 0.0
        while tau2 + adj < 0:
            adj /= 2
        new = tau2 + adj
        change = abs(new - tau2)
        tau2 = new
        if change <= control.threshold:
            return max(0.0, tau2)
    raise ConvergenceError(
        "Fisher scoring algorithm did not converge. See 'help(rma)' for possible remedies."
    )


def _q_uniroot(fits: FitCache, target: float, upper: float, control: Control) -> float:
    """The root of ``Q(tau²) = target`` where R's ``uniroot`` stops at the control's tolerance."""
    if fits(0.0).Q < target:
        return 0.0
    if fits(upper).Q > target:
        raise MetaAnalysisError(
            "Value of 'tau2.max' too low. Try increasing 'tau2.max' or switch to another 'method'."
        )
    root = r_uniroot(lambda t: fits(t).Q - target, 0.0, upper, tol=control.tol, maxiter=control.maxiter)
    return max(0.0, root)


def _he(yc: Array, v: Array, X: Array | None, k: int, p: int) -> tuple[Wls, float, float]:
    """Hedges' (method of moments, OLS residuals) estimate, untruncated."""
    ols = Wls(X, np.ones(k), yc)
    trPV = ols.tr_PD(v)
    return ols, trPV, (ols.Q - trPV) / (k - p)


def _se_dl(fit: Wls, trP: float, k: int, p: int, tau2: float) -> float:
    t = max(tau2, 0.0)
    return math.sqrt((2 * (k - p) + 4 * t * trP + 2 * t * t * fit.tr_PDPE()) / trP**2)


def _se_pm(v: Array, tau2: float, k: int, p: int) -> float:
    sw = float(np.sum(1.0 / (v + tau2)))
    return math.sqrt(2.0 * k * k / (k - p) / sw**2)


def _dlit(
    yc: Array, v: Array, X: Array | None, k: int, p: int,
    threshold: float = DLIT_THRESHOLD, maxiter: int = DLIT_MAXITER,
) -> Tau2Estimate:
    # metafor's own fixed-point iteration; it can cycle (e.g. between 0 and
    # the DL value), and metafor then refuses, so the iteration is kept as is.
    tau2 = 0.0
    for _ in range(maxiter):  # metafor gives up on iteration maxiter + 1
        fit = Wls(X, 1.0 / (v + tau2), yc)
        trP = fit.tr_PD()
        new = max(0.0, (fit.Q - (k - p)) / trP)
        change = abs(new - tau2)
        tau2 = new
        if change <= threshold:
            fit = Wls(X, 1.0 / (v + tau2), yc)
            trP = fit.tr_PD()
            return Tau2Estimate(tau2, _se_dl(fit, trP, k, p, tau2))
    raise ConvergenceError("Iterative DL estimator did not converge.")


def _q_root(fits: FitCache, target: float, upper: float, lower: float = 0.0) -> float:
    if fits(lower).Q < target:
        return lower
    if math.isfinite(upper) and fits(upper).Q > target:
        raise MetaAnalysisError(
            "Value of 'tau2.max' too low. Try increasing 'tau2.max' or switch to another 'method'."
        )
    return solve_generalized_q(fits, target, lower, upper)


def solve_generalized_q(fits: FitCache, target: float, lo: float, hi: float) -> float:
    """Root of ``Q(tau²) = target`` inside ``[lo, hi]``, where ``Q(lo) >= target``.

    Newton steps on ``1/Q`` (exactly linear in tau² when all variances are
    equal), bisection when a step leaves the bracket, doubling when ``hi``
    is infinite.
    """
    inv_target = 1.0 / target
    scale = float(fits.v.sum()) / fits.v.shape[0]
    t = lo
    for _ in range(_MAXITER):
        if fits.X is None:
            m = fits.moments(t)
            Q, yPPy = m.Q, m.yPPy
        else:
            fit = fits(t)
            Q, yPPy = fit.Q, float(fit.Py @ fit.Py)
        if Q == target:
            return t
        if Q > target:
            lo = t
        else:
            hi = t
        h = 1.0 / Q - inv_target
        dh = yPPy / (Q * Q)
        new = t - h / dh if dh > 0 else math.nan
        if lo < new < hi and abs(new - t) <= _NEWTON_DONE * new:
            return new
        if not (lo < new < hi):
            new = 0.5 * (lo + hi) if math.isfinite(hi) else max(2.0 * t, t + scale)
        if _close(new, t, lo, hi, scale):
            return new
        t = new
    raise ConvergenceError("Root search for tau2 did not converge.")


def _close(new: float, t: float, lo: float, hi: float, scale: float) -> bool:
    # relative precision near machine epsilon; the absolute floor (a tiny
    # fraction of the typical sampling variance) stops rounding noise in the
    # score from keeping a near-zero tau² iterating forever
    tol = 4e-16 * abs(new) + 1e-16 * scale
    return abs(new - t) <= tol or hi - lo <= tol


def _mle_terms(fits: FitCache, t: float, reml: bool) -> tuple[float, float, float]:
    """Score, Fisher information and second derivative of the (RE)ML log-likelihood."""
    if fits.X is None:
        m = fits.moments(t)
        if reml:
            tr, trPP = m.trP, m.trPP
        else:
            tr, trPP = m.sw, m.s2
        return 0.5 * (m.yPPy - tr), 0.5 * trPP, 0.5 * trPP - m.yPPPy
    fit = fits(t)
    Py = fit.Py
    yPPy = float(Py @ Py)
    yPPPy = fit.zPz(Py)
    if reml:
        tr, trPP = fit.tr_PD(), fit.tr_PDPE()
    else:
        tr, trPP = fit.sw, float(fit.w @ fit.w)
    return 0.5 * (yPPy - tr), 0.5 * trPP, 0.5 * trPP - yPPPy


def log_likelihood(
    *, reml: bool, k: int, p: int, sum_log_var: float, rss: float, logdet_xwx: float = 0.0,
    logdet_xx: float = 0.0,
) -> float:
    """metafor's log-likelihood (ML) or restricted log-likelihood (REML) from its pieces.

    ``sum_log_var`` is ``sum(log(v + tau²))``, ``rss`` the weighted residual sum
    of squares; the REML form adds ``log|X'X|`` (a constant in tau², left at 0
    where only differences matter) and subtracts ``log|X'WX|``.
    """
    log2pi = math.log(2 * math.pi)
    if reml:
        return -0.5 * (k - p) * log2pi + 0.5 * logdet_xx - 0.5 * sum_log_var - 0.5 * logdet_xwx - 0.5 * rss
    return -0.5 * k * log2pi - 0.5 * sum_log_var - 0.5 * rss


def _loglik(fits: FitCache, tau2: float, reml: bool) -> float:
    """Log-likelihood (ML) or restricted log-likelihood (REML) at ``tau2``, without the
    constant ``log|X'X|`` (:func:`log_likelihood`), for comparing values of tau²."""
    fit = fits(tau2)
    k = fit.w.shape[0]
    p = 1 if fit.X is None else fit.X.shape[1]
    return log_likelihood(reml=reml, k=k, p=p, sum_log_var=fits.sum_log_var(tau2), rss=fit.Q,
                          logdet_xwx=logdet_xwx(fit) if reml else 0.0)


def logdet_xwx(fit: Wls) -> float:
    """``log|X'WX|`` of a weighted fit."""
    if fit.X is None:
        return math.log(fit.sw)
    return -float(np.linalg.slogdet(fit.S)[1])


def _mle(fits: FitCache, *, reml: bool, start: float, allvipos: bool) -> float:
    """Maximise the (restricted) likelihood over tau² >= 0.

    Newton steps on the score with the observed information, Fisher scoring
    where the likelihood is not locally concave, and bisection inside the
    bracket of sign changes of the score, started (like metafor) at the HE
    estimate so that the same local maximum is found.
    """
    scale = float(fits.v.sum()) / fits.v.shape[0]
    t = start
    lo, hi = 0.0, math.inf
    tau2 = None
    for _ in range(_MAXITER):
        score, info, hess = _mle_terms(fits, t, reml)
        if score == 0.0:
            tau2 = t
            break
        if score > 0:
            lo = t
        else:
            hi = t
            if t == 0.0:
                tau2 = 0.0
                break
        newton = hess < 0
        step = score / -hess if newton else score / info
        new = t + step
        if newton and lo < new < hi and abs(step) <= _NEWTON_DONE * new:
            # quadratic convergence: the error after this step is ~step²
            tau2 = new
            break
        if new <= 0.0 and lo == 0.0:
            s0, _, _ = _mle_terms(fits, 0.0, reml)
            if s0 <= 0:
                tau2 = 0.0
                break
        if not (lo < new < hi):
            new = 0.5 * (lo + hi) if math.isfinite(hi) else max(2.0 * t, t + scale)
        if _close(new, t, lo, hi, scale):
            tau2 = new
            break
        t = new
    if tau2 is None:
        raise ConvergenceError(
            "Fisher scoring algorithm did not converge. See 'help(rma)' for possible remedies."
        )
    if tau2 > 0 and allvipos:
        # metafor's ll0check: a better likelihood on the boundary wins
        if _loglik(fits, 0.0, reml) - _loglik(fits, tau2, reml) > _LL0_TOL:
            warnings.warn(
                "Fisher scoring algorithm may have gotten stuck at a local maximum. "
                "Setting tau^2 = 0.",
                RuntimeWarning,
                stacklevel=3,
            )
            tau2 = 0.0
    return tau2
