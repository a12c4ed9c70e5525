"""Dense text vectors from the static word embeddings the `wordllama` package ships.

A record's vector is the mean of its tokens' embedding rows (as WordLlama pools them),
computed here as one sparse product: token counts (records x vocabulary) times the
embedding matrix. The weights and the tokenizer are read from the files inside the
installed package, so nothing is downloaded: WordLlama's own loader would look for the
tokenizer on the Hugging Face hub first, and it configures logging on import, so the
package is located without being imported.
"""
from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MODEL = "l2_supercat"  # WordLlama's default model, 256 dimensions
WEIGHTS = f"weights/{MODEL}_256.safetensors"
TOKENIZER = f"tokenizers/{MODEL}_tokenizer_config.json"


class EmbeddingsUnavailable(RuntimeError):
    """The wordllama package (or a file it should ship) is missing."""


def package_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingsUnavailable("the wordllama package is not installed (pip install -r requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def _model() -> tuple[Tokenizer, np.ndarray]:
    from safetensors import safe_open
    from tokenizers import Tokenizer

    root = package_dir()
    missing = [name for name in (WEIGHTS, TOKENIZER) if not (root / name).is_file()]
    if missing:
        raise EmbeddingsUnavailable(f"wordllama at {root} lacks {', '.join(missing)}")
    tokenizer = Tokenizer.from_file(str(root / TOKENIZER))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    with safe_open(str(root / WEIGHTS), framework="np") as weights:
        matrix = np.asarray(weights.get_tensor("embedding.weight"), dtype=np.float32)
    return tokenizer, matrix


def embed(texts: Sequence[str], batch: int = 4096) -> np.ndarray:
    """One row per text: the mean of its token vectors (zeros for a text without tokens)."""
    tokenizer, matrix = _model()
    vocabulary, dims = matrix.shape
    out = np.zeros((len(texts), dims), dtype=np.float32)
    for start in range(0, len(texts), batch):
        chunk = [t or "" for t in texts[start:start + batch]]
        ids = [np.clip(np.asarray(e.ids, dtype=np.int64), 0, vocabulary - 1)
               for e in tokenizer.encode_batch_fast(chunk, add_special_tokens=False)]
        lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
        rows = np.repeat(np.arange(len(ids)), lengths)
        counts = sp.csr_matrix((np.ones(len(rows), dtype=np.float32),
                                (rows, np.concatenate(ids) if len(rows) else rows)),
                               shape=(len(ids), vocabulary))
        sums = np.asarray(counts @ matrix)
        out[start:start + len(ids)] = sums / np.maximum(lengths, 1)[:, None]
    return out
