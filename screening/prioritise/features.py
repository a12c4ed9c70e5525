"""Turn records (title + abstract) into the matrix the ranking model learns from.

TF-IDF of words and word pairs, plus (scaled down) the record's mean static word embedding
(``embeddings.py``): the embedding lets the model see that two records speak of the same
thing in different words, which lifts the ranking most where the inclusions are varied
(BENCHMARKS.md). The features depend only on the texts, never on labels, so they are
computed once per review (or per simulation) and reused by every retrain.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from .embeddings import embed
from .hashed import HashedTfidf


@dataclass(frozen=True)
class FeatureOptions:
    """TF-IDF settings; the defaults were chosen by measurement (BENCHMARKS.md). The terms are
    hashed to columns (``hashed.py``), so there is no vocabulary to cap (no max_features)."""

    word_ngrams: tuple[int, int] = (1, 2)
    # Character n-grams catch spelling variants and word parts (randomis/ed, -itis);
    # 0 switches them off.
    char_ngrams: tuple[int, int] = (0, 0)
    min_df: int = 1
    max_df: float = 0.95
    stop_words: str | None = None  # "english" drops common English words
    # Length of the embedding block beside the unit-length TF-IDF row; 0 switches it off.
    # Small, so the words still decide: at 0.1 the ranking fell short of ASReview's by more
    # than 0.005 WSS@95 on 2 of 20 labelled sets, at 0.15 on 5, at 0.3 on 10 (BENCHMARKS.md).
    embedding_scale: float = 0.1

    def __post_init__(self) -> None:
        if self.embedding_scale < 0:
            raise ValueError(f"embedding_scale must be 0 or more, not {self.embedding_scale}")


def has_words(text: str | None) -> bool:
    """False for a record with neither title nor abstract (nothing the model can read)."""
    return text is not None and _WORD.search(text) is not None


_WORD = re.compile(r"\w")


def record_text(title: str | None, abstract: str | None) -> str:
    """The text a record is ranked on: its title, then its abstract."""
    return f"{title or ''}. {abstract or ''}".strip()


def build_features(texts: Sequence[str], options: FeatureOptions | None = None,
                   vectors: np.ndarray | None = None) -> sp.csr_matrix:
    """Rows = records (same order as ``texts``): L2-normalised TF-IDF with sublinear tf, then
    the L2-normalised mean embedding times ``embedding_scale``. ``vectors``, if given, is
    ``embed(texts)`` already computed (the protocol's scores need it too, and it is a quarter of
    a cold build)."""
    options = options or FeatureOptions()
    texts = [t or "" for t in texts]
    dense = None
    if options.embedding_scale:
        dense = beside_rows(embed(texts) if vectors is None else vectors, options)
    words = word_vectorizer(options)
    if options.char_ngrams[0] == 0:
        # The embedding goes beside each row as the matrix is written (hashed.stacked): the
        # rows are never held twice, which set the cold build's peak.
        matrix = words.fit_transform(texts, beside=dense)
        if len(words.columns):
            return matrix
        blocks = [_no_words(len(texts))]  # every text empty (or only stop tokens)
    else:
        chars = HashedTfidf(analyzer="char_wb", ngram_range=options.char_ngrams,
                            min_df=max(2, options.min_df), max_df=options.max_df)
        blocks = [_or_no_words(words.fit_transform(texts)), _or_no_words(chars.fit_transform(texts))]
    matrix = blocks[0] if len(blocks) == 1 else normalize(sp.hstack(blocks, format="csr"))
    if dense is not None:
        matrix = sp.hstack([matrix, sp.csr_matrix(dense)], format="csr")
    return matrix.tocsr()


_DTYPE = np.float32


def word_vectorizer(options: FeatureOptions) -> HashedTfidf:
    """The TF-IDF of words (and pairs) the features are made of."""
    return HashedTfidf(ngram_range=options.word_ngrams, stop_words=options.stop_words,
                       min_df=options.min_df, max_df=options.max_df)


def beside_rows(vectors: np.ndarray, options: FeatureOptions) -> np.ndarray:
    """The embedding block that goes beside each TF-IDF row: unit length times ``embedding_scale``
    (row by row, so a block of rows gives the same values as the whole)."""
    return np.asarray(normalize(vectors) * options.embedding_scale, dtype=_DTYPE)


def _no_words(n: int) -> sp.csr_matrix:
    # No terms at all: one constant column keeps the shapes valid; the ranking then falls back
    # to the input order (or the embedding).
    return sp.csr_matrix((n, 1), dtype=_DTYPE)


def _or_no_words(matrix: sp.csr_matrix) -> sp.csr_matrix:
    return matrix if matrix.shape[1] else _no_words(matrix.shape[0])
