"""The cold build from blocks of texts (streamed.py) gives the features and protocol scores of the
in-memory build: the ranking cannot tell which one ran."""
from __future__ import annotations

import numpy as np
import pytest

from screening.prioritise import FeatureOptions, Prioritiser, build_features, streamed
from screening.prioritise.protocol import Protocol, protocol_scores
from screening.prioritise.storage import load_mapped

PROTOCOL = Protocol(text="Psychotherapy for postnatal depression in mothers: randomised trials",
                    include_keywords=("psychotherap*", "infant"), exclude_keywords=("statin",))


def _texts() -> list[str | None]:
    words = ["psychotherapy", "postnatal", "depression", "mother", "infant", "randomised", "trial", "statin",
             "cardiology", "adult", "outpatient", "attachment", "placebo", "dose", "the", "of", "año", "Ébola"]
    rng = np.random.default_rng(7)
    texts: list[str | None] = [" ".join(rng.choice(words, size=rng.integers(3, 40))) for _ in range(437)]
    texts[5], texts[70], texts[71] = "", None, ". "  # no words: the empty record, a missing one, punctuation
    return texts


def _blocks(texts: list[str | None], size: int):
    for start in range(0, len(texts), size):
        yield texts[start:start + size]


@pytest.mark.parametrize("size", [437, 100, 33])
def test_the_streamed_features_and_scores_are_those_built_in_memory(tmp_path, size):
    texts = _texts()
    path = tmp_path / "features.npz"
    scores = streamed.build(_blocks(texts, size), tmp_path, features_to=path, tag="a tag", protocol=PROTOCOL)
    saved = load_mapped(path)
    built = build_features(texts)
    assert str(saved["tag"]) == "a tag" and tuple(saved["shape"]) == built.shape
    for part in ("data", "indices", "indptr"):  # the same matrix to the last bit, and the same index types
        assert saved[part].dtype == getattr(built, part).dtype
        assert np.array_equal(saved[part], getattr(built, part)), part
    assert np.array_equal(saved["wordless"], Prioritiser(texts).wordless)
    # Only the cosines of the embeddings may differ, by the last bit of a float (BLAS's blocking).
    assert np.allclose(scores, protocol_scores(texts, PROTOCOL), rtol=0, atol=1e-6)
    assert [p.name for p in tmp_path.iterdir()] == ["features.npz"]  # the scratch files are gone


def test_the_protocol_alone_is_scored_without_writing_features(tmp_path):
    texts = _texts()
    scores = streamed.build(_blocks(texts, 50), tmp_path, protocol=PROTOCOL)
    assert np.allclose(scores, protocol_scores(texts, PROTOCOL), rtol=0, atol=1e-6)
    assert not list(tmp_path.iterdir())
    assert streamed.build(_blocks(texts, 50), tmp_path, protocol=Protocol(text=" ")) is None


def test_a_prioritiser_built_to_its_file_ranks_as_one_built_in_memory(tmp_path):
    texts = _texts()
    path = tmp_path / "review.npz"
    mapped, prior = Prioritiser.build_saved(_blocks(texts, 64), path, "records v1", protocol=PROTOCOL)
    labels = {0: 1, 1: 0, 2: 0, 9: 1, 30: 0}
    in_memory = Prioritiser(texts).rank(labels, prior=protocol_scores(texts, PROTOCOL))
    streamed_ranking = mapped.rank(labels, prior=prior)
    assert np.array_equal(streamed_ranking.order, in_memory.order)
    assert Prioritiser.load(path, "records v1") is not None and Prioritiser.load(path, "records v2") is None


def test_records_without_words_give_the_in_memory_matrix(tmp_path):
    texts = ["", None, ". ", "--"]
    path = tmp_path / "features.npz"
    streamed.build(_blocks(texts, 3), tmp_path, features_to=path, options=FeatureOptions(embedding_scale=0))
    saved = load_mapped(path)
    assert tuple(saved["shape"]) == build_features(texts, FeatureOptions(embedding_scale=0)).shape == (4, 1)
    assert not saved["data"].size and saved["wordless"].all()


def test_a_failed_write_leaves_no_file_and_no_scratch(tmp_path):
    def failing():
        yield ["a randomised trial of psychotherapy"]
        raise OSError("the database went away")

    with pytest.raises(OSError, match="went away"):
        streamed.build(failing(), tmp_path, features_to=tmp_path / "features.npz", protocol=PROTOCOL)
    assert not list(tmp_path.iterdir())


def test_the_scratch_of_a_killed_build_is_removed_by_the_next_one_not_a_running_one(tmp_path):
    import os
    import time

    abandoned, running = tmp_path / "cold-abandoned", tmp_path / "cold-running"
    for folder in (abandoned, running):
        folder.mkdir()
        (folder / "words.data").write_bytes(b"counted")
    long_ago = time.time() - streamed.ABANDONED_AFTER_SECONDS - 60
    for path in (abandoned / "words.data", abandoned, running):  # the running build still writes its file
        os.utime(path, (long_ago, long_ago))
    streamed.build(_blocks(_texts(), 200), tmp_path, protocol=PROTOCOL)
    assert [p.name for p in tmp_path.iterdir()] == ["cold-running"]
