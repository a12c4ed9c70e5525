"""Learn relevance from the decisions so far and rank the records not yet screened.

``Prioritiser(texts).rank(labels)`` is the whole interface: ``labels`` maps a record's
index (its position in ``texts``) to 1 (included) or 0 (excluded); the result lists every
other index, most likely relevant first, with its score.

Records without words (neither title nor abstract) are outside the model: they teach it
nothing (all-zero features would only drag its intercept) and it cannot judge them, so their
place is set by a rule instead of by an accident of the intercept. They wait behind the ranked
records until the ranking has run dry (``ran_dry``: as many exclusions in a row as the stopping
heuristic asks for), then come first, so a person looks at them before anyone stops.
"""
from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from . import embeddings, streamed
from .features import FeatureOptions, build_features, has_words
from .protocol import Protocol, agreement, blend
from .storage import load_mapped

CLASSIFIERS = ("logistic", "svm", "nb", "logistic+nb")


@dataclass(frozen=True)
class ModelOptions:
    """Classifier settings; the defaults were chosen by measurement (BENCHMARKS.md)."""

    # A linear SVM on TF-IDF: as good as logistic regression here, and the fastest to refit.
    classifier: str = "svm"
    # Inverse regularisation strength; small because the labelled set is small and noisy.
    C: float = 0.11
    # Total weight of the included records in the loss relative to the excluded ones: 1.0
    # gives both classes equal total weight ("balanced"); above 1 pushes anything that looks
    # like an inclusion up the ranking, which is what finding them early needs. 9.8 is ASReview
    # LAB's default. 20 did better on the seven sets of the bar but worse on the 13 Cohen sets
    # we never tuned on (down to -0.08 WSS@95 on the small ones), so the default is the value
    # that generalises (BENCHMARKS.md, "side by side with ASReview").
    include_weight: float = 9.8

    def __post_init__(self) -> None:
        if self.classifier not in CLASSIFIERS:
            raise ValueError(f"classifier must be one of {CLASSIFIERS}, not {self.classifier!r}")
        if self.C <= 0:
            raise ValueError(f"C must be positive, not {self.C}")
        if self.include_weight <= 0:
            raise ValueError(f"include_weight must be positive, not {self.include_weight}")


@dataclass(frozen=True)
class Ranking:
    """The unlabelled records in the order to screen them."""

    order: np.ndarray  # record indices, most likely relevant first
    scores: np.ndarray  # the model's score of each, same order (higher = more likely relevant)
    n_labelled: int
    n_included: int
    trained: bool  # False when the labels did not yet hold both an inclusion and an exclusion

    def __len__(self) -> int:
        return len(self.order)


def scores_for(features: sp.csr_matrix, labels: Mapping[int, int],
               options: ModelOptions | None = None) -> tuple[np.ndarray, bool]:
    """Score every row of ``features``; returns (scores, trained)."""
    options = options or ModelOptions()
    n = features.shape[0]
    index = np.fromiter(labels.keys(), dtype=np.int64, count=len(labels))
    y = np.fromiter((int(v) for v in labels.values()), dtype=np.int8, count=len(labels))
    if len(index) and (index.min() < 0 or index.max() >= n):
        raise IndexError(f"label index out of range 0..{n - 1}")
    if len(y) and (y.min() < 0 or y.max() > 1):
        raise ValueError("labels must be 1 (included) or 0 (excluded)")
    if not len(index) or y.min() == y.max():
        return _untrained_scores(features, index, y), False
    if options.classifier == "logistic+nb":
        parts = [_fit_score(ModelOptions(c, options.C, options.include_weight), features, index, y)
                 for c in ("logistic", "nb")]
        # Each model's scores on a common scale (z), then summed: neither dominates.
        return sum((s - s.mean()) / (s.std() or 1.0) for s in parts), True
    return _fit_score(options, features, index, y), True


def _fit_score(options: ModelOptions, features: sp.csr_matrix, index: np.ndarray, y: np.ndarray) -> np.ndarray:
    model = _make(options)
    n_included = int(y.sum())
    weight = np.where(y == 1, 1.0, n_included / (options.include_weight * (len(y) - n_included)))
    model.fit(features[index], y, sample_weight=weight * len(y) / weight.sum())
    # A block of rows at a time: scoring converts the rows it reads to float64, which for all of
    # a million records at once is gigabytes (BENCHMARKS.md, #30). Each row's score is the same.
    parts = []
    for start in range(0, features.shape[0], SCORE_ROWS):
        rows = features[start:start + SCORE_ROWS]
        if options.classifier == "nb":
            log_proba = model.predict_log_proba(rows)
            parts.append(log_proba[:, 1] - log_proba[:, 0])
        else:
            parts.append(model.decision_function(rows))
    return np.asarray(np.concatenate(parts) if parts else np.zeros(0), dtype=np.float64)


SCORE_ROWS = 10_000


def ranking_from_scores(scores: np.ndarray, labels: Mapping[int, int], trained: bool) -> Ranking:
    unlabelled = np.ones(len(scores), dtype=bool)
    if labels:
        unlabelled[np.fromiter(labels.keys(), dtype=np.int64, count=len(labels))] = False
    candidates = np.flatnonzero(unlabelled)
    # Stable sort: ties keep the input order, so a ranking is reproducible.
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    return Ranking(order=order, scores=scores[order], n_labelled=len(labels),
                   n_included=sum(1 for v in labels.values() if v), trained=trained)


class Prioritiser:
    """Holds the features of one set of records; ``rank(labels)`` retrains and ranks.

    Build it once per review (or simulation): the features are the costly part and do
    not depend on the decisions. ``save`` and ``load`` keep them in a file, so a process
    that starts afresh need not build them again.
    """

    def __init__(self, texts: Sequence[str], features: FeatureOptions | None = None,
                 model: ModelOptions | None = None, vectors: np.ndarray | None = None) -> None:
        self.feature_options = features or FeatureOptions()
        self.model_options = model or ModelOptions()
        self.features = build_features(texts, self.feature_options, vectors)
        self.wordless = np.fromiter((not has_words(t) for t in texts), dtype=bool, count=len(texts))

    def save(self, path: str | Path, key: str) -> None:
        """Write the features to ``path`` (whole or not at all), tagged with ``key``, a
        fingerprint of the texts they were built from."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        matrix = self.features
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        try:
            with open(partial, "wb") as out:
                np.savez(out, tag=np.array(_tag(key, self.feature_options)), data=matrix.data,
                         indices=matrix.indices, indptr=matrix.indptr, shape=np.array(matrix.shape),
                         wordless=self.wordless)
            os.replace(partial, path)  # readers see the old file or the new one, never half of one
        finally:
            partial.unlink(missing_ok=True)  # left only when writing failed (a full disk, say)

    @classmethod
    def load(cls, path: str | Path, key: str, features: FeatureOptions | None = None,
             model: ModelOptions | None = None) -> Prioritiser | None:
        """The features saved at ``path`` if they were built from the texts ``key`` names, with
        these options and this version of the code; else None (build them anew)."""
        options = features or FeatureOptions()
        try:
            # Mapped, not read: at a million records the features are gigabytes (storage.py).
            saved = load_mapped(path)
            if str(saved["tag"]) != _tag(key, options):
                return None
            matrix = sp.csr_matrix((saved["data"], saved["indices"], saved["indptr"]), shape=tuple(saved["shape"]))
            wordless = saved["wordless"]
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return None  # missing, unreadable or from another version: a cache, so rebuild
        prioritiser = cls.__new__(cls)
        prioritiser.feature_options, prioritiser.model_options = options, model or ModelOptions()
        prioritiser.features, prioritiser.wordless = matrix, wordless
        return prioritiser

    @classmethod
    def build_saved(cls, blocks: Iterable[Sequence[str]], path: str | Path, key: str, *,
                    protocol: Protocol | None = None, features: FeatureOptions | None = None,
                    model: ModelOptions | None = None) -> tuple[Prioritiser, np.ndarray | None]:
        """The features of the texts ``blocks`` yields, written straight to ``path`` (as ``save``
        does) and mapped from it, with the protocol's scores from the same read of the texts:
        the memory of a block, not of every record (streamed.py). Raises OSError if the file
        cannot be written (or read back)."""
        options = features or FeatureOptions()
        prior = streamed.build(blocks, Path(path).parent, features_to=path, tag=_tag(key, options),
                               options=options, protocol=protocol)
        prioritiser = cls.load(path, key, options, model)
        if prioritiser is None:
            raise OSError(f"the features written to {path} could not be read back")
        return prioritiser, prior

    @property
    def n_records(self) -> int:
        return int(self.features.shape[0])

    def scores(self, labels: Mapping[int, int], ran_dry: bool = False,
               prior: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
        """Scores of every record; ``ran_dry`` puts the records without words first, else last.
        ``prior`` (one score per record, e.g. ``protocol.protocol_scores``) is blended with the
        model's scores by ``protocol.blend``: it alone ranks before the first inclusion."""
        n = len(self.wordless)
        readable = {i: v for i, v in labels.items() if not (0 <= i < n and self.wordless[i])}
        scores, trained = scores_for(self.features, readable, self.model_options)
        if prior is not None:
            index = np.fromiter(readable.keys(), dtype=np.int64, count=len(readable))
            y = np.fromiter(readable.values(), dtype=np.int8, count=len(readable))
            scores = blend(scores, prior, int(y.sum()), agreement(prior, index, y))
        if not self.wordless.any():
            return scores, trained
        if not self.wordless.all():
            others = scores[~self.wordless]
            scores[self.wordless] = others.max() + 1 if ran_dry else others.min() - 1
        return scores, trained

    def rank(self, labels: Mapping[int, int], ran_dry: bool = False,
             prior: np.ndarray | None = None) -> Ranking:
        scores, trained = self.scores(labels, ran_dry, prior)
        return ranking_from_scores(scores, labels, trained)


def rank(texts: Sequence[str], labels: Mapping[int, int], features: FeatureOptions | None = None,
         model: ModelOptions | None = None) -> Ranking:
    """One-off ranking: builds the features, trains on ``labels``, ranks the rest."""
    return Prioritiser(texts, features, model).rank(labels)


# Saved features are used only by the code that would build the same ones: bump FEATURES_FORMAT
# when build_features changes its output. 2: hashed TF-IDF (hashed.py) instead of a fitted vocabulary.
FEATURES_FORMAT = 2


def _tag(key: str, options: FeatureOptions) -> str:
    return f"{key} {options!r} format {FEATURES_FORMAT} sklearn {sklearn.__version__} {embeddings.WEIGHTS}"


def _make(options: ModelOptions) -> LogisticRegression | LinearSVC | ComplementNB:
    if options.classifier == "logistic":
        return LogisticRegression(C=options.C, solver="liblinear", max_iter=1000, random_state=0)
    if options.classifier == "svm":
        return LinearSVC(C=options.C, max_iter=5000, random_state=0)
    return ComplementNB(alpha=1.0 / options.C)


def _untrained_scores(features: sp.csr_matrix, index: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Before both classes are known: closeness to the included records, else input order."""
    included = index[y == 1] if len(index) else index
    if len(included):
        centroid = np.asarray(features[included].mean(axis=0)).ravel()
        return np.asarray(features @ centroid, dtype=np.float64).ravel()
    # Nothing to learn from: a gently falling score keeps the input order.
    return -np.arange(features.shape[0], dtype=np.float64)
