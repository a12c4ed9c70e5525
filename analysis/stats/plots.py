"""Forest and funnel plots as standalone SVG text (no plotting library).

The drawings follow metafor's ``forest.rma`` and ``funnel.rma``: squares
sized by weight with confidence-interval lines, the pooled diamond with the
prediction interval as a dotted line with end bars (``addpred=TRUE``); a
funnel of effect against standard error with the pseudo-confidence region.
Labels are XML-escaped; each SVG carries a viewBox and a <title>/<desc> for
screen readers.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from gettext import ngettext  # the standard library's: the engine imports no Django
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from scipy import optimize, stats

from ._inputs import as_yi_vi
from .errors import MetaAnalysisError

__all__ = ["forest_svg", "funnel_svg"]

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
FONT_SIZE = 13
ROW = 22  # px per study row: room for 13 px text and the largest square
# average advance of a character of the sans-serif font, as a share of its
# size; used to lay out columns without measuring text
CHAR_W = 0.56
BOLD_W = 1.12
INK = "#1f2933"
MUTED = "#5f6b7a"
ACCENT = "#1d4e89"
MINUS = "\u2212"


# ------------------------------------------------------------------ helpers

def _num(x: float, digits: int = 2) -> str:
    if not math.isfinite(x):
        return "NA"
    s = f"{x:.{digits}f}"
    if s.startswith("-") and float(s) != 0:
        return MINUS + s[1:]
    return s.lstrip("-")  # no "-0.00"


# Text whose digits line up in columns (estimates, weights, axis ticks).
TABULAR_CLASSES = ("num", "tick")


def _text_width(s: str, size: float = FONT_SIZE) -> float:
    return len(s) * size * CHAR_W


def _text(x: float, y: float, s: str, *, anchor: str = "start", size: float = FONT_SIZE,
          weight: str | None = None, fill: str = INK, cls: str | None = None, tooltip: str | None = None) -> str:
    attrs = f'x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{fill}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if weight:
        attrs += f' font-weight="{weight}"'
    if cls:
        attrs += f' class="{cls}"'
    if cls in TABULAR_CLASSES:
        # A presentation attribute, not a <style> element: pages embed the SVG under a CSP that
        # forbids inline style, and the standalone file looks the same.
        attrs += ' font-variant="tabular-nums"'
    inner = escape(s)
    if tooltip:
        inner = f"<title>{escape(tooltip)}</title>{inner}"
    return f"<text {attrs}>{inner}</text>"


def _line(x1, y1, x2, y2, *, stroke=INK, width=1.0, dash: str | None = None, cls: str | None = None) -> str:
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    extra += f' class="{cls}"' if cls else ""
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{stroke}" stroke-width="{width:g}"{extra}/>')


def _svg(width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    w, h = math.ceil(width), math.ceil(height)
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        f'role="img" aria-labelledby="plot-title plot-desc" font-family={quoteattr(FONT)}>',
        f'<title id="plot-title">{escape(title)}</title>',
        f'<desc id="plot-desc">{escape(desc)}</desc>',
        f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
        *body,
        "</svg>",
    ])


def _nice_step(span: float, target: int = 6) -> float:
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _linear_ticks(lo: float, hi: float) -> list[float]:
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    step = _nice_step(hi - lo)
    start = math.floor(lo / step + 1e-9) * step
    stop = math.ceil(hi / step - 1e-9) * step
    n = int(round((stop - start) / step))
    return [round(start + i * step, 12) for i in range(n + 1)]


def _ratio_ticks(lo: float, hi: float) -> list[float]:
    """Ticks on a log axis (positions in log units) at readable ratios.

    The 1-2-5 series unless that crowds the axis (then powers of ten) or
    leaves it nearly bare (then 1, 1.5, 2, 3, 5, 7).
    """
    def series(mantissas):
        cands = sorted(m * 10.0**e for e in range(-8, 9) for m in mantissas)
        below = [c for c in cands if math.log(c) <= lo + 1e-12]
        above = [c for c in cands if math.log(c) >= hi - 1e-12]
        first = below[-1] if below else cands[0]
        last = above[0] if above else cands[-1]
        return [math.log(c) for c in cands if first <= c <= last]

    ticks = series((1, 2, 5))
    if len(ticks) > 9:
        ticks = series((1,))
    elif len(ticks) < 4:
        ticks = series((1, 1.5, 2, 3, 5, 7))
    return ticks


def _resolve_transform(transform) -> tuple[Callable[[float], float] | None, bool]:
    """(function, is_log_ratio): 'exp' or np.exp give a ratio axis with ratio ticks."""
    if transform is None:
        return None, False
    if transform == "exp" or transform is np.exp or transform is math.exp:
        return math.exp, True
    if callable(transform):
        return (lambda x: float(transform(x))), False
    raise MetaAnalysisError("transform must be None, 'exp' or a callable.")


def _tick_label(pos: float, fn, is_ratio: bool) -> str:
    value = pos if fn is None else fn(pos)
    text = f"{round(value, 10):g}"
    return MINUS + text[1:] if text.startswith("-") else text


def _transformed_ticks(lo: float, hi: float, fn) -> list[float]:
    """Positions (analysis scale) of nice values on the transformed scale.

    For a monotone transform such as the inverse logit, ticks at 0.2, 0.4,
    ... read better than transformed round logits; positions are found by
    inverting ``fn`` numerically.
    """
    a, b = fn(lo), fn(hi)
    if not (math.isfinite(a) and math.isfinite(b)) or a == b:
        return _linear_ticks(lo, hi)
    values = [t for t in _linear_ticks(min(a, b), max(a, b)) if min(a, b) <= t <= max(a, b)]
    ticks = []
    for t in values:
        try:
            ticks.append(optimize.brentq(lambda x, t=t: fn(x) - t, lo, hi, xtol=1e-12))
        except ValueError:  # transform not monotone here
            return _linear_ticks(lo, hi)
    return sorted(ticks) if len(ticks) >= 2 else _linear_ticks(lo, hi)


def _axis_ticks(lo: float, hi: float, fn, is_ratio: bool) -> tuple[float, float, list[float]]:
    """Axis range widened to whole ticks (ratio and linear axes) and the tick positions."""
    if fn is not None and not is_ratio:
        ticks = _transformed_ticks(lo, hi, fn)
    else:
        ticks = _ratio_ticks(lo, hi) if is_ratio else _linear_ticks(lo, hi)
    return min(lo, ticks[0]), max(hi, ticks[-1]), ticks


@dataclass(frozen=True)
class _Axis:
    lo: float
    hi: float
    x0: float
    x1: float

    def __call__(self, v: float) -> float:
        return self.x0 + (v - self.lo) / (self.hi - self.lo) * (self.x1 - self.x0)


def _fit_default(yi, vi, result, level):
    if result is not None:
        return result
    from .rma import rma

    return rma(yi, vi, level=level)


# -------------------------------------------------------------------- forest

def _study_labels(labels, k: int) -> list[str]:
    if labels is None:
        return [f"Study {i + 1}" for i in range(k)]
    labels = [str(s) for s in labels]
    if len(labels) != k:
        raise MetaAnalysisError(f"{len(labels)} labels for {k} studies.")
    return labels


def forest_svg(yi, vi, labels: Sequence[str] | None = None, result=None, *, transform=None,
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
    k = yi.size
    labels = _study_labels(labels, k)
    fit = _fit_default(yi, vi, result, level)
    fn, is_ratio = _resolve_transform(transform)
    shown = fn if fn is not None else (lambda x: x)

    crit = stats.norm.isf((1 - level / 100) / 2)
    se = np.sqrt(vi)
    lo_i, hi_i = yi - crit * se, yi + crit * se
    weights = np.asarray(fit.weights, dtype=float) if getattr(fit, "weights", None) is not None \
        else 100 * (1 / vi) / np.sum(1 / vi)
    b, ci_lb, ci_ub = float(fit.b), float(fit.ci_lb), float(fit.ci_ub)
    pi_lb, pi_ub = getattr(fit, "pi_lb", None), getattr(fit, "pi_ub", None)
    has_pi = (pi_lb is not None and pi_ub is not None and math.isfinite(pi_lb) and math.isfinite(pi_ub)
              and (abs(pi_lb - ci_lb) > 1e-12 or abs(pi_ub - ci_ub) > 1e-12))

    # ---- axis range on the analysis scale
    if xlim is None:
        pts = [*lo_i, *hi_i, ci_lb, ci_ub, b]
        if has_pi:
            pts += [pi_lb, pi_ub]
        if null_value is not None:
            pts.append(null_value)
        lo, hi, ticks = _axis_ticks(float(np.min(pts)), float(np.max(pts)), fn, is_ratio)
    else:
        lo, hi = float(min(xlim)), float(max(xlim))
        ticks = [t for t in _axis_ticks(lo, hi, fn, is_ratio)[2] if lo - 1e-12 <= t <= hi + 1e-12]

    # ---- column layout
    fs = FONT_SIZE
    max_label_chars = 42
    shown_labels = [s if len(s) <= max_label_chars else s[: max_label_chars - 1] + "\u2026" for s in labels]
    method = getattr(fit, "method", None)
    if pooled_label is None:
        pooled_label = ("Fixed-effect model" if method in ("FE", "EE", "CE")
                        else f"Random-effects model ({method})" if method else "Pooled estimate")
    # The pooled label is bold (about 12 % wider); without its true width the prediction
    # interval, which may start at the axis's left end, ran into it.
    label_w = max([_text_width(s) for s in shown_labels] + [_text_width(pooled_label) * BOLD_W,
                                                            _text_width("Study") * BOLD_W]) + 24
    ci_texts = [f"{_num(shown(y), digits)} [{_num(shown(a), digits)}, {_num(shown(c), digits)}]"
                for y, a, c in zip(yi, lo_i, hi_i, strict=True)]
    pooled_text = f"{_num(shown(b), digits)} [{_num(shown(ci_lb), digits)}, {_num(shown(ci_ub), digits)}]"
    est_head = f"{effect_label} [{level:g}% CI]"
    est_w = max(_text_width(s) for s in ci_texts + [pooled_text, est_head]) + 12
    weight_w = _text_width("Weight") + 30
    margin = 16
    plot_x0 = margin + label_w
    plot_x1 = width - margin - weight_w - est_w - 12
    if plot_x1 - plot_x0 < 200:  # keep the drawing readable with long labels
        plot_x1 = plot_x0 + 200
        width = int(plot_x1 + 12 + est_w + weight_w + margin)
    ax = _Axis(lo, hi, plot_x0 + 6, plot_x1 - 6)
    est_x = plot_x1 + 12 + est_w  # right edge of the estimate column
    weight_x = est_x + weight_w - 4  # right edge of the weight column

    top = 28
    head_y = top + fs
    first_row = head_y + 14 + ROW / 2
    row_y = [first_row + i * ROW for i in range(k)]
    pooled_y = first_row + (k + 0.6) * ROW
    axis_y = pooled_y + ROW * 1.1
    het_y = axis_y + 30 + (22 if xlab else 0) + 8
    height = (het_y + 12 if show_heterogeneity else axis_y + 30 + (22 if xlab else 0)) + 10

    body: list[str] = []
    # headings
    body.append(_text(margin, head_y, "Study", weight="600"))
    body.append(_text(est_x, head_y, est_head, anchor="end", weight="600"))
    body.append(_text(weight_x, head_y, "Weight", anchor="end", weight="600"))
    body.append(_line(margin, head_y + 7, weight_x, head_y + 7, stroke="#c9d1da"))

    # reference line at the null
    if null_value is not None and lo <= null_value <= hi:
        body.append(_line(ax(null_value), head_y + 10, ax(null_value), axis_y, stroke=MUTED, width=1,
                          cls="null-line"))
    # vertical dotted line at the pooled estimate, as in many forest plots
    if lo <= b <= hi:
        body.append(_line(ax(b), first_row - ROW / 2, ax(b), pooled_y, stroke=ACCENT, width=0.8,
                          dash="2 3", cls="pooled-line"))

    # study rows
    wmax = float(np.max(weights)) if np.max(weights) > 0 else 1.0
    body.append('<g class="studies">')
    for i in range(k):
        y = row_y[i]
        truncated = shown_labels[i] != labels[i]
        body.append(_text(margin, y + fs * 0.35, shown_labels[i], tooltip=labels[i] if truncated else None))
        a, c = max(lo_i[i], lo), min(hi_i[i], hi)
        if c >= a:
            body.append(_line(ax(a), y, ax(c), y, stroke=INK, width=1.2))
        # a CI running off the axis ends in an arrowhead at the edge, as in metafor
        if lo_i[i] < lo:
            body.append(f'<path class="ci-arrow" d="M{ax(lo):.1f},{y:.1f} l6,-3.5 v7 z" fill="{INK}"/>')
        if hi_i[i] > hi:
            body.append(f'<path class="ci-arrow" d="M{ax(hi):.1f},{y:.1f} l-6,-3.5 v7 z" fill="{INK}"/>')
        # square area proportional to the weight (side ∝ sqrt), as the eye reads areas
        side = max(4.0, (ROW - 4) * math.sqrt(max(weights[i], 0) / wmax))
        if lo <= yi[i] <= hi:
            body.append(f'<rect class="study-marker" x="{ax(yi[i]) - side / 2:.1f}" y="{y - side / 2:.1f}" '
                        f'width="{side:.1f}" height="{side:.1f}" fill="{ACCENT}">'
                        f"<title>{escape(labels[i])}: {escape(ci_texts[i])}, "
                        f"weight {weights[i]:.1f}%</title></rect>")
        body.append(_text(est_x, y + fs * 0.35, ci_texts[i], anchor="end", cls="num"))
        body.append(_text(weight_x, y + fs * 0.35, f"{weights[i]:.1f}%", anchor="end", cls="num"))
    body.append("</g>")

    # pooled row: prediction interval behind the diamond, then the diamond
    body.append(_line(margin, pooled_y - ROW * 0.55, weight_x, pooled_y - ROW * 0.55, stroke="#c9d1da"))
    if has_pi:
        pa, pc = ax(max(pi_lb, lo)), ax(min(pi_ub, hi))
        body.append('<g class="prediction-interval">'
                    f"<title>{level:g}% prediction interval: {_num(shown(pi_lb), digits)} to "
                    f"{_num(shown(pi_ub), digits)}</title>"
                    + _line(pa, pooled_y, pc, pooled_y, stroke=INK, width=1.2, dash="3 3")
                    + (_line(pa, pooled_y - 4, pa, pooled_y + 4, stroke=INK, width=1.2) if pi_lb >= lo else "")
                    + (_line(pc, pooled_y - 4, pc, pooled_y + 4, stroke=INK, width=1.2) if pi_ub <= hi else "")
                    + "</g>")
    dl, dc, dr = ax(max(ci_lb, lo)), ax(min(max(b, lo), hi)), ax(min(ci_ub, hi))
    half = ROW * 0.32
    body.append(f'<polygon class="pooled-diamond" points="{dl:.1f},{pooled_y:.1f} {dc:.1f},{pooled_y - half:.1f} '
                f'{dr:.1f},{pooled_y:.1f} {dc:.1f},{pooled_y + half:.1f}" fill="{INK}">'
                f"<title>{escape(pooled_label)}: {escape(pooled_text)}</title></polygon>")
    body.append(_text(margin, pooled_y + fs * 0.35, pooled_label, weight="600"))
    body.append(_text(est_x, pooled_y + fs * 0.35, pooled_text, anchor="end", weight="600", cls="num"))
    body.append(_text(weight_x, pooled_y + fs * 0.35, "100%", anchor="end", weight="600", cls="num"))
    if show_heterogeneity:
        body.append(_text(margin, het_y, _heterogeneity_line(fit, k, has_pi, pi_lb, pi_ub, shown, digits, level),
                          size=fs - 1.5, fill=MUTED, cls="heterogeneity"))

    # axis
    body.append(_line(ax.x0, axis_y, ax.x1, axis_y, stroke=INK))
    for t in ticks:
        if lo - 1e-12 <= t <= hi + 1e-12:
            body.append(_line(ax(t), axis_y, ax(t), axis_y + 5, stroke=INK))
            body.append(_text(ax(t), axis_y + 19, _tick_label(t, fn, is_ratio), anchor="middle", size=fs - 1,
                              cls="tick"))
    if xlab:
        body.append(_text((ax.x0 + ax.x1) / 2, axis_y + 40, xlab, anchor="middle"))

    title = title or f"Forest plot of {k} studies"
    desc = (f"{k} studies. Pooled {effect_label.lower()} {pooled_text} ({level:g}% CI)."
            + (f" Prediction interval {_num(shown(pi_lb), digits)} to {_num(shown(pi_ub), digits)}."
               if has_pi else ""))
    return _svg(width, height, title, desc, body)


def _heterogeneity_line(fit, k, has_pi, pi_lb, pi_ub, shown, digits, level) -> str:
    parts = []
    QE, QEp = getattr(fit, "QE", None), getattr(fit, "QEp", None)
    if QE is not None and math.isfinite(QE):
        p = "p < 0.001" if QEp is not None and QEp < 0.001 else f"p = {QEp:.3f}" if QEp is not None else ""
        parts.append(f"Q = {QE:.2f}, df = {k - 1}, {p}".rstrip(", "))
    I2 = getattr(fit, "I2", None)
    if I2 is not None and math.isfinite(I2):
        parts.append(f"I\u00b2 = {I2:.1f}%")
    tau2 = getattr(fit, "tau2", None)
    if tau2 is not None and getattr(fit, "method", None) not in ("FE", "EE", "CE"):
        parts.append(f"\u03c4\u00b2 = {_num(tau2, 4)}")
    if has_pi:
        parts.append(f"{level:g}% PI {_num(shown(pi_lb), digits)} to {_num(shown(pi_ub), digits)}")
    return "Heterogeneity: " + "; ".join(parts) if parts else ""


# -------------------------------------------------------------------- funnel

def funnel_svg(yi, vi, result=None, *, trimfill=None, level: float = 95, transform=None,
               xlab: str = "Observed outcome", labels: Sequence[str] | None = None,
               title: str | None = None, width: int = 560, height: int = 440) -> str:
    """Funnel plot (effect against standard error, SE axis inverted), as SVG.

    Parameters
    ----------
    yi, vi : array_like of shape (k,)
        Effect sizes and sampling variances.
    result : RmaResult, optional
        Fitted model whose estimate centres the funnel (REML fit when None).
    trimfill : TrimfillResult, optional
        A :func:`analysis.stats.trimfill` result: its filled studies are
        drawn as hollow circles and its adjusted estimate centres the funnel,
        as metafor's ``funnel`` of a trim-and-fill object.
    level : float
        Level (percent) of the pseudo-confidence region ``b ± z * SE``.
    transform : None, "exp" or callable
        Tick labels on the transformed scale (e.g. ratios for log ratios).
    xlab : str
        Horizontal axis title.
    labels : sequence of str, optional
        Study labels, used as tooltips.
    title : str, optional
        Accessible title.
    width, height : int
        Size in px.

    Returns
    -------
    str
        A standalone SVG document.
    """
    yi, vi = as_yi_vi(yi, vi)
    k = yi.size
    labels = _study_labels(labels, k)
    if trimfill is not None:
        ys = np.asarray(trimfill.yi, float)
        ses = np.sqrt(np.asarray(trimfill.vi, float))
        filled = np.asarray(trimfill.fill, bool)
        centre = float(trimfill.b)
        tips = labels + [f"Filled {j + 1}" for j in range(int(filled.sum()))]
    else:
        ys, ses, filled = yi, np.sqrt(vi), np.zeros(k, bool)
        centre = float(_fit_default(yi, vi, result, level).b)
        tips = labels
    fn, is_ratio = _resolve_transform(transform)
    crit = stats.norm.isf((1 - level / 100) / 2)

    se_ticks = _linear_ticks(0.0, float(np.max(ses)) if np.max(ses) > 0 else 1.0)
    se_max = se_ticks[-1]
    xlo = min(float(np.min(ys)), centre - crit * se_max)
    xhi = max(float(np.max(ys)), centre + crit * se_max)
    pad = 0.04 * (xhi - xlo or 1.0)
    xlo, xhi = xlo - pad, xhi + pad
    x_ticks = [t for t in _axis_ticks(xlo, xhi, fn, is_ratio)[2] if xlo <= t <= xhi]

    fs = FONT_SIZE
    left, right, top, bottom = 64, 18, 18, 58
    ax = _Axis(xlo, xhi, left, width - right)

    def sy(se: float) -> float:
        return top + se / se_max * (height - top - bottom)

    body: list[str] = []
    x0, x1, y0, y1 = left, width - right, top, height - bottom
    body.append(f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="#e9edf1"/>')
    tri = [(ax(centre), sy(0)), (ax(centre - crit * se_max), sy(se_max)), (ax(centre + crit * se_max), sy(se_max))]
    body.append('<polygon class="funnel-region" points="'
                + " ".join(f"{px:.1f},{py:.1f}" for px, py in tri) + '" fill="#ffffff"/>')
    for side in (-1, 1):
        body.append(_line(ax(centre), sy(0), ax(centre + side * crit * se_max), sy(se_max),
                          stroke=MUTED, dash="4 3"))
    body.append(_line(ax(centre), sy(0), ax(centre), sy(se_max), stroke=INK, width=1.2, cls="pooled-line"))
    for t in se_ticks[1:-1]:
        body.append(_line(x0, sy(t), x1, sy(t), stroke="#ffffff", width=0.8))

    body.append('<g class="studies">')
    for i in range(ys.size):
        cls = "study-marker filled-study" if filled[i] else "study-marker"
        fill = "#ffffff" if filled[i] else INK
        tip = f"{tips[i]}: {_num(fn(ys[i]) if fn else ys[i], 2)}, SE {ses[i]:.3f}"
        body.append(f'<circle class="{cls}" cx="{ax(ys[i]):.1f}" cy="{sy(ses[i]):.1f}" r="4.2" '
                    f'fill="{fill}" stroke="{INK}" stroke-width="1.2"><title>{escape(tip)}</title></circle>')
    body.append("</g>")

    # axes
    body.append(_line(x0, y1, x1, y1, stroke=INK))
    body.append(_line(x0, y0, x0, y1, stroke=INK))
    for t in x_ticks:
        body.append(_line(ax(t), y1, ax(t), y1 + 5, stroke=INK))
        body.append(_text(ax(t), y1 + 19, _tick_label(t, fn, is_ratio), anchor="middle", size=fs - 1, cls="tick"))
    for t in se_ticks:
        body.append(_line(x0 - 5, sy(t), x0, sy(t), stroke=INK))
        body.append(_text(x0 - 8, sy(t) + 4, _num(t, 3).rstrip("0").rstrip(".") or "0", anchor="end",
                          size=fs - 1, cls="tick"))
    body.append(_text((x0 + x1) / 2, height - 14, xlab, anchor="middle"))
    body.append(f'<text x="16" y="{(y0 + y1) / 2:.1f}" font-size="{fs}" fill="{INK}" text-anchor="middle" '
                f'transform="rotate(-90 16 {(y0 + y1) / 2:.1f})">Standard Error</text>')

    n_fill = int(filled.sum())
    title = title or f"Funnel plot of {k} studies"
    desc = (f"Effect sizes of {k} studies against their standard errors, with the {level:g}% pseudo-confidence "
            f"region around the estimate {_num(fn(centre) if fn else centre, 2)}."
            + (" " + ngettext("%d study filled by trim and fill is hollow.",
                              "%d studies filled by trim and fill are hollow.", n_fill) % n_fill if n_fill else ""))
    return _svg(width, height, title, desc, [*body])
