"""Forest plots as standalone SVG text, split by what they draw.

The numbers (``_Forest``) and the layout (``_ForestLayout``) are worked out
once; each ``_draw_*`` function then draws one part: headings, reference
lines, study rows, the pooled row with its prediction interval, the axis.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

import svgkit

from ._inputs import as_yi_vi
from .plots import (
    ACCENT,
    BOLD_W,
    FONT_SIZE,
    INK,
    MUTED,
    ROW,
    Transform,
    _Axis,
    _axis_ticks,
    _fit_default,
    _line,
    _num,
    _resolve_transform,
    _study_labels,
    _svg,
    _text,
    _text_width,
    _tick_label,
)

if TYPE_CHECKING:
    from .rma import RmaResult

__all__ = ["forest_svg"]


@dataclass(frozen=True)
class _Forest:
    """The numbers a forest plot draws, on the analysis scale."""

    fit: RmaResult
    yi: np.ndarray
    lo_i: np.ndarray  # study CI bounds
    hi_i: np.ndarray
    weights: np.ndarray  # percent
    b: float
    ci_lb: float
    ci_ub: float
    pi_lb: float | None
    pi_ub: float | None
    has_pi: bool
    fn: Callable[[float], float] | None
    is_ratio: bool
    level: float
    digits: int

    @property
    def k(self) -> int:
        return self.yi.size

    def shown(self, x: float) -> float:
        return x if self.fn is None else self.fn(x)

    def interval(self, est: float, a: float, c: float) -> str:
        d = self.digits
        return f"{_num(self.shown(est), d)} [{_num(self.shown(a), d)}, {_num(self.shown(c), d)}]"

    def prediction(self, sep: str) -> str:
        lb, ub = self.pi_lb, self.pi_ub
        assert lb is not None and ub is not None, "asked for a prediction interval the fit has not"
        return f"{_num(self.shown(lb), self.digits)}{sep}{_num(self.shown(ub), self.digits)}"


def _forest_numbers(yi: np.ndarray, vi: np.ndarray, result: RmaResult | None, level: float,
                   transform: Transform, digits: int) -> _Forest:
    fit = _fit_default(yi, vi, result, level)
    fn, is_ratio = _resolve_transform(transform)
    crit = stats.norm.isf((1 - level / 100) / 2)
    se = np.sqrt(vi)
    weights = np.asarray(fit.weights, dtype=float) if getattr(fit, "weights", None) is not None \
        else 100 * (1 / vi) / np.sum(1 / vi)
    b, ci_lb, ci_ub = float(fit.b), float(fit.ci_lb), float(fit.ci_ub)
    pi_lb, pi_ub = getattr(fit, "pi_lb", None), getattr(fit, "pi_ub", None)
    has_pi = (pi_lb is not None and pi_ub is not None and math.isfinite(pi_lb) and math.isfinite(pi_ub)
              and (abs(pi_lb - ci_lb) > 1e-12 or abs(pi_ub - ci_ub) > 1e-12))
    return _Forest(fit, yi, yi - crit * se, yi + crit * se, weights, b, ci_lb, ci_ub, pi_lb, pi_ub, has_pi,
                   fn, is_ratio, level, digits)


def _forest_range(f: _Forest, xlim: tuple[float, float] | None,
                  null_value: float | None) -> tuple[float, float, list[float]]:
    """Axis range on the analysis scale and its ticks: everything drawn, or ``xlim``."""
    if xlim is not None:
        lo, hi = float(min(xlim)), float(max(xlim))
        return lo, hi, [t for t in _axis_ticks(lo, hi, f.fn, f.is_ratio)[2] if lo - 1e-12 <= t <= hi + 1e-12]
    pts = [*f.lo_i, *f.hi_i, f.ci_lb, f.ci_ub, f.b]
    if f.has_pi:
        pts += [f.pi_lb, f.pi_ub]
    if null_value is not None:
        pts.append(null_value)
    return _axis_ticks(float(np.min(pts)), float(np.max(pts)), f.fn, f.is_ratio)


def _pooled_label(fit: RmaResult) -> str:
    method = getattr(fit, "method", None)
    return ("Fixed-effect model" if method in ("FE", "EE", "CE")
            else f"Random-effects model ({method})" if method else "Pooled estimate")


@dataclass(frozen=True)
class _ForestLayout:
    """Where everything goes: columns (x) and rows (y), and the texts that set their widths."""

    labels: list[str]
    shown_labels: list[str]  # cut to fit
    pooled_label: str
    ci_texts: list[str]
    pooled_text: str
    est_head: str
    ax: _Axis
    margin: float
    est_x: float  # right edge of the estimate column
    weight_x: float  # right edge of the weight column
    width: float
    head_y: float
    first_row: float
    pooled_y: float
    axis_y: float
    het_y: float
    height: float

    def row_y(self, i: int) -> float:
        return self.first_row + i * ROW


def _forest_layout(f: _Forest, labels: list[str], pooled_label: str, effect_label: str, lo: float, hi: float,
                   width: float, xlab: str | None, show_heterogeneity: bool) -> _ForestLayout:
    max_label_chars = 42
    shown_labels = [s if len(s) <= max_label_chars else s[: max_label_chars - 1] + "\u2026" for s in labels]
    # The pooled label is bold (about 12 % wider); without its true width the prediction
    # interval, which may start at the axis's left end, ran into it.
    label_w = max([_text_width(s) for s in shown_labels] + [_text_width(pooled_label) * BOLD_W,
                                                            _text_width("Study") * BOLD_W]) + 24
    ci_texts = [f.interval(y, a, c) for y, a, c in zip(f.yi, f.lo_i, f.hi_i, strict=True)]
    pooled_text = f.interval(f.b, f.ci_lb, f.ci_ub)
    est_head = f"{effect_label} [{f.level:g}% CI]"
    est_w = max(_text_width(s) for s in ci_texts + [pooled_text, est_head]) + 12
    weight_w = _text_width("Weight") + 30
    margin = 16
    plot_x0 = margin + label_w
    plot_x1 = width - margin - weight_w - est_w - 12
    if plot_x1 - plot_x0 < 200:  # keep the drawing readable with long labels
        plot_x1 = plot_x0 + 200
        width = int(plot_x1 + 12 + est_w + weight_w + margin)
    est_x = plot_x1 + 12 + est_w
    head_y = 28 + FONT_SIZE
    first_row = head_y + 14 + ROW / 2
    pooled_y = first_row + (f.k + 0.6) * ROW
    axis_y = pooled_y + ROW * 1.1
    het_y = axis_y + 30 + (22 if xlab else 0) + 8
    height = (het_y + 12 if show_heterogeneity else axis_y + 30 + (22 if xlab else 0)) + 10
    return _ForestLayout(labels, shown_labels, pooled_label, ci_texts, pooled_text, est_head,
                         _Axis(lo, hi, plot_x0 + 6, plot_x1 - 6), margin, est_x, est_x + weight_w - 4, width,
                         head_y, first_row, pooled_y, axis_y, het_y, height)


def _draw_headings(L: _ForestLayout) -> list[str]:
    return [
        _text(L.margin, L.head_y, "Study", weight="600"),
        _text(L.est_x, L.head_y, L.est_head, anchor="end", weight="600"),
        _text(L.weight_x, L.head_y, "Weight", anchor="end", weight="600"),
        _line(L.margin, L.head_y + 7, L.weight_x, L.head_y + 7, stroke="#c9d1da"),
    ]


def _draw_reference_lines(f: _Forest, L: _ForestLayout, null_value: float | None) -> list[str]:
    """The null line, and a dotted line at the pooled estimate as in many forest plots."""
    ax, body = L.ax, []
    if null_value is not None and ax.lo <= null_value <= ax.hi:
        body.append(_line(ax(null_value), L.head_y + 10, ax(null_value), L.axis_y, stroke=MUTED, width=1,
                          cls="null-line"))
    if ax.lo <= f.b <= ax.hi:
        body.append(_line(ax(f.b), L.first_row - ROW / 2, ax(f.b), L.pooled_y, stroke=ACCENT, width=0.8,
                          dash="2 3", cls="pooled-line"))
    return body


def _draw_study_interval(f: _Forest, L: _ForestLayout, i: int, y: float) -> list[str]:
    """A study's CI line; one running off the axis ends in an arrowhead at the edge, as in metafor."""
    ax, body = L.ax, []
    a, c = max(f.lo_i[i], ax.lo), min(f.hi_i[i], ax.hi)
    if c >= a:
        body.append(_line(ax(a), y, ax(c), y, stroke=INK, width=1.2))
    if f.lo_i[i] < ax.lo:
        body.append(svgkit.element("path", class_="ci-arrow", d=f"M{ax(ax.lo):.1f},{y:.1f} l6,-3.5 v7 z", fill=INK))
    if f.hi_i[i] > ax.hi:
        body.append(svgkit.element("path", class_="ci-arrow", d=f"M{ax(ax.hi):.1f},{y:.1f} l-6,-3.5 v7 z", fill=INK))
    return body


def _draw_study_rows(f: _Forest, L: _ForestLayout) -> list[str]:
    ax, fs = L.ax, FONT_SIZE
    wmax = float(np.max(f.weights)) if np.max(f.weights) > 0 else 1.0
    body = ['<g class="studies">']
    for i in range(f.k):
        y = L.row_y(i)
        truncated = L.shown_labels[i] != L.labels[i]
        body.append(_text(L.margin, y + fs * 0.35, L.shown_labels[i], tooltip=L.labels[i] if truncated else None))
        body += _draw_study_interval(f, L, i, y)
        # square area proportional to the weight (side ∝ sqrt), as the eye reads areas
        side = max(4.0, (ROW - 4) * math.sqrt(max(f.weights[i], 0) / wmax))
        if ax.lo <= f.yi[i] <= ax.hi:
            tip = svgkit.title(f"{L.labels[i]}: {L.ci_texts[i]}, weight {f.weights[i]:.1f}%")
            body.append(svgkit.rect(f"{ax(f.yi[i]) - side / 2:.1f}", f"{y - side / 2:.1f}", f"{side:.1f}",
                                    f"{side:.1f}", tip, class_="study-marker", fill=ACCENT))
        body.append(_text(L.est_x, y + fs * 0.35, L.ci_texts[i], anchor="end", cls="num"))
        body.append(_text(L.weight_x, y + fs * 0.35, f"{f.weights[i]:.1f}%", anchor="end", cls="num"))
    body.append("</g>")
    return body


def _draw_prediction_interval(f: _Forest, L: _ForestLayout) -> list[str]:
    """Dotted, with end bars where it ends inside the axis (metafor's addpred)."""
    lb, ub = f.pi_lb, f.pi_ub
    if not f.has_pi or lb is None or ub is None:
        return []
    ax, y = L.ax, L.pooled_y
    pa, pc = ax(max(lb, ax.lo)), ax(min(ub, ax.hi))
    return [svgkit.element("g", [
        svgkit.title(f"{f.level:g}% prediction interval: {f.prediction(' to ')}"),
        _line(pa, y, pc, y, stroke=INK, width=1.2, dash="3 3"),
        _line(pa, y - 4, pa, y + 4, stroke=INK, width=1.2) if lb >= ax.lo else "",
        _line(pc, y - 4, pc, y + 4, stroke=INK, width=1.2) if ub <= ax.hi else ""], class_="prediction-interval")]


def _draw_pooled_row(f: _Forest, L: _ForestLayout) -> list[str]:
    """The prediction interval behind the diamond, the diamond, and the row's texts."""
    ax, y, fs = L.ax, L.pooled_y, FONT_SIZE
    body = [_line(L.margin, y - ROW * 0.55, L.weight_x, y - ROW * 0.55, stroke="#c9d1da")]
    body += _draw_prediction_interval(f, L)
    dl, dc, dr = ax(max(f.ci_lb, ax.lo)), ax(min(max(f.b, ax.lo), ax.hi)), ax(min(f.ci_ub, ax.hi))
    half = ROW * 0.32
    points = f"{dl:.1f},{y:.1f} {dc:.1f},{y - half:.1f} {dr:.1f},{y:.1f} {dc:.1f},{y + half:.1f}"
    body.append(svgkit.element("polygon", svgkit.title(f"{L.pooled_label}: {L.pooled_text}"),
                               class_="pooled-diamond", points=points, fill=INK))
    body.append(_text(L.margin, y + fs * 0.35, L.pooled_label, weight="600"))
    body.append(_text(L.est_x, y + fs * 0.35, L.pooled_text, anchor="end", weight="600", cls="num"))
    body.append(_text(L.weight_x, y + fs * 0.35, "100%", anchor="end", weight="600", cls="num"))
    return body


def _draw_axis(f: _Forest, L: _ForestLayout, ticks: list[float], xlab: str | None) -> list[str]:
    ax, y = L.ax, L.axis_y
    body = [_line(ax.x0, y, ax.x1, y, stroke=INK)]
    for t in ticks:
        if ax.lo - 1e-12 <= t <= ax.hi + 1e-12:
            body.append(_line(ax(t), y, ax(t), y + 5, stroke=INK))
            body.append(_text(ax(t), y + 19, _tick_label(t, f.fn, f.is_ratio), anchor="middle",
                              size=FONT_SIZE - 1, cls="tick"))
    if xlab:
        body.append(_text((ax.x0 + ax.x1) / 2, y + 40, xlab, anchor="middle"))
    return body


def forest_svg(yi: ArrayLike, vi: ArrayLike, labels: Sequence[str] | None = None, result: RmaResult | None = None,
               *, transform: Transform = None,
               level: float = 95, xlab: str | None = None, effect_label: str = "Estimate",
               null_value: float | None = 0.0, xlim: tuple[float, float] | None = None,
               pooled_label: str | None = None, show_heterogeneity: bool = True,
               digits: int = 2, title: str | None = None, width: int = 860) -> str:
    """Forest plot of the studies and the pooled estimate, as an SVG string.

    Parameters
    ----------
    yi, vi : array_like of shape (k,)
        Effect sizes and sampling variances (on the analysis scale, e.g. log
        odds ratios).
    labels : sequence of str of length k, optional
        Study labels ("Study 1", ... when None).
    result : RmaResult, optional
        Fitted model (fields b, ci_lb, ci_ub, pi_lb, pi_ub, weights, tau2,
        I2, QE, QEp, k, level). Fitted with :func:`analysis.stats.rma`
        (REML) when None.
    transform : None, "exp" or callable
        Applied to estimates, CI bounds and tick labels, as metafor's
        ``atransf``; "exp" (or ``np.exp``) puts ratios on a log axis with
        ticks at 0.1, 0.2, 0.5, 1, 2, ...
    level : float
        Confidence level (percent) of the study CIs.
    xlab : str, optional
        Axis title.
    effect_label : str
        Heading of the estimate column.
    null_value : float or None
        Position of the reference line on the analysis scale (0, which is a
        ratio of 1 under "exp"); None for no line.
    xlim : (float, float), optional
        Axis limits on the analysis scale; CIs beyond them end in arrows.
    pooled_label : str, optional
        Label of the pooled row (default from the model's method).
    show_heterogeneity : bool
        Print Q, I2 and tau2 under the pooled row.
    digits : int
        Decimals of the printed numbers.
    title : str, optional
        Accessible title of the SVG.
    width : int
        Width in px.

    Returns
    -------
    str
        A standalone SVG document.
    """
    yi, vi = as_yi_vi(yi, vi)
    labels = _study_labels(labels, yi.size)
    f = _forest_numbers(yi, vi, result, level, transform, digits)
    lo, hi, ticks = _forest_range(f, xlim, null_value)
    L = _forest_layout(f, labels, pooled_label or _pooled_label(f.fit), effect_label, lo, hi, width, xlab,
                       show_heterogeneity)
    body = [*_draw_headings(L), *_draw_reference_lines(f, L, null_value), *_draw_study_rows(f, L),
            *_draw_pooled_row(f, L)]
    if show_heterogeneity:
        body.append(_text(L.margin, L.het_y, _heterogeneity_line(f), size=FONT_SIZE - 1.5, fill=MUTED,
                          cls="heterogeneity"))
    body += _draw_axis(f, L, ticks, xlab)
    desc = (f"{f.k} studies. Pooled {effect_label.lower()} {L.pooled_text} ({level:g}% CI)."
            + (f" Prediction interval {f.prediction(' to ')}." if f.has_pi else ""))
    return _svg(L.width, L.height, title or f"Forest plot of {f.k} studies", desc, body)


def _heterogeneity_line(f: _Forest) -> str:
    fit, parts = f.fit, []
    QE, QEp = getattr(fit, "QE", None), getattr(fit, "QEp", None)
    if QE is not None and math.isfinite(QE):
        p = "p < 0.001" if QEp is not None and QEp < 0.001 else f"p = {QEp:.3f}" if QEp is not None else ""
        parts.append(f"Q = {QE:.2f}, df = {f.k - 1}, {p}".rstrip(", "))
    I2 = getattr(fit, "I2", None)
    if I2 is not None and math.isfinite(I2):
        parts.append(f"I\u00b2 = {I2:.1f}%")
    tau2 = getattr(fit, "tau2", None)
    if tau2 is not None and getattr(fit, "method", None) not in ("FE", "EE", "CE"):
        parts.append(f"\u03c4\u00b2 = {_num(tau2, 4)}")
    if f.has_pi:
        parts.append(f"{f.level:g}% PI {f.prediction(' to ')}")
    return "Heterogeneity: " + "; ".join(parts) if parts else ""


