"""Rank records from the review's protocol before any decision (a cold start), then fade it out.

The protocol (question, PICO, eligibility criteria, include and exclude keywords) says what
the review looks for before anyone has screened a record; a learned model knows nothing until
it has seen an inclusion. ``protocol_scores`` scores every record against the protocol text:

    score = z(TF-IDF cosine) + z(embedding cosine) + KEYWORD_WEIGHT * (include hits - exclude hits)

TF-IDF is fitted on the records and the protocol together (the words the protocol shares with
a record count by how rare they are among the records); the embedding cosine uses the same
static word vectors as the model (``embeddings.py``), so a record that says the same thing in
other words still rises. z() puts each part on a common scale (mean 0, standard deviation 1).
A keyword hit is a whole-word, case-insensitive match in title + abstract (``word*`` matches any
ending), counted once per keyword.

``blend`` mixes the protocol score with the learned model's score as decisions arrive:

    blended = w * z(protocol) + (1 - w) * z(model),   w = HALF_LIFE / (HALF_LIFE + included)

``included`` is the number of labelled inclusions: with none, the protocol alone ranks; after
HALF_LIFE inclusions the two weigh the same; later the model (which has learned from the
review's own decisions) decides more and more. Once there are inclusions and exclusions, w is
also multiplied by 2 * agreement - 1 (at least 0), where ``agreement`` is how well the protocol
ordered the decisions so far (the area under its ROC curve): a protocol that told included from
excluded records no better than chance hands over to the model at once, a perfect one keeps its
weight (on the 20 labelled sets from a cold start this left 2 sets below ASReview by more than
0.01 WSS@95 instead of 5; BENCHMARKS.md).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import rankdata
from sklearn.preprocessing import normalize

from .embeddings import EmbeddingsUnavailable, embed
from .hashed import HashedTfidf

KEYWORD_WEIGHT = 1.0  # one include keyword counts as much as one standard deviation of similarity
HALF_LIFE = 3.0  # inclusions after which protocol and model weigh the same


@dataclass(frozen=True)
class Protocol:
    """What the review looks for, in words; keywords are single words or phrases."""

    text: str
    include_keywords: tuple[str, ...] = field(default_factory=tuple)
    exclude_keywords: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.include_keywords)


def _z(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def _keyword_hits(texts: Sequence[str], keywords: Sequence[str]) -> np.ndarray:
    hits = np.zeros(len(texts), dtype=np.float64)
    for keyword in keywords:
        word = keyword.strip()
        if not word:
            continue
        # A trailing * stands for any ending (as the screening page's highlighting reads it).
        stem = word.endswith("*")
        body = re.escape(word.rstrip("*"))
        if not body:
            continue
        pattern = re.compile(rf"(?<!\w){body}" + (r"\w*" if stem else r"(?!\w)"), re.IGNORECASE)
        hits += np.fromiter((pattern.search(t or "") is not None for t in texts), dtype=np.float64,
                            count=len(texts))
    return hits


def tfidf_vectorizer() -> HashedTfidf:
    """The protocol's own TF-IDF (English stop words, so not the features')."""
    return HashedTfidf(ngram_range=(1, 2), stop_words="english", max_df=0.95)


def _tfidf_similarity(texts: list[str], query: str) -> np.ndarray:
    # Hashed, block by block, like the features (hashed.py): no vocabulary of every record's words.
    matrix = tfidf_vectorizer().fit_transform([*texts, query])
    if not matrix.nnz:  # no words at all (every text empty)
        return np.zeros(len(texts))
    return np.asarray((matrix @ matrix[-1].T).todense()).ravel()[:-1]  # no copy of the records' rows


def embedded_query(query: str) -> np.ndarray | None:
    """The query's unit vector; None without the embeddings (the words alone then rank)."""
    try:
        return np.asarray(normalize(embed([query]))[0])
    except EmbeddingsUnavailable:
        return None


def _embedding_similarity(texts: list[str], query: str, known: np.ndarray | None) -> np.ndarray:
    if known is None:
        try:
            vectors = normalize(embed([*texts, query]))
        except EmbeddingsUnavailable:
            return np.zeros(len(texts))
        return np.asarray(vectors[:-1] @ vectors[-1])
    # Each text's vector depends on that text alone, so the texts embedded earlier give the
    # same rows, and the same cosines (tested), without a copy of them stacked on the query's.
    unit = embedded_query(query)
    return np.zeros(len(texts)) if unit is None else np.asarray(normalize(known) @ unit)


def query_text(protocol: Protocol) -> str:
    return " ".join([protocol.text, *protocol.include_keywords])


def keyword_balance(texts: Sequence[str], protocol: Protocol) -> np.ndarray:
    """Per text: include keywords found minus exclude keywords found."""
    return np.asarray(_keyword_hits(texts, protocol.include_keywords) - _keyword_hits(texts, protocol.exclude_keywords))


def combined(tfidf: np.ndarray, embedding: np.ndarray, keywords: np.ndarray) -> np.ndarray:
    """The score of the module docstring from its three parts (each one value per text)."""
    return np.asarray(_z(tfidf) + _z(embedding) + KEYWORD_WEIGHT * keywords)


def protocol_scores(texts: Sequence[str], protocol: Protocol, vectors: np.ndarray | None = None) -> np.ndarray:
    """One score per text (higher = closer to what the protocol asks for); all zero for an empty protocol.
    ``vectors``, if given, is ``embed(texts)`` already computed (as for the ranking's features).
    ``streamed.build`` gives the same scores without holding every text."""
    texts = [t or "" for t in texts]
    if not texts or protocol.is_empty:
        return np.zeros(len(texts))
    query = query_text(protocol)
    return combined(_tfidf_similarity(texts, query), _embedding_similarity(texts, query, vectors),
                    keyword_balance(texts, protocol))


def protocol_weight(n_included: int) -> float:
    """The protocol's share of the blended score after ``n_included`` labelled inclusions."""
    return HALF_LIFE / (HALF_LIFE + max(0, n_included))


def agreement(protocol: np.ndarray, index: np.ndarray, y: np.ndarray) -> float:
    """How well the protocol ranked the decisions so far: the share of (included, excluded) pairs
    it put in the right order, ties counted half (the area under its ROC curve); 0.5 is chance.
    1.0 while one of the two classes is missing (nothing to judge it by)."""
    n_included = int(y.sum())
    n_excluded = len(y) - n_included
    if not n_included or not n_excluded:
        return 1.0
    ranks = rankdata(protocol[index])  # ties share their mean rank
    return float((ranks[y == 1].sum() - n_included * (n_included + 1) / 2) / (n_included * n_excluded))


def blend(model: np.ndarray, protocol: np.ndarray, n_included: int, agreed: float = 1.0) -> np.ndarray:
    """The blended score (module docstring); with no inclusion yet the protocol alone ranks.
    ``agreed`` (``agreement``) scales the protocol's weight: a protocol that ranked the decisions
    so far no better than chance gives way to the model at once."""
    w = protocol_weight(n_included) * min(1.0, max(0.0, 2 * agreed - 1))
    return w * _z(protocol) + (1 - w) * _z(model)


_KEYWORD_LINE = re.compile(r"^\s*(include|exclude)(?:\s+keywords)?\s*:(.*)$", re.IGNORECASE)


def parse_protocol(text: str) -> Protocol:
    """A protocol from plain text: lines ``include: a, b`` and ``exclude: c, d`` give the keywords
    (comma or semicolon separated); every other line is the protocol's prose."""
    prose: list[str] = []
    keywords: dict[str, list[str]] = {"include": [], "exclude": []}
    for line in text.splitlines():
        match = _KEYWORD_LINE.match(line)
        if match:
            keywords[match.group(1).lower()] += [k.strip() for k in re.split(r"[,;]", match.group(2)) if k.strip()]
        else:
            prose.append(line)
    return Protocol(text="\n".join(prose).strip(), include_keywords=tuple(keywords["include"]),
                    exclude_keywords=tuple(keywords["exclude"]))
