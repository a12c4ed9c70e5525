"""The hashed TF-IDF weighs every record as a fitted vocabulary would, built block by block."""
from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from screening.prioritise.hashed import HashedTfidf

TEXTS = ["Parent-infant psychotherapy for postnatal depression: a randomised trial.",
         "Statin dosing in adult cardiology outpatients.", "",
         "Mother-infant psychotherapy and attachment at one year.",
         "Psychotherapy for depression in adult outpatients: a randomised trial.",
         "the the the"] * 3


def test_rows_carry_the_weights_a_fitted_vocabulary_gives_and_blocks_change_nothing():
    fitted = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode",
                             max_df=0.95, dtype=np.float32).fit_transform(TEXTS)
    hashed = HashedTfidf(max_df=0.95, block_rows=4).fit_transform(TEXTS)
    assert hashed.shape == fitted.shape  # only the columns some text uses (a term pruned by max_df is not one)
    for row in range(len(TEXTS)):
        assert np.allclose(np.sort(hashed[row].data), np.sort(fitted[row].data), atol=1e-6)
    assert np.allclose((hashed @ hashed.T).toarray(), (fitted @ fitted.T).toarray(), atol=1e-6)
    whole = HashedTfidf(max_df=0.95, block_rows=100).fit_transform(TEXTS)
    assert (whole != hashed).nnz == 0


def test_a_query_is_weighed_by_the_records_idf_and_unknown_words_drop_out():
    vectorizer = HashedTfidf(max_df=0.95)
    records = vectorizer.fit_transform(TEXTS)
    query = vectorizer.transform(["psychotherapy of the zeppelin"], stop_words="english")
    assert query.nnz == 1  # "of" and "the" are stop words, "zeppelin" is in no record
    closeness = (records @ query.T).toarray().ravel()
    assert (closeness[[0, 3, 4]] > 0).all() and not closeness[[1, 2, 5]].any()


def test_the_embedding_goes_beside_each_row_as_a_stack_would_put_it():
    import scipy.sparse as sp

    words = HashedTfidf(max_df=0.95, block_rows=4).fit_transform(TEXTS)
    dense = np.random.default_rng(0).random((len(TEXTS), 3), dtype=np.float32)
    dense[2] = 0  # an empty text's row
    beside = HashedTfidf(max_df=0.95, block_rows=4).fit_transform(TEXTS, beside=dense)  # blocks split unevenly
    stacked = sp.hstack([words, sp.csr_matrix(dense)], format="csr")
    assert beside.shape == stacked.shape
    assert np.array_equal(beside.toarray(), stacked.toarray())
