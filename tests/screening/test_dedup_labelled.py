"""Deduplication measured on real search results with labelled duplicates.

Pairwise precision and recall of the SURE duplicates (merged without asking)
and of sure + possible (what the reviewers' queue shows) on each public set.
"""
from __future__ import annotations

import pytest

from screening.dedup import find_duplicate_pairs, find_duplicates
from screening.dedup.labelled import group_pairs, load_bib_dedupe, load_colrev, score_pairs
from tests.support import shared_data

# Haematology's labels count errata, "Reply" letters and separate trial
# registrations of one sponsor as duplicates of the article; we deliberately
# never merge those automatically (they go to the review queue), which caps
# its sure recall at about 0.80. See BENCHMARKS.md, "Deduplication".
SURE_RECALL = {"haematology": 0.80}


def _load(name: str):
    if name == "colrev_dedupe":
        return load_colrev(shared_data("dedup", "colrev_dedupe"))
    return load_bib_dedupe(shared_data("dedup", "bib-dedupe", name))


@pytest.mark.parametrize(
    "name", ["cytology_screening", "haematology", "respiratory", "special_cases", "colrev_dedupe"]
)
def test_it_finds_labelled_duplicates_without_false_merges(name):
    labelled = _load(name)
    truth = group_pairs(labelled.clusters)

    sure = group_pairs(find_duplicates(labelled.citations))
    scores = score_pairs(sure, truth)
    queued = {(p.i, p.j) for p in find_duplicate_pairs(labelled.citations)} | sure
    with_possible = score_pairs(queued, truth)

    assert scores.precision >= 0.99, scores
    assert scores.recall >= SURE_RECALL.get(name, 0.95), scores
    # Whatever is not merged automatically must at least reach the review queue.
    assert with_possible.recall >= 0.95, with_possible


def test_labelled_respiratory_loader_ignores_record_numbers_as_issues():
    labelled = _load("respiratory")
    assert all(c.issue is None for c in labelled.citations)
    assert len(labelled.citations) == 1988
