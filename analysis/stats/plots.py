"""Funnel plots, and the drawing helpers of the forest plot (``forest.py``), as standalone SVG text.

The drawings follow metafor's ``forest.rma`` and ``funnel.rma``: squares
sized by weight with confidence-interval lines, the pooled diamond with the
prediction interval as a dotted line with end bars (``addpred=TRUE``); a
funnel of effect against standard error with the pseudo-confidence region.
Drawn with the site's SVG primitives (``svgkit``: every label escaped by its one escaping
function); each SVG carries a viewBox and a <title>/<desc> for screen readers.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from gettext import ngettext  # the standard library's: the engine imports no Django
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, stats

import svgkit

from ._inputs import as_yi_vi
from .errors import MetaAnalysisError

if TYPE_CHECKING:
    from .bias import TrimfillResult
    from .rma import RmaResult

__all__ = ["funnel_svg"]

FONT = svgkit.FONT_UI
FONT_SIZE = 13
ROW = 22  # px per study row: room for 13 px text and the largest square
BOLD_W = 1.12
INK = "#1f2933"
MUTED = "#5f6b7a"
ACCENT = "#1d4e89"
MINUS = "\u2212"

#: how an axis is shown: None (as is), "exp" or a function (np.exp gives a ratio axis)
Transform = str | Callable[[float], float] | None


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
    return svgkit.text_width(s, size, FONT)


def _text(x: float, y: float, s: str, *, anchor: str = "start", size: float = FONT_SIZE,
          weight: str | None = None, fill: str = INK, cls: str | None = None, tooltip: str | None = None) -> str:
    # font-variant: a presentation attribute, not a <style> element: pages embed the SVG under a
    # CSP that forbids inline style, and the standalone file looks the same.
    return svgkit.text(f"{x:.1f}", f"{y:.1f}", s, tooltip=tooltip, font_size=size, fill=fill,
                       text_anchor=anchor if anchor != "start" else None, font_weight=weight, class_=cls,
                       font_variant="tabular-nums" if cls in TABULAR_CLASSES else None)


def _line(x1: float, y1: float, x2: float, y2: float, *, stroke: str = INK, width: float = 1.0,
          dash: str | None = None, cls: str | None = None) -> str:
    return svgkit.line(f"{x1:.1f}", f"{y1:.1f}", f"{x2:.1f}", f"{y2:.1f}", stroke=stroke, stroke_width=width,
                       stroke_dasharray=dash, class_=cls)


def _svg(width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    return svgkit.document(width, height, body, font=FONT, name=title, description=desc, ids=True,
                           separator="\n")


def _nice_step(span: float, target: int = 6) -> float:
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)


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
    def series(mantissas: tuple[float, ...]) -> list[float]:
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


def _resolve_transform(transform: Transform) -> tuple[Callable[[float], float] | None, bool]:
    """(function, is_log_ratio): 'exp' or np.exp give a ratio axis with ratio ticks."""
    if transform is None:
        return None, False
    if transform == "exp" or transform is np.exp or transform is math.exp:
        return math.exp, True
    if callable(transform):
        return (lambda x: float(transform(x))), False
    raise MetaAnalysisError("transform must be None, 'exp' or a callable.")


def _tick_label(pos: float, fn: Callable[[float], float] | None, is_ratio: bool) -> str:
    value = pos if fn is None else fn(pos)
    text = f"{round(value, 10):g}"
    return MINUS + text[1:] if text.startswith("-") else text


def _transformed_ticks(lo: float, hi: float, fn: Callable[[float], float]) -> list[float]:
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


def _axis_ticks(lo: float, hi: float, fn: Callable[[float], float] | None,
                is_ratio: bool) -> tuple[float, float, list[float]]:
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


def _fit_default(yi: ArrayLike, vi: ArrayLike, result: RmaResult | None, level: float) -> RmaResult:
    if result is not None:
        return result
    from .rma import rma

    return rma(yi, vi, level=level)


def _study_labels(labels: Sequence[object] | None, k: int) -> list[str]:
    if labels is None:
        return [f"Study {i + 1}" for i in range(k)]
    texts = [str(s) for s in labels]
    if len(texts) != k:
        raise MetaAnalysisError(f"{len(texts)} labels for {k} studies.")
    return texts



# -------------------------------------------------------------------- funnel

def funnel_svg(yi: ArrayLike, vi: ArrayLike, result: RmaResult | None = None, *,
               trimfill: TrimfillResult | None = None, level: float = 95, transform: Transform = None,
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
    body.append(svgkit.rect(x0, y0, x1 - x0, y1 - y0, fill="#e9edf1"))
    tri = [(ax(centre), sy(0)), (ax(centre - crit * se_max), sy(se_max)), (ax(centre + crit * se_max), sy(se_max))]
    body.append(svgkit.element("polygon", class_="funnel-region",
                               points=" ".join(f"{px:.1f},{py:.1f}" for px, py in tri), fill="#ffffff"))
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
        body.append(svgkit.circle(f"{ax(ys[i]):.1f}", f"{sy(ses[i]):.1f}", 4.2, svgkit.title(tip), class_=cls,
                                  fill=fill, stroke=INK, stroke_width=1.2))
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
    body.append(svgkit.text(16, f"{(y0 + y1) / 2:.1f}", "Standard Error", font_size=fs, fill=INK, text_anchor="middle",
                            transform=f"rotate(-90 16 {(y0 + y1) / 2:.1f})"))

    n_fill = int(filled.sum())
    title = title or f"Funnel plot of {k} studies"
    desc = (f"Effect sizes of {k} studies against their standard errors, with the {level:g}% pseudo-confidence "
            f"region around the estimate {_num(fn(centre) if fn else centre, 2)}."
            + (" " + ngettext("%d study filled by trim and fill is hollow.",
                              "%d studies filled by trim and fill are hollow.", n_fill) % n_fill if n_fill else ""))
    return _svg(width, height, title, desc, [*body])
