"""Fixed-, random- and mixed-effects meta-analysis: ``rma`` (metafor ``rma.uni``).

:func:`rma` fits the model, and returns an :class:`RmaResult` holding what
metafor's ``rma.uni``, ``predict``, ``weights``, ``fitstats`` and
``confint`` (Q-profile) report, computed to full precision.

Without moderators every step is a weighted sum over the k studies (cost
linear in k); with moderators only p x p matrices are formed.

References
----------
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor
package. J Stat Softw 36(3).
Knapp G, Hartung J (2003). Improved tests for a random effects
meta-regression with a single covariate. Stat Med 22:2693-2710.
Higgins JPT, Thompson SG (2002). Quantifying heterogeneity in a
meta-analysis. Stat Med 21:1539-1558.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from scipy import special

from ._inputs import json_safe
from .design import Design, build_design
from .errors import MetaAnalysisError
from .qprofile import tau2_qprofile
from .tau2 import FIXED_METHODS, METHODS, Control, estimate_tau2, log_likelihood
from .tau2 import logdet_xwx as logdet_xwx_of
from .wls import Array, FitCache, Wls

TESTS = ("z", "knha", "t")


@dataclass(frozen=True)
class CoefTable:
    """One row per model coefficient (metafor's coefficient table)."""

    names: tuple[str, ...]
    b: tuple[float, ...]
    se: tuple[float, ...]
    zval: tuple[float, ...]
    pval: tuple[float, ...]
    ci_lb: tuple[float, ...]
    ci_ub: tuple[float, ...]


@dataclass(frozen=True)
class FitStats:
    """Log-likelihood, deviance and information criteria (metafor ``fit.stats``)."""

    ll: float
    dev: float
    AIC: float
    BIC: float
    AICc: float


@dataclass(frozen=True)
class Prediction:
    """Predicted (average) effects for given moderator values."""

    pred: tuple[float, ...]
    se: tuple[float, ...]
    ci_lb: tuple[float, ...]
    ci_ub: tuple[float, ...]
    pi_lb: tuple[float, ...]
    pi_ub: tuple[float, ...]


@dataclass(frozen=True)
class RmaResult:
    """A fitted meta-analytic model.

    The scalar fields ``b``, ``se``, ``zval``, ``pval``, ``ci_lb``,
    ``ci_ub`` describe the first coefficient (the intercept: the pooled
    effect without moderators); :attr:`coefficients` holds every
    coefficient.  ``zval`` is the t statistic under ``test="knha"`` or
    ``"t"``, as in metafor.  ``pi_lb``/``pi_ub`` are the prediction interval
    at the first coefficient (equal to the CI for EE/FE/CE models, as
    metafor's ``predict``).  ``weights`` are in percent, as metafor's
    ``weights()``.  ``tau2_ci`` is the Q-profile interval (None for models
    without a random effect or with k = 1).  Quantities metafor reports as
    NA (e.g. QE when a sampling variance is 0) are None, and the reason is
    in ``warnings``.
    """

    b: float
    se: float
    zval: float
    pval: float
    ci_lb: float
    ci_ub: float
    pi_lb: float
    pi_ub: float
    tau2: float
    se_tau2: float | None
    tau2_ci: tuple[float, float] | None
    I2: float | None
    H2: float | None
    QE: float | None
    QEp: float | None
    k: int
    weights: tuple[float, ...]
    QM: float
    QMp: float
    QMdf: tuple[int, int | None]
    R2: float | None
    coefficients: CoefTable
    p: int
    method: str
    test: str
    level: float
    fit_stats: dict[str, FitStats]
    ddf: int | None
    s2w: float
    vt: float | None
    tau2_ci_signs: tuple[str, str] | None
    tau_ci: tuple[float, float] | None
    I2_ci: tuple[float, float] | None
    H2_ci: tuple[float, float] | None
    vb: tuple[tuple[float, ...], ...]
    included: tuple[bool, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def ll(self) -> float:
        """Log-likelihood of the fit (REML when method is REML, else ML), as ``logLik``."""
        return self.fit_stats["REML" if self.method == "REML" else "ML"].ll

    def predict(self, newmods: Any = None) -> Prediction:
        """Predicted effects at moderator values ``newmods`` (metafor ``predict``).

        Parameters
        ----------
        newmods : array_like of shape (m, p - 1) or (m,), or None
            Moderator values without the intercept column (as metafor's
            ``newmods``); None predicts the first coefficient alone.
        """
        vb = np.array(self.vb)
        beta = np.array(self.coefficients.b)
        intercept = self.coefficients.names[0] == "intrcpt"
        if newmods is None:
            Xn = np.zeros((1, self.p))
            Xn[0, 0] = 1.0
        else:
            Xn = np.asarray(newmods, dtype=float)
            width = self.p - (1 if intercept else 0)
            Xn = Xn.reshape(-1, width) if width else np.zeros((Xn.size, 0))
            if intercept:
                Xn = np.column_stack([np.ones(Xn.shape[0]), Xn])
        pred = Xn @ beta
        se = np.sqrt(np.einsum("ij,jk,ik->i", Xn, vb, Xn))
        crit = _crit(self.test, self.ddf, _alpha(self.level))
        ci_lb, ci_ub = pred - crit * se, pred + crit * se
        if self.method in FIXED_METHODS:
            pi_lb, pi_ub = ci_lb, ci_ub
        else:
            half = crit * np.sqrt(se**2 + self.tau2)
            pi_lb, pi_ub = pred - half, pred + half
        return Prediction(*(tuple(map(float, a)) for a in (pred, se, ci_lb, ci_ub, pi_lb, pi_ub)))

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-safe values (non-finite floats become None)."""
        return {f.name: json_safe(getattr(self, f.name)) for f in fields(self)}


def _alpha(level: float) -> float:
    # metafor's .level(): 95 and 0.95 both mean a 95% interval
    return (100.0 - level) / 100.0 if level > 1 else 1.0 - level


def _crit(test: str, ddf: int | None, alpha: float) -> float:
    if test == "z":
        return float(-special.ndtri(alpha / 2))
    if not ddf or ddf <= 0:
        return math.nan
    return float(-special.stdtrit(ddf, alpha / 2))


def _pvals(test: str, ddf: int | None, z: Array) -> Array:
    if test == "z":
        return np.asarray(2.0 * special.ndtr(-np.abs(z)), dtype=float)
    if not ddf or ddf <= 0:
        return np.full_like(z, math.nan)
    return np.asarray(2.0 * special.stdtr(ddf, -np.abs(z)), dtype=float)


def rma(
    yi: Any,
    vi: Any = None,
    method: str = "REML",
    test: str = "z",
    mods: Any = None,
    level: float = 95,
    *,
    sei: Any = None,
    intercept: bool = True,
    control: Control | None = None,
) -> RmaResult:
    """Fit a meta-analytic model, as metafor's ``rma.uni``.

    Parameters
    ----------
    yi : array_like of shape (k,), or EffectSizes
        Observed effect sizes (e.g. ``escalc(...).yi``); an
        :class:`~analysis.stats.EffectSizes` brings its own ``vi``.
    vi : array_like of shape (k,)
        Sampling variances.  Give ``sei`` (standard errors) instead if
        that is what you have.
    method : str
        tau² estimator: "EE"/"FE"/"CE" (no random effect), "DL", "DLIT",
        "HE", "HS", "HSk", "SJ", "SJIT", "PM", "MP", "PMM", "GENQ" (with
        weights 1/vi), "ML", "REML" (default), "EB".
    test : str
        "z" (normal), "knha" (Knapp-Hartung: t distribution and scaled
        variances; like metafor 3.8 the scale factor is not truncated at 1),
        or "t" (t distribution, unscaled).
    mods : array_like or mapping, optional
        Moderators: a vector, a (k, m) matrix, or a dict/DataFrame of named
        moderators (categorical ones are dummy coded; see
        :mod:`analysis.stats.design`).
    level : float
        Confidence level in percent (or as a fraction).
    sei : array_like, optional
        Standard errors, used when ``vi`` is not given.
    intercept : bool
        Add an intercept to ``mods`` (default True).
    control : Control, optional
        Estimate tau² as metafor does with this ``control`` (e.g.
        :data:`analysis.stats.tau2.METAFOR_DEFAULT`, which metafor's
        ``trimfill`` uses), stopping where metafor stops; by default the
        estimate is converged to full precision.

    Returns
    -------
    RmaResult

    Raises
    ------
    MetaAnalysisError
        Where metafor refuses to fit the model (the message is metafor's).
    ConvergenceError
        When an iterative estimator does not converge.

    Notes
    -----
    Studies with a missing ``yi``, ``vi`` or moderator are left out with a
    warning (metafor's default ``na.omit``); ``included`` flags the studies
    used.  Warnings metafor would give are issued as ``RuntimeWarning`` and
    kept in ``warnings``.
    """
    notes: list[str] = []

    def warn(msg: str) -> None:
        notes.append(msg)
        warnings.warn(msg, RuntimeWarning, stacklevel=3)

    if method not in METHODS:
        raise MetaAnalysisError(f"Unknown 'method' specified: {method!r} (choose from {', '.join(METHODS)}).")
    if test not in TESTS:
        raise MetaAnalysisError(f"Invalid option selected for 'test' argument: {test!r} (choose from z, knha, t).")
    if vi is None and sei is None and hasattr(yi, "vi") and hasattr(yi, "yi"):
        yi, vi = yi.yi, yi.vi  # an EffectSizes from escalc()
    y = np.atleast_1d(np.asarray(yi, dtype=float)).ravel()
    if vi is None:
        if sei is None:
            raise MetaAnalysisError("Must specify 'vi' or 'sei' argument.")
        v = np.atleast_1d(np.asarray(sei, dtype=float)).ravel() ** 2
    else:
        v = np.atleast_1d(np.asarray(vi, dtype=float)).ravel()
    k_all = y.shape[0]
    if v.shape[0] == 1 and k_all > 1:
        v = np.repeat(v, k_all)
    if v.shape[0] != k_all:
        raise MetaAnalysisError("Length of 'yi' and 'vi' (or 'sei') is not the same.")
    vi0 = bool(np.all(v == 0))
    design = build_design(mods, k_all, intercept)
    keep = ~(np.isnan(y) | np.isnan(v) | design.missing)
    if not keep.all():
        warn("Studies with NAs omitted from model fitting.")
        y, v = y[keep], v[keep]
        if design.X is not None:
            design = Design(design.X[keep], design.names, design.intercept, design.missing[keep])
    k = int(y.shape[0])
    if k < 1:
        raise MetaAnalysisError("Processing terminated since k = 0.")
    if np.any(~np.isfinite(y)) or np.any(~np.isfinite(v)):
        raise MetaAnalysisError("Infinite values in 'yi' or 'vi'.")
    allvipos = bool(np.all(v > 0))
    if not allvipos:
        if not vi0:
            warn("There are outcomes with non-positive sampling variances.")
        if np.any(v < 0):
            v = np.where(v < 0, 0.0, v)
            warn("Negative sampling variances constrained to zero.")
    if k == 1 and test != "z":
        warn('Setting argument test="z" since k=1.')
        test = "z"
    X = design.X
    p = design.p
    if not (X is None and k == 1):
        needed = p if method in FIXED_METHODS else p + 1
        if needed > k:
            raise MetaAnalysisError(
                "Number of parameters to be estimated is larger than the number of observations."
            )

    fits = FitCache(X, v, y)
    if k == 1:
        tau2, se_tau2 = 0.0, None
    else:
        # without moderators the estimators work on y itself, sharing fits
        # with everything below; with moderators on the centred y (metafor)
        est = estimate_tau2(method, y, v, X, allvipos=allvipos, fits=fits if X is None else None,
                            control=control)
        tau2, se_tau2 = est.tau2, est.se_tau2

    return _finish(
        fits, design, tau2, se_tau2, method=method, test=test, level=level,
        allvipos=allvipos, vi0=vi0, included=keep, notes=notes, warn=warn, control=control,
    )


def _finish(
    fits: FitCache, design: Design, tau2: float, se_tau2: float | None, *, method: str,
    test: str, level: float, allvipos: bool, vi0: bool, included: np.ndarray,
    notes: list[str], warn: Any, control: Control | None = None,
) -> RmaResult:
    X, y, v = design.X, fits.y, fits.v
    k, p = int(y.shape[0]), design.p
    alpha = _alpha(level)
    if tau2 <= 0 and not allvipos:
        raise MetaAnalysisError("Division by zero when computing the inverse variance weights.")
    fit = fits(tau2)
    w = fit.w
    s2w = 1.0
    if test == "knha":
        if method in FIXED_METHODS:
            warn(f"Knapp & Hartung method is not meant to be used in the context of {method} models.")
        s2w = 0.0 if fit.Q <= np.finfo(float).eps else fit.Q / (k - p)
    beta, vb, rss, wts = fit.beta, fit.S, fit.Q, w
    if method == "GENQ":
        # metafor fits GENQ with the user weights (here 1/vi): the estimate
        # uses them and its variance is the sandwich S X'A(V + tau2)AX S
        wts = 1.0 / v
        fa = Wls(X, wts, y)
        beta = fa.beta
        vb = fa.S @ fa.cross(v + tau2) @ fa.S
        resid = y - (beta[0] if X is None else X @ beta)
        rss = float(w @ resid**2)
    vb = s2w * vb
    se = np.sqrt(np.diag(vb))
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = beta / se
    ddf = k - p if test in ("knha", "t") else None
    pval = _pvals(test, ddf, zval)
    crit = _crit(test, ddf, alpha)
    ci_lb, ci_ub = beta - crit * se, beta + crit * se

    # omnibus test of the moderators (all coefficients but the intercept)
    btt = list(range(1, p)) if design.intercept and p > 1 else list(range(p))
    m = len(btt)
    if m == 1:
        j = btt[0]
        QM = float(beta[j] ** 2 / vb[j, j]) if vb[j, j] > 0 else math.nan
    else:
        bt = beta[btt]
        try:
            QM = float(bt @ np.linalg.solve(vb[np.ix_(btt, btt)], bt))
        except np.linalg.LinAlgError:
            QM = math.nan
    if test == "z":
        QMdf: tuple[int, int | None] = (m, None)
        QMp = float(special.chdtrc(m, QM))
    else:
        QM /= m
        QMdf = (m, k - p)
        QMp = float(special.fdtrc(m, k - p, QM)) if k - p > 0 else math.nan

    # prediction interval at the first coefficient (metafor predict())
    if method in FIXED_METHODS:
        pi_lb, pi_ub = float(ci_lb[0]), float(ci_ub[0])
    else:
        half = crit * math.sqrt(vb[0, 0] + tau2)
        pi_lb, pi_ub = float(beta[0] - half), float(beta[0] + half)

    # heterogeneity: Q test with weights 1/vi, I² and H² from the typical
    # within-study variance vt = (k - p) / tr(P) (metafor's i2def "1")
    QE = QEp = I2 = H2 = vt = None
    if allvipos:
        if k > p:
            fe = fits(0.0) if X is None else Wls(X, 1.0 / v, y - y.mean())
            QE = max(0.0, fe.Q)
            QEp = float(special.chdtrc(k - p, QE))
            vt = (k - p) / fe.tr_PD()
            if method in FIXED_METHODS:
                I2 = max(0.0, 100.0 * (QE - (k - p)) / QE) if QE > 0 else 0.0
                H2 = QE / (k - p)
            else:
                I2 = 100.0 * tau2 / (vt + tau2)
                H2 = tau2 / vt + 1.0
        else:
            QE, QEp, I2, H2, vt = 0.0, 1.0, 0.0, 1.0, 0.0
    elif not vi0:
        warn(
            "Cannot compute Q-test, I^2, or H^2 when there are non-positive sampling "
            "variances in the data."
        )

    fit_stats = _fit_stats(fits, fit, rss, tau2, k, p, method, allvipos)

    R2 = None
    if X is not None and design.intercept:
        R2 = _r_squared(y, v, X, tau2, method, fit, control)

    tau2_ci = signs = tau_ci = I2_ci = H2_ci = None
    if method not in FIXED_METHODS and k > 1:
        if allvipos:
            ci = tau2_qprofile(y, v, X, tau2, alpha, fits=fits)
            tau2_ci = (ci.lb, ci.ub)
            signs = (ci.lb_sign, ci.ub_sign)
            tau_ci = (math.sqrt(ci.lb), math.sqrt(ci.ub))
            if vt is not None and vt > 0:
                I2_ci = (100 * ci.lb / (vt + ci.lb), 100 * ci.ub / (vt + ci.ub))
                H2_ci = (ci.lb / vt + 1, ci.ub / vt + 1)
        else:
            warn("Cannot compute CI for tau^2 when there are non-positive sampling variances in the data.")

    coefs = CoefTable(
        names=design.names,
        b=tuple(map(float, beta)), se=tuple(map(float, se)), zval=tuple(map(float, zval)),
        pval=tuple(map(float, pval)), ci_lb=tuple(map(float, ci_lb)), ci_ub=tuple(map(float, ci_ub)),
    )
    return RmaResult(
        b=float(beta[0]), se=float(se[0]), zval=float(zval[0]), pval=float(pval[0]),
        ci_lb=float(ci_lb[0]), ci_ub=float(ci_ub[0]), pi_lb=pi_lb, pi_ub=pi_ub,
        tau2=float(tau2), se_tau2=se_tau2, tau2_ci=tau2_ci, I2=I2, H2=H2, QE=QE, QEp=QEp,
        k=k, weights=tuple((100.0 * wts / float(wts.sum())).tolist()), QM=QM, QMp=QMp, QMdf=QMdf, R2=R2,
        coefficients=coefs, p=p, method=method, test=test, level=float(level),
        fit_stats=fit_stats, ddf=ddf, s2w=float(s2w), vt=vt, tau2_ci_signs=signs,
        tau_ci=tau_ci, I2_ci=I2_ci, H2_ci=H2_ci,
        vb=tuple(tuple(map(float, row)) for row in vb),
        included=tuple(included.tolist()), warnings=tuple(notes),
    )


def _fit_stats(
    fits: FitCache, fit: Wls, rss: float, tau2: float, k: int, p: int,
    method: str, allvipos: bool,
) -> dict[str, FitStats]:
    X = fits.X
    parms = p + (0 if method in FIXED_METHODS else 1)
    log2pi = math.log(2 * math.pi)
    sum_log = fits.sum_log_var(tau2)
    logdet_xwx = logdet_xwx_of(fit)
    logdet_xx = math.log(k) if X is None else float(np.linalg.slogdet(X.T @ X)[1])
    ll_ml = log_likelihood(reml=False, k=k, p=p, sum_log_var=sum_log, rss=rss)
    ll_reml = log_likelihood(reml=True, k=k, p=p, sum_log_var=sum_log, rss=rss, logdet_xwx=logdet_xwx,
                             logdet_xx=logdet_xx)
    if k > p:
        if allvipos:
            dev_ml = -2.0 * (ll_ml + 0.5 * (k * log2pi + fits.sum_log_var(0.0)))
        else:
            dev_ml = -2.0 * ll_ml
    else:
        dev_ml = 0.0

    def aicc(ll: float, n: int) -> float:
        n_eff = max(n, parms + 2)
        return -2 * ll + 2 * parms * n_eff / (n_eff - parms - 1)

    def bic(ll: float, n: int) -> float:
        return -2 * ll + parms * (math.log(n) if n > 0 else -math.inf)

    return {
        "ML": FitStats(ll_ml, dev_ml, -2 * ll_ml + 2 * parms, bic(ll_ml, k), aicc(ll_ml, k)),
        "REML": FitStats(
            ll_reml, -2 * ll_reml, -2 * ll_reml + 2 * parms, bic(ll_reml, k - p), aicc(ll_reml, k - p)
        ),
    }


def _r_squared(
    y: Array, v: Array, X: Array, tau2: float, method: str, fit: Wls, control: Control | None
) -> float | None:
    """Pseudo R² (percent) as metafor: the drop in tau² from the model without moderators.

    For EE/FE/CE models metafor reports the adjusted R² of the weighted
    least-squares regression instead.
    """
    k, p = X.shape
    if method in FIXED_METHODS:
        if np.var(y) == 0:
            return 0.0
        w = 1.0 / v
        fe = Wls(X, w, y)
        fitted = X @ fe.beta
        mss = float(w @ (fitted - float(w @ fitted) / float(w.sum())) ** 2)
        rss = float(w @ (y - fitted) ** 2)
        r2 = mss / (mss + rss)
        adj = 1 - (1 - r2) * (k - 1) / (k - p)
        return max(0.0, 100.0 * float(adj))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            allvipos = bool(np.all(v > 0))
            tau2_re = estimate_tau2(method, y, v, None, allvipos=allvipos, control=control).tau2
    except MetaAnalysisError:
        return None
    if tau2_re == 0.0:
        return 0.0
    return max(0.0, 100.0 * (tau2_re - tau2) / tau2_re)
