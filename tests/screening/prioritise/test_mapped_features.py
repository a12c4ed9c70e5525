"""At a million records (#30) the kept features are mapped from their file, not read into memory,
and every record is scored a block of rows at a time: the ranking is the same to the last bit."""
from __future__ import annotations

import numpy as np
import pytest

from screening.prioritise import FeatureOptions, ModelOptions, Prioritiser, model, storage

TEXTS = ["Parent-infant psychotherapy for postnatal depression. A randomised trial.",
         "Statin dosing in adult cardiology outpatients.",
         "Mother-infant psychotherapy and attachment at one year.",
         "",
         "Blood pressure targets in hypertension: a cohort study.",
         "Infant sleep and maternal depression: a randomised trial of a home visit."]
LABELS = {0: 1, 1: 0, 4: 0}


def test_mapped_features_are_those_saved_and_rank_the_same(tmp_path, monkeypatch):
    built = Prioritiser(TEXTS)
    built.save(tmp_path / "review.npz", key="texts-1")
    monkeypatch.setattr(storage, "MAP_FROM_BYTES", 0)  # map every array, however small
    arrays = storage.load_mapped(tmp_path / "review.npz")
    assert isinstance(arrays["data"], np.memmap) and str(arrays["tag"]).startswith("texts-1 ")
    loaded = Prioritiser.load(tmp_path / "review.npz", key="texts-1")
    assert loaded is not None and (loaded.features != built.features).nnz == 0
    assert np.array_equal(loaded.rank(LABELS).scores, built.rank(LABELS).scores)
    loaded.features.data[0] = 99  # a map is copy-on-write: the file stays as saved
    assert Prioritiser.load(tmp_path / "review.npz", key="texts-1").features.data[0] == built.features.data[0]


def test_a_compressed_or_foreign_archive_is_refused(tmp_path):
    np.savez_compressed(tmp_path / "packed.npz", data=np.arange(10))
    with pytest.raises(ValueError, match="not a stored .npy array"):
        storage.load_mapped(tmp_path / "packed.npz")
    assert Prioritiser.load(tmp_path / "packed.npz", key="texts-1") is None


@pytest.mark.parametrize("classifier", ["svm", "logistic", "nb", "logistic+nb"])
def test_scoring_by_blocks_of_rows_gives_the_same_scores(monkeypatch, classifier):
    # Naive Bayes takes no negative values, so no embeddings.
    features = FeatureOptions(embedding_scale=0) if "nb" in classifier else None
    prioritiser = Prioritiser(TEXTS, features, ModelOptions(classifier=classifier))
    whole = prioritiser.rank(LABELS)
    monkeypatch.setattr(model, "SCORE_ROWS", 2)
    blocks = prioritiser.rank(LABELS)
    assert np.array_equal(whole.order, blocks.order) and np.array_equal(whole.scores, blocks.scores)
