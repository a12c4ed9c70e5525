"""Choose, once per review, how much the word embedding weighs beside TF-IDF (issue #29).

The features are one matrix: TF-IDF, then the record's mean word embedding in its last
``embeddings.DIMENSIONS`` columns. Some reviews rank better with the embedding, some with the
words alone (BENCHMARKS.md), and which one is not known in advance. Choosing by the latest
decisions came too late to matter, so the choice here is made once, from the review's first
``n`` decisions, by cross-validation: for each candidate weight of the embedding block, a model
is fitted on all but one fold of those decisions and scored on the held-out fold; the weight
whose held-out scores order inclusions above exclusions best (mean AUC over folds) is kept.
The first candidate wins ties, so the default stays unless another is measurably better.

The choice depends only on the first ``n`` decisions (in the order they were made), so it is
the same at every later retrain and needs no state of its own.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

FOLDS = 5

# fit(features, index, y) -> scorer of rows; the model's own fit, so the choice sees its model.
Fit = Callable[[sp.csr_matrix, np.ndarray, np.ndarray], Callable[[sp.csr_matrix], np.ndarray]]


def reweighted(features: sp.csr_matrix, columns: int, weight: float) -> sp.csr_matrix:
    """``features`` with its last ``columns`` columns (the embedding block) times ``weight``."""
    if weight == 1.0 or not columns:
        return features
    scale = np.ones(features.shape[1], dtype=features.dtype)
    scale[-columns:] = weight
    return (features @ sp.diags(scale)).tocsr()


def choose_weight(features: sp.csr_matrix, columns: int, index: np.ndarray, y: np.ndarray,
                  candidates: Sequence[float], fit: Fit) -> float:
    """The candidate weight of the embedding block whose held-out AUC on (index, y) is highest;
    the first candidate when the decisions hold too few of either class to judge (fewer than 2)."""
    n_included = int(y.sum())
    folds = min(FOLDS, n_included, len(y) - n_included)
    if folds < 2 or len(candidates) < 2:
        return candidates[0]
    split = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(index, y))
    rows = features[index]  # only the decisions' rows: the choice never scores the whole review
    best, best_auc = candidates[0], -1.0
    for weight in candidates:
        view = reweighted(rows, columns, weight)
        auc = float(np.mean([roc_auc_score(y[test], fit(view, train, y[train])(view[test]))
                             for train, test in split]))
        if auc > best_auc:
            best, best_auc = weight, auc
    return best
