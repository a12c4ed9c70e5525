"""A review's features and protocol scores built from blocks of texts, in memory bounded by a block.

``Prioritiser(texts)`` and ``protocol_scores`` hold every text, every embedding, every counted
TF-IDF block and the whole matrix at once: 1.7 GB at 100,000 records, 3.9 GB at 300,000, about
12 GB at a million (BENCHMARKS.md, #30). Here the texts come a block at a time (from the database,
say) and are read once: each block's term counts (the features' and the protocol's) and
embeddings go to scratch files while the document frequencies are summed; then each block is
read back, weighed and written into the features' file in ``Prioritiser.save``'s layout, which
the ranking maps rather than reads (storage.py). What is held is a block, the summed document
frequencies (2**23 counts per TF-IDF) and a few numbers per record.

The values are those of ``build_features`` and ``protocol_scores`` to the last bit: the same
functions count, weigh and stack each block, and every step after the document frequencies is
row by row (tested).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from .embeddings import EmbeddingsUnavailable, embed
from .features import FeatureOptions, beside_rows, has_words, word_vectorizer
from .hashed import HashedTfidf, stacked
from .protocol import Protocol, combined, embedded_query, keyword_balance, query_text, tfidf_vectorizer


def build(blocks: Iterable[Sequence[str]], scratch: str | Path, *, features_to: str | Path | None = None,
          tag: str = "", options: FeatureOptions | None = None,
          protocol: Protocol | None = None) -> np.ndarray | None:
    """Read the blocks of texts once; write the features of all of them (if ``features_to``, an
    ``.npz`` tagged ``tag``, whole or not at all) and return the protocol's scores (None without
    a protocol). Scratch files go in a folder made under ``scratch`` and removed at the end."""
    options = options or FeatureOptions()
    if options.char_ngrams[0]:
        raise ValueError("character n-grams are built in memory only (build_features)")
    protocol = None if protocol is None or protocol.is_empty else protocol
    Path(scratch).mkdir(parents=True, exist_ok=True)
    _remove_abandoned(Path(scratch))
    with tempfile.TemporaryDirectory(dir=scratch, prefix=_PREFIX) as folder:
        counted = _Counted(Path(folder), options, features=features_to is not None, protocol=protocol)
        try:
            for texts in blocks:
                counted.add([t or "" for t in texts])
            if features_to is not None:
                _write_features(counted, Path(features_to), tag, options)
            return None if protocol is None else _protocol_scores(counted, protocol)
        finally:
            counted.close()


_PREFIX = "cold-"
# A build whose process was killed leaves its scratch folder (gigabytes at a million records);
# one nobody has written to for this long is no running build's (a million takes minutes).
ABANDONED_AFTER_SECONDS = 24 * 3600


def _remove_abandoned(scratch: Path) -> None:
    now = time.time()
    for folder in scratch.glob(f"{_PREFIX}*"):
        try:
            written = max([folder.stat().st_mtime, *(entry.stat().st_mtime for entry in os.scandir(folder))])
        except OSError:
            continue  # removed meanwhile (its build ended)
        if now - written > ABANDONED_AFTER_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)


class _Spill:
    """Arrays appended to one scratch file, read back (writable) one at a time in the same order."""

    def __init__(self, path: Path) -> None:
        self.handle = open(path, "w+b")  # noqa: SIM115 (closed with the scratch folder)
        self.pieces: list[tuple[int, np.dtype, tuple[int, ...]]] = []

    def put(self, array: np.ndarray) -> None:
        array = np.ascontiguousarray(array)
        self.pieces.append((self.handle.seek(0, os.SEEK_END), array.dtype, array.shape))
        self.handle.write(array.data.cast("B"))

    def get(self, i: int) -> np.ndarray:
        offset, dtype, shape = self.pieces[i]
        buffer = bytearray(int(np.prod(shape, dtype=np.int64)) * dtype.itemsize)
        self.handle.seek(offset)
        self.handle.readinto(buffer)
        return np.frombuffer(buffer, dtype=dtype).reshape(shape)

    def close(self) -> None:
        self.handle.close()


class _CountedBlocks:
    """Counted blocks (hashed sublinear counts) kept on disk: data, indices, indptr each."""

    def __init__(self, folder: Path, name: str, vectorizer: HashedTfidf) -> None:
        self.vectorizer, self.df = vectorizer, vectorizer.new_counts()
        self.parts = [_Spill(folder / f"{name}.{part}") for part in ("data", "indices", "indptr")]
        self.rows: list[int] = []

    def add(self, texts: Sequence[str]) -> None:
        block = self.vectorizer.count(texts, self.df)
        for spill, array in zip(self.parts, (block.data, block.indices, block.indptr), strict=True):
            spill.put(array)
        self.rows.append(block.shape[0])

    def weighed(self, i: int) -> sp.csr_matrix:
        data, indices, indptr = (spill.get(i) for spill in self.parts)
        block = sp.csr_matrix((data, indices, indptr), shape=(self.rows[i], self.vectorizer.n_features))
        return self.vectorizer.weigh(block)

    def close(self) -> None:
        for spill in self.parts:
            spill.close()


class _Counted:
    """What one read of the texts leaves: counted blocks, embeddings, and a few numbers a record."""

    def __init__(self, folder: Path, options: FeatureOptions, *, features: bool, protocol: Protocol | None) -> None:
        self.folder, self.protocol, self.n = folder, protocol, 0
        self.words = _CountedBlocks(folder, "words", word_vectorizer(options)) if features else None
        self.terms = _CountedBlocks(folder, "protocol", tfidf_vectorizer()) if protocol else None
        # The features need the embeddings (as build_features does: none, no features); the
        # protocol's scores do without them.
        self.embedding_needed = features and options.embedding_scale > 0
        self.vectors: _Spill | None = _Spill(folder / "vectors") if self.embedding_needed or protocol else None
        self.wordless: list[np.ndarray] = []
        self.keywords: list[np.ndarray] = []

    def add(self, texts: list[str]) -> None:
        if not texts:
            return
        if self.words is not None:
            self.words.add(texts)
            self.wordless.append(np.fromiter((not has_words(t) for t in texts), dtype=bool, count=len(texts)))
        if self.terms is not None and self.protocol is not None:
            self.terms.add(texts)
            self.keywords.append(keyword_balance(texts, self.protocol))
        if self.vectors is not None:
            try:
                self.vectors.put(embed(texts))
            except EmbeddingsUnavailable:
                if self.embedding_needed:
                    raise
                self.vectors.close()
                self.vectors = None  # the protocol's scores do without
        self.n += len(texts)

    def close(self) -> None:
        for spill in (self.words, self.terms, self.vectors):
            if spill is not None:
                spill.close()


def _write_features(counted: _Counted, path: Path, tag: str, options: FeatureOptions) -> None:
    """The features' ``.npz`` as ``Prioritiser.save`` writes it, one block at a time."""
    words = counted.words
    assert words is not None
    vectorizer, n = words.vectorizer, counted.n
    vectorizer.fit(words.df, n)
    width = len(vectorizer.columns) or 1  # no words at all: one empty column (features._no_words)
    k = _dims(counted) if options.embedding_scale else 0
    # Every counted entry of a kept column stays (weights are 1 + log(count) times an idf of 1 or more).
    nnz = int(words.df[vectorizer.columns].sum()) + k * n
    index = np.int64 if max(nnz, width + k) > np.iinfo(np.int32).max else np.int32  # as hashed.stacked
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    lengths = np.zeros(n + 1, dtype=np.int64)
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            _put(archive, "tag", np.array(tag))
            with open(counted.folder / "indices.out", "w+b") as indices:
                with _member(archive, "data", np.float32, nnz) as data:
                    first = 0
                    for i, rows in enumerate(words.rows):
                        dense = None
                        if k:
                            assert counted.vectors is not None
                            dense = beside_rows(counted.vectors.get(i), options)
                        block = stacked([words.weighed(i)], width, dense)
                        data.write(block.data.data.cast("B"))
                        indices.write(block.indices.astype(index, copy=False).data.cast("B"))
                        lengths[first + 1:first + rows + 1] = np.diff(block.indptr)
                        first += rows
                # A zip member is written whole before the next: the indices wait in a scratch file.
                indices.seek(0)
                with _member(archive, "indices", index, nnz) as out:
                    shutil.copyfileobj(indices, out, 1 << 24)
            indptr = np.cumsum(lengths).astype(index)
            if indptr[-1] != nnz:
                raise RuntimeError(f"{indptr[-1]} values written, {nnz} expected")
            _put(archive, "indptr", indptr)
            _put(archive, "shape", np.array((n, width + k)))
            _put(archive, "wordless", np.concatenate(counted.wordless) if counted.wordless else np.zeros(0, bool))
        os.replace(partial, path)  # readers see the old file or the new one, never half of one
    finally:
        partial.unlink(missing_ok=True)


def _protocol_scores(counted: _Counted, protocol: Protocol) -> np.ndarray:
    """``protocol_scores`` of every text: its TF-IDF fit counts the query as one more text."""
    terms = counted.terms
    assert terms is not None
    if counted.n == 0:
        return np.zeros(0)
    query = query_text(protocol)
    asked = terms.vectorizer.count([query], terms.df)
    terms.vectorizer.fit(terms.df, counted.n + 1)
    asked = terms.vectorizer.weigh(asked)
    tfidf = np.zeros(counted.n, dtype=np.float32)
    embedding = np.zeros(counted.n, dtype=np.float32)
    unit = embedded_query(query) if counted.vectors is not None else None
    first = 0
    for i, rows in enumerate(terms.rows):
        if len(terms.vectorizer.columns):  # else no words at all: every cosine 0
            tfidf[first:first + rows] = np.asarray((terms.weighed(i) @ asked.T).todense()).ravel()
        if unit is not None:
            assert counted.vectors is not None
            embedding[first:first + rows] = normalize(counted.vectors.get(i)) @ unit
        first += rows
    return combined(tfidf, embedding if unit is not None else np.zeros(counted.n),
                    np.concatenate(counted.keywords))


def _dims(counted: _Counted) -> int:
    assert counted.vectors is not None
    return counted.vectors.pieces[0][2][1] if counted.vectors.pieces else int(embed([""]).shape[1])


def _member(archive: zipfile.ZipFile, name: str, dtype: type, length: int) -> IO[bytes]:
    """An ``.npy`` member of ``length`` values whose bytes the caller writes after its header."""
    out = archive.open(f"{name}.npy", "w", force_zip64=True)
    np.lib.format.write_array_header_1_0(out, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                                               "fortran_order": False, "shape": (length,)})
    return out


def _put(archive: zipfile.ZipFile, name: str, array: np.ndarray) -> None:
    with archive.open(f"{name}.npy", "w", force_zip64=True) as out:
        np.lib.format.write_array(out, np.asanyarray(array), allow_pickle=False)
