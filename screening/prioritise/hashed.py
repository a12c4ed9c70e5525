"""TF-IDF built block by block in a hashed space: no vocabulary to count, sort or hold.

A fitted ``TfidfVectorizer`` keeps a dictionary of every term; at 100,000 records that is 1.5
million words and pairs, and counting and sorting it was most of a cold build's TF-IDF time
(BENCHMARKS.md, #30). Here each term goes to a column by its hash (scikit-learn's
``HashingVectorizer``), a block of texts at a time, so memory is one block plus the output. The
idf comes from document frequencies summed over the blocks; the terms ``max_df``/``min_df`` would
have dropped are zeroed instead. With 2**23 columns about one term in six of 1.5 million shares its column
with another (nearly always two rare word pairs); only the columns some text uses are kept.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

N_FEATURES = 1 << 23
BLOCK_ROWS = 10_000
_DTYPE = np.float32


class HashedTfidf:
    """``fit_transform`` as ``TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm="l2")``
    would give, but with hashed columns; ``transform`` weighs other texts (a query) by the idf
    fitted, with its own stop words if given."""

    def __init__(self, *, ngram_range: tuple[int, int] = (1, 2), analyzer: str = "word",
                 stop_words: str | None = None, min_df: int = 1, max_df: float = 1.0,
                 n_features: int = N_FEATURES, block_rows: int = BLOCK_ROWS) -> None:
        self.settings = {"ngram_range": ngram_range, "analyzer": analyzer, "strip_accents": "unicode"}
        self.stop_words, self.min_df, self.max_df = stop_words, min_df, max_df
        self.n_features, self.block_rows = n_features, block_rows
        self.idf: np.ndarray | None = None  # per kept column
        self.columns = self.position = np.zeros(0, dtype=np.int64)

    def _hasher(self, stop_words: str | None) -> HashingVectorizer:
        return HashingVectorizer(**self.settings, stop_words=stop_words, n_features=self.n_features,
                                 alternate_sign=False, norm=None, dtype=_DTYPE)

    def fit_transform(self, texts: Sequence[str], beside: np.ndarray | None = None) -> sp.csr_matrix:
        """One unit row per text; ``beside`` (one dense row per text, say the embeddings) is put
        after each row's terms in the same pass, so the matrix is written once."""
        df = self.new_counts()
        blocks: list[sp.csr_matrix] = [self.count(texts[start:start + self.block_rows], df)
                                       for start in range(0, len(texts), self.block_rows)]
        self.fit(df, len(texts))
        for i in range(len(blocks)):
            blocks[i] = self.weigh(blocks[i])  # in the kept columns now; the raw block let go
        return stacked(blocks, len(self.columns), beside)

    # The three steps of a fit, for a caller that keeps the counted blocks elsewhere (streamed.py
    # writes them to disk): count every block, fit on the summed document frequencies, weigh.
    def new_counts(self) -> np.ndarray:
        return np.zeros(self.n_features, dtype=np.int64)

    def count(self, texts: Sequence[str], df: np.ndarray) -> sp.csr_matrix:
        """The texts' sublinear counts in hashed columns; each column's texts added to ``df``."""
        block = _sublinear_counts(self._hasher(self.stop_words), texts)
        df += np.bincount(block.indices, minlength=self.n_features)
        return block

    def fit(self, df: np.ndarray, n: int) -> None:
        """The idf and the kept columns from the document frequencies ``df`` of ``n`` texts."""
        # A float max_df is a share of the texts, an int a count (as scikit-learn reads them).
        most = self.max_df * n if isinstance(self.max_df, float) else self.max_df
        kept = (df >= max(1, self.min_df)) & (df <= most)
        # Only the columns some text uses, renumbered in hash order: a few thousand records use
        # a few hundred thousand of the millions of columns, and the model's weights (one per
        # column) and solvers need not walk the empty ones.
        self.columns = np.flatnonzero(kept)
        self.position = np.full(self.n_features, -1, dtype=np.int32)
        self.position[self.columns] = np.arange(len(self.columns))
        # Of the kept columns only: the same values, without float64 temporaries of 2**23 columns.
        self.idf = (np.log((1 + n) / (1 + df[self.columns])) + 1).astype(_DTYPE)

    def transform(self, texts: Sequence[str], stop_words: str | None = None) -> sp.csr_matrix:
        if self.idf is None:
            raise ValueError("fit_transform first")
        return self.weigh(_sublinear_counts(self._hasher(stop_words), texts))

    def weigh(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        """Sublinear counts in hashed columns to unit rows of tf * idf in the kept columns."""
        assert self.idf is not None
        position = self.position[matrix.indices]
        dropped = position < 0  # pruned terms (or, for a query, terms no text has)
        matrix.data[dropped] = 0
        position[dropped] = 0
        del dropped
        matrix = sp.csr_matrix((matrix.data, position.astype(matrix.indices.dtype, copy=False), matrix.indptr),
                               shape=(matrix.shape[0], len(self.columns)))
        del position
        matrix.data *= self.idf[matrix.indices]
        matrix.eliminate_zeros()
        return normalize(matrix, copy=False) if len(self.columns) else matrix


def _sublinear_counts(hasher: HashingVectorizer, texts: Sequence[str]) -> sp.csr_matrix:
    """Each text's terms in hashed columns, counted as 1 + log(count) (sublinear tf)."""
    block = hasher.transform(texts).tocsr()
    block.sum_duplicates()
    np.log(block.data, out=block.data)
    block.data += 1
    return block


def stacked(blocks: list[sp.csr_matrix], width: int, beside: np.ndarray | None) -> sp.csr_matrix:
    """The blocks one under the other, each row followed by its row of ``beside`` (if given), in
    arrays allocated once; each block is let go once copied, so the peak is the output plus the
    blocks not yet copied (``sp.vstack``/``sp.hstack`` hold every block and go through COO)."""
    rows = sum(b.shape[0] for b in blocks)
    k = 0 if beside is None else beside.shape[1]
    if beside is not None and beside.shape[0] != rows:
        raise ValueError(f"{beside.shape[0]} rows beside {rows}")
    lengths = np.concatenate([np.diff(b.indptr) for b in blocks]) if blocks else np.zeros(0, np.int64)
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(lengths.astype(np.int64) + k, out=indptr[1:])
    # 32-bit positions while they fit (scikit-learn's solvers expect them), 64-bit beyond.
    index = np.int64 if max(indptr[-1], width + k) > np.iinfo(np.int32).max else np.int32
    data = np.empty(indptr[-1], dtype=_DTYPE)
    indices = np.empty(indptr[-1], dtype=index)
    first = 0
    for i in range(len(blocks)):
        block = blocks[i]
        n = block.shape[0]
        local = np.arange(n, dtype=np.int64)
        # Entry j of local row r lands k places further per row above it: base + j + k * r.
        at = indptr[first] + np.arange(block.nnz, dtype=np.int64) + k * np.repeat(local, np.diff(block.indptr))
        data[at], indices[at] = block.data, block.indices
        if beside is not None:
            at = (indptr[first] + block.indptr[1:] + k * local)[:, None] + np.arange(k)
            data[at], indices[at] = beside[first:first + n], width + np.arange(k, dtype=index)
        blocks[i] = None
        del block
        first += n
    return sp.csr_matrix((data, indices, indptr.astype(index)), shape=(rows, width + k))
