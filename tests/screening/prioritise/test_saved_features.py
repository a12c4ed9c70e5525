"""The ranking's features kept in a file: the same ranking after loading, and nothing stale loaded."""
from __future__ import annotations

import numpy as np

from screening.prioritise import FeatureOptions, Prioritiser

TEXTS = ["Parent-infant psychotherapy for postnatal depression. A randomised trial.",
         "Statin dosing in adult cardiology outpatients.",
         "Mother-infant psychotherapy and attachment at one year.",
         "",
         "Blood pressure targets in hypertension: a cohort study."]
LABELS = {0: 1, 1: 0}


def test_loaded_features_rank_as_the_built_ones(tmp_path):
    built = Prioritiser(TEXTS)
    built.save(tmp_path / "review.npz", key="texts-1")
    loaded = Prioritiser.load(tmp_path / "review.npz", key="texts-1")
    assert loaded is not None
    assert (loaded.features != built.features).nnz == 0
    assert np.array_equal(loaded.wordless, built.wordless) and loaded.wordless[3]
    loaded_ranking, built_ranking = loaded.rank(LABELS), built.rank(LABELS)
    assert np.array_equal(loaded_ranking.order, built_ranking.order)
    assert np.array_equal(loaded_ranking.scores, built_ranking.scores)
    assert loaded_ranking.order[0] == 2  # the other psychotherapy record first


def test_features_of_other_texts_or_options_or_a_broken_file_are_not_loaded(tmp_path):
    path = tmp_path / "review.npz"
    assert Prioritiser.load(path, key="texts-1") is None  # no file yet
    Prioritiser(TEXTS).save(path, key="texts-1")
    assert Prioritiser.load(path, key="texts-2") is None
    assert Prioritiser.load(path, key="texts-1", features=FeatureOptions(embedding_scale=0.2)) is None
    path.write_bytes(b"PK\x03\x04 not really a zip archive")
    assert Prioritiser.load(path, key="texts-1") is None
    assert not list(tmp_path.glob("*.partial"))  # saving leaves no half-written file behind


def test_features_saved_before_the_hashed_tfidf_are_rebuilt_not_loaded(tmp_path, monkeypatch):
    from screening.prioritise import model

    path = tmp_path / "review.npz"
    monkeypatch.setattr(model, "FEATURES_FORMAT", 1)  # the fitted vocabulary's columns
    Prioritiser(TEXTS).save(path, key="texts-1")
    monkeypatch.undo()
    assert Prioritiser.load(path, key="texts-1") is None
    Prioritiser(TEXTS).save(path, key="texts-1")
    assert Prioritiser.load(path, key="texts-1") is not None
