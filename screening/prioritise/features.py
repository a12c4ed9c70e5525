"""Turn records (title + abstract) into the sparse matrix the ranking model learns from.

The features depend only on the texts, never on labels, so they are computed once per
review (or per simulation) and reused by every retrain.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize


@dataclass(frozen=True)
class FeatureOptions:
    """TF-IDF settings; the defaults were chosen by measurement (BENCHMARKS.md)."""

    word_ngrams: tuple[int, int] = (1, 2)
    # Character n-grams catch spelling variants and word parts (randomis/ed, -itis);
    # 0 switches them off.
    char_ngrams: tuple[int, int] = (0, 0)
    min_df: int = 1
    max_df: float = 0.95
    max_features: int | None = None
    stop_words: str | None = None  # "english" drops common English words


def record_text(title: str | None, abstract: str | None) -> str:
    """The text a record is ranked on: its title, then its abstract."""
    return f"{title or ''}. {abstract or ''}".strip()


def build_features(texts: Sequence[str], options: FeatureOptions | None = None) -> sp.csr_matrix:
    """Rows = records (same order as ``texts``), L2-normalised TF-IDF with sublinear tf."""
    options = options or FeatureOptions()
    texts = [t or "" for t in texts]
    blocks = [_fit_transform(TfidfVectorizer(
        ngram_range=options.word_ngrams, sublinear_tf=True, strip_accents="unicode",
        stop_words=options.stop_words, min_df=options.min_df, max_df=options.max_df, max_features=options.max_features,
        dtype=_DTYPE), texts)]
    if options.char_ngrams[0] > 0:
        blocks.append(_fit_transform(TfidfVectorizer(
            analyzer="char_wb", ngram_range=options.char_ngrams, sublinear_tf=True,
            strip_accents="unicode", min_df=max(2, options.min_df), max_df=options.max_df,
            max_features=options.max_features, dtype=_DTYPE), texts))
    matrix = blocks[0] if len(blocks) == 1 else normalize(sp.hstack(blocks, format="csr"))
    return matrix.tocsr()


_DTYPE = np.float32


def _fit_transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:
        # Every text empty (or only stop tokens): no vocabulary. One constant column
        # keeps the shapes valid; the ranking then falls back to the input order.
        return sp.csr_matrix((len(texts), 1), dtype=_DTYPE)
