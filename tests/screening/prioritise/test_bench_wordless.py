"""The replay behind benchmarks/bench_wordless.py: records without words placed otherwise, the
ranked records' order kept."""
from __future__ import annotations

import numpy as np

from benchmarks.bench_wordless import figures, replay

# Records 5 and 6 have no words; the simulation screened them once two exclusions came in a row.
SIMULATED = np.array([0, 1, 2, 5, 6, 3, 4])
BLANK = np.array([False] * 5 + [True] * 2)
LABELS = {0: 1, 1: 0, 2: 0, 3: 1, 4: 0, 5: 0, 6: 0}


def test_the_app_rule_reproduces_the_simulated_order():
    assert replay(SIMULATED, BLANK, LABELS, run=2).tolist() == SIMULATED.tolist()


def test_other_placements_move_only_the_records_without_words():
    assert replay(SIMULATED, BLANK, LABELS, run=2, every=1).tolist() == [0, 1, 2, 5, 3, 6, 4]
    assert replay(SIMULATED, BLANK, LABELS, run=len(SIMULATED) + 1).tolist() == [0, 1, 2, 3, 4, 5, 6]
    # The excluded start record counts as the first exclusion of the run, as in the simulation.
    first_two_excluded = np.array([1, 2, 0, 3, 4, 5, 6])
    assert replay(first_two_excluded, BLANK, LABELS, run=3).tolist() == [1, 2, 5, 6, 0, 3, 4]


def test_figures_count_as_the_simulation_does():
    wss, recall = figures(np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), relevant=1)
    assert round(wss, 4) == 0.85 and recall == 1.0


def test_a_pause_sends_the_rest_back_until_the_ranking_runs_dry_again():
    from benchmarks.bench_wordless import replay_patient

    blank = np.array([False] * 6 + [True] * 3)
    labels = {0: 1, 1: 0, 2: 0, 3: 0, 4: 0, 5: 1, 6: 0, 7: 0, 8: 1}
    simulated = np.array([0, 1, 2, 6, 7, 8, 3, 4, 5])
    # Two empty records excluded in a row: the third waits until two ranked exclusions come again.
    assert replay_patient(simulated, blank, labels, run=2, patience=2).tolist() == [0, 1, 2, 6, 7, 3, 4, 8, 5]
    # An inclusion among them keeps them coming.
    labels[6] = 1
    assert replay_patient(simulated, blank, labels, run=2, patience=2).tolist() == [0, 1, 2, 6, 7, 8, 3, 4, 5]
