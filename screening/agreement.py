"""Agreement between two screeners (no Django: pure arithmetic on their paired decisions).

Cohen's kappa with the large-sample variance of Fleiss, Cohen and Everitt (1969), the
prevalence- and bias-adjusted kappa (PABAK; Byrt, Bishop and Carlin 1993) and Gwet's AC1
(Gwet 2008). With few includes (the usual case in screening) kappa can be low although the
two agree on almost everything; PABAK and AC1 are far less sensitive to that imbalance.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
KAPPA_CI_LEVEL = 95
# Kappa lives in [-1, 1], but the Wald interval (kappa +- z SE) can cross those limits when kappa is
# high and the sample small; we cut it at the limits rather than report an impossible bound.
KAPPA_CI_METHOD = ("Wald interval with the large-sample standard error of Fleiss, Cohen and Everitt (1969), "
                   "truncated to [-1, 1]")


@dataclass(frozen=True)
class Agreement:
    n: int
    categories: tuple[str, ...]
    percent: float  # observed agreement, 0-100
    kappa: float  # nan when chance agreement is 1 (both always chose the same one category)
    kappa_ci: tuple[float, float]  # KAPPA_CI_LEVEL % interval by KAPPA_CI_METHOD
    pabak: float
    ac1: float


def agreement(pairs: Sequence[tuple[str, str]], categories: Sequence[str] | None = None) -> Agreement:
    """Agreement of two raters from (rater 1's category, rater 2's category) per item."""
    n = len(pairs)
    if n == 0:
        raise ValueError("agreement needs at least one item both raters rated")
    cats = tuple(categories) if categories else tuple(sorted({c for pair in pairs for c in pair}))
    q = max(len(cats), 2)  # two categories at least: a single one still has its opposite
    index = {c: i for i, c in enumerate(cats)}
    counts = Counter((index[a], index[b]) for a, b in pairs)
    p = [[counts[(i, j)] / n for j in range(len(cats))] for i in range(len(cats))]
    rows = [sum(p[i]) for i in range(len(cats))]
    cols = [sum(p[i][j] for i in range(len(cats))) for j in range(len(cats))]
    po = sum(p[i][i] for i in range(len(cats)))
    pe = sum(rows[i] * cols[i] for i in range(len(cats)))
    if math.isclose(pe, 1.0):
        kappa, ci = math.nan, (math.nan, math.nan)
    else:
        kappa = (po - pe) / (1 - pe)
        se = math.sqrt(max(_fce_variance(p, rows, cols, kappa, pe), 0.0) / n)
        ci = (max(kappa - Z95 * se, -1.0), min(kappa + Z95 * se, 1.0))
    pabak = (q * po - 1) / (q - 1)
    pi = [(rows[k] + cols[k]) / 2 for k in range(len(cats))]
    pe_gwet = sum(x * (1 - x) for x in pi) / (q - 1)
    ac1 = (po - pe_gwet) / (1 - pe_gwet) if not math.isclose(pe_gwet, 1.0) else math.nan
    return Agreement(n=n, categories=cats, percent=100 * po, kappa=kappa, kappa_ci=ci, pabak=pabak, ac1=ac1)


def _fce_variance(p, rows, cols, kappa: float, pe: float) -> float:
    """n times the variance of kappa (Fleiss, Cohen and Everitt 1969, non-null case)."""
    m = len(rows)
    diagonal = sum(p[i][i] * (1 - (rows[i] + cols[i]) * (1 - kappa)) ** 2 for i in range(m))
    off = (1 - kappa) ** 2 * sum(p[i][j] * (cols[i] + rows[j]) ** 2
                                 for i in range(m) for j in range(m) if i != j)
    return (diagonal + off - (kappa - pe * (1 - kappa)) ** 2) / (1 - pe) ** 2
