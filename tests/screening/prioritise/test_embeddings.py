"""The static word embeddings beside TF-IDF: read from the installed package, never downloaded."""
from __future__ import annotations

import socket

import numpy as np
import pytest
from sklearn.preprocessing import normalize

from screening.prioritise import FeatureOptions, Prioritiser, build_features
from screening.prioritise import embeddings as E

HEART = "Myocardial infarction treated with thrombolysis"
SOIL = "Soil bacteria in wheat fields"
BARLEY = "Fertiliser and crop yield of barley"
SYNONYMS = "Heart attack patients given clot-dissolving drugs"  # no word shared with HEART


def test_a_record_is_the_mean_of_its_token_vectors():
    tokenizer, matrix = E._model()
    ids = tokenizer.encode(HEART, add_special_tokens=False).ids
    assert len(ids) > 3
    np.testing.assert_allclose(E.embed([HEART])[0], matrix[ids].mean(axis=0), rtol=1e-5, atol=1e-6)
    # Batches give the same rows as one text at a time; a text without tokens is all zeros.
    together = E.embed([HEART, "", SOIL], batch=2)
    np.testing.assert_allclose(together[2], E.embed([SOIL])[0], rtol=1e-5, atol=1e-6)
    assert together.shape == (3, matrix.shape[1]) and not together[1].any()


def test_same_meaning_in_other_words_is_closer_than_another_topic():
    vectors = normalize(E.embed([HEART, SYNONYMS, SOIL]))
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_the_model_loads_without_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the embeddings tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    E._model.cache_clear()
    assert E.embed([HEART]).any()


def test_a_missing_package_is_said_plainly(monkeypatch):
    monkeypatch.setattr(E.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(E.EmbeddingsUnavailable, match="wordllama"):
        E.package_dir()


def test_features_carry_the_scaled_embedding_beside_tfidf():
    texts = [HEART, SOIL, BARLEY, ""]
    plain = build_features(texts, FeatureOptions(embedding_scale=0))
    both = build_features(texts, FeatureOptions(embedding_scale=0.1))
    _, matrix = E._model()
    assert both.shape == (4, plain.shape[1] + matrix.shape[1])
    dense = both[:, plain.shape[1]:].toarray()
    np.testing.assert_allclose(np.linalg.norm(dense[:3], axis=1), 0.1, rtol=1e-5)
    assert not dense[3].any()
    with pytest.raises(ValueError, match="embedding_scale"):
        FeatureOptions(embedding_scale=-1)


def test_the_embedding_ranks_a_record_in_other_words_above_another_topic():
    texts = [HEART, SOIL, BARLEY, SYNONYMS]
    labels = {0: 1, 1: 0}
    # TF-IDF alone sees no word of the inclusion in either record: a tie, kept in input order.
    assert Prioritiser(texts, FeatureOptions(embedding_scale=0)).rank(labels).order.tolist() == [2, 3]
    assert Prioritiser(texts).rank(labels).order.tolist() == [3, 2]


def test_vectors_embedded_once_give_the_same_features_and_protocol_scores_bit_for_bit():
    # The ranking job embeds a review's texts once for its features and its protocol scores
    # (services/ranking.py): both must be exactly what embedding them separately gives.
    from screening.prioritise.protocol import Protocol, protocol_scores

    texts = [HEART, "", SOIL, BARLEY, SYNONYMS, f"{HEART}. {SOIL}", "  two  spaces\nand a line"] * 700
    vectors = E.embed(texts)
    own = build_features(texts)
    shared = build_features(texts, vectors=vectors)
    assert (own != shared).nnz == 0 and np.array_equal(own.indices, shared.indices)
    protocol = Protocol(text="Heart attack: thrombolysis trials", include_keywords=("clot*",))
    assert np.array_equal(protocol_scores(texts, protocol), protocol_scores(texts, protocol, vectors))
