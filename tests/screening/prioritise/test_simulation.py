"""Ranking and simulation on a small real labelled set carried in the repo (CC0, see README.md)."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from screening.prioritise import (
    LabelledSetError,
    Prioritiser,
    SimulationOptions,
    SimulationResult,
    load_labelled_csv,
    record_text,
    simulate,
    start_records,
)

SAMPLE = Path(__file__).parent / "data" / "nagtegaal_2019_sample.csv.gz"
KEYS = {"n_records", "n_included", "screened_for_95", "screened_for_100", "wss_95", "recall_at_10pct",
        "recall_at_25pct", "stop_screened", "stop_recall", "decay_stop_screened", "decay_stop_recall"}


@pytest.fixture(scope="module")
def sample():
    return load_labelled_csv(SAMPLE)


@pytest.fixture(scope="module")
def seed1(sample):
    return simulate(sample.texts, sample.labels, seed=1)


@pytest.fixture(scope="module")
def seed2(sample):
    return simulate(sample.texts, sample.labels, seed=2)


def run_command(*args: str) -> tuple[dict, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("simulate_screening", *args, stdout=out, stderr=err)
    last = out.getvalue().strip().splitlines()[-1]
    return json.loads(last), err.getvalue()


def test_command_prints_the_figures_as_json_on_its_last_line(sample):
    figures, _ = run_command("--csv", str(SAMPLE), "--seed", "1")
    assert KEYS <= set(figures)
    assert figures["n_records"] == 250 and figures["n_included"] == 25
    n = 248  # the two start records do not count
    assert 0 < figures["screened_for_95"] <= figures["screened_for_100"] <= n
    assert figures["wss_95"] == pytest.approx((n - figures["screened_for_95"]) / n - 0.05, abs=1e-4)
    assert 0 <= figures["recall_at_10pct"] <= figures["recall_at_25pct"] <= 1
    assert 0 < figures["stop_screened"] <= n and 0 < figures["stop_recall"] <= 1
    # The decay rule never stops later than the ranked test (it stops whenever the test does).
    assert 0 < figures["decay_stop_screened"] <= figures["stop_screened"]
    assert figures["decay_stop_recall"] <= figures["stop_recall"]


def test_the_same_seed_gives_the_same_figures_and_another_seed_other_start_records(sample, seed1, seed2):
    again = simulate(sample.texts, sample.labels, seed=1)
    assert again.summary() == seed1.summary()
    assert seed1.priors != seed2.priors
    for result in (seed1, seed2):
        assert sample.labels[result.priors[0]] == 1 and sample.labels[result.priors[1]] == 0
    # Another tool can be started from the very same pair (benchmarks/bench_vs_asreview.py),
    # and ours from another tool's pair.
    assert start_records(sample.labels, 1) == seed1.priors
    assert start_records(sample.labels, 2) == seed2.priors
    assert seed1.summary()["start_records"] == list(seed1.priors)
    moved = simulate(sample.texts, sample.labels, seed=1, priors=seed2.priors)
    assert moved.priors == seed2.priors and moved.summary()["wss_95"] == seed2.summary()["wss_95"]
    with pytest.raises(ValueError, match="an included and an excluded record"):
        simulate(sample.texts, sample.labels, seed=1, priors=seed1.priors[::-1])
    with pytest.raises(ValueError, match="labels must be 0 or 1"):  # checked with given priors too
        simulate(sample.texts, [*sample.labels[:-1], 2], seed=1, priors=seed1.priors)


def test_ranking_finds_the_inclusions_much_sooner_than_random_order(sample, seed1):
    result = seed1
    ranked = result.summary()
    # The same start records, the rest in random orders: what screening without ranking gives.
    rng = np.random.default_rng(0)
    random_wss = []
    for _ in range(20):
        order = rng.permutation(result.order)
        shuffled = SimulationResult(priors=result.priors, order=order, labels=np.asarray(sample.labels)[order],
                                    n_records=result.n_records, n_included=result.n_included,
                                    n_retrains=0, options=result.options, seed=1)
        random_wss.append(shuffled.summary()["wss_95"])
    assert ranked["wss_95"] > max(random_wss) + 0.1
    assert ranked["recall_at_25pct"] > 0.6  # random order: 0.25 on average


def test_the_screening_order_covers_every_record_once(seed2):
    seen = list(seed2.priors) + list(seed2.order)
    assert sorted(seen) == list(range(250))


def test_prioritiser_ranks_records_like_the_included_ones_first():
    texts = [record_text("Nudging physicians with reminders", "A trial of electronic reminders to clinicians."),
             record_text("Soil bacteria in wheat fields", "Microbial diversity of agricultural soil."),
             record_text("Reminder letters nudge prescribing", "Clinicians received reminders; a randomised trial."),
             record_text("Wheat yield and soil nitrogen", "Field experiment on fertiliser and soil."),
             record_text("Audit and feedback for doctors", "Feedback and reminders changed prescribing."),
             record_text("", "")]
    ranking = Prioritiser(texts).rank({0: 1, 1: 0})
    assert ranking.trained and ranking.n_labelled == 2 and ranking.n_included == 1
    assert sorted(ranking.order.tolist()) == [2, 3, 4, 5]
    assert ranking.order[0] == 2 and ranking.order.tolist().index(3) > ranking.order.tolist().index(4)
    assert list(ranking.scores) == sorted(ranking.scores, reverse=True)


def test_prioritiser_before_any_exclusion_ranks_by_likeness_and_with_nothing_keeps_the_order():
    texts = ["reminders for clinicians", "soil and wheat", "clinicians get reminders", "wheat soil"]
    only_included = Prioritiser(texts).rank({0: 1})
    assert not only_included.trained and only_included.order[0] == 2
    assert Prioritiser(texts).rank({}).order.tolist() == [0, 1, 2, 3]


def test_bad_labels_are_refused_with_the_record_named(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("title,abstract,label_included\nA,b,1\nC,d,maybe\n")
    with pytest.raises(LabelledSetError, match=r"record 2 .*must be 0 or 1, not 'maybe'"):
        load_labelled_csv(bad)
    with pytest.raises(CommandError, match="must be 0 or 1"):
        run_command("--csv", str(bad), "--seed", "1")


def test_missing_columns_are_named(tmp_path):
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(gzip.compress(b"title,summary,label_included\nA,b,1\n"))
    with pytest.raises(CommandError, match="missing column.*abstract"):
        run_command("--csv", str(bad), "--seed", "1")


def test_the_included_column_is_read_too(tmp_path):
    alt = tmp_path / "alt.csv"
    alt.write_text('"id","title","abstract","included"\n1,"A","x",1\n2,"B","y",0\n')
    assert load_labelled_csv(alt).labels == [1, 0]


def test_a_set_with_a_single_inclusion_cannot_be_simulated(tmp_path):
    one = tmp_path / "one.csv"
    one.write_text("title,abstract,label_included\nA,x,1\nB,y,0\nC,z,0\n")
    with pytest.raises(CommandError, match="at least 2 included"):
        run_command("--csv", str(one), "--seed", "1")


def test_prioritiser_refuses_labels_that_are_not_decisions():
    prioritiser = Prioritiser(["alpha beta", "gamma delta", "alpha eps"])
    with pytest.raises(ValueError, match="1 \\(included\\) or 0"):
        prioritiser.rank({0: 1, 1: 2})
    with pytest.raises(IndexError, match="out of range"):
        prioritiser.rank({0: 1, 7: 0})


def test_records_without_words_wait_behind_the_ranking_until_it_runs_dry():
    texts = ["reminders for clinicians", "soil and wheat", "clinicians get reminders", "", " . ", "wheat soil"]
    prioritiser = Prioritiser(texts)
    assert prioritiser.wordless.tolist() == [False, False, False, True, True, False]
    labels = {0: 1, 1: 0}
    assert prioritiser.rank(labels).order.tolist() == [2, 5, 3, 4]
    assert prioritiser.rank(labels, ran_dry=True).order.tolist() == [3, 4, 2, 5]
    # A decision on a record without words teaches the model nothing.
    before, _ = prioritiser.scores(labels)
    after, _ = prioritiser.scores({**labels, 3: 0})
    np.testing.assert_allclose(after[[2, 5]], before[[2, 5]])


def test_the_ranking_runs_dry_after_a_run_of_exclusions():
    from screening.prioritise import stopping

    assert stopping.ran_dry([1, 0, 0, 0], 3) and stopping.ran_dry([0, 0, 0, 1], 3)
    assert not stopping.ran_dry([0, 0, 1, 0, 0], 3) and not stopping.ran_dry([], 1)


def test_a_simulation_screens_the_records_without_words_once_the_ranking_runs_dry():
    heart = [f"Myocardial infarction trial {n}: thrombolysis for heart attack" for n in range(8)]
    farm = [f"Soil bacteria and wheat yield in field plot {n} of the farm survey" for n in range(150)]
    texts, labels = heart + farm + [""], [1] * 8 + [0] * 150 + [1]
    result = simulate(texts, labels, seed=1, options=SimulationOptions(heuristic_run=20))
    found = list(result.order).index(len(texts) - 1)
    # Every heart record first (7 after the start record), then 20 exclusions in a row, then it:
    # not at the end, where the ranking alone would leave a record it cannot read.
    assert result.labels[:7].tolist() == [1] * 7 and found == 7 + 20
    assert result.labels[found] == 1 and result.summary()["screened_for_100"] == found + 1


def test_the_simulations_decay_stop_is_where_the_apps_test_first_says_stop():
    # The replay checks cheap conditions first; it must stop where asking the app's function
    # after every decision would.
    from screening.prioritise import stopping
    from screening.prioritise.simulate import _first_decay_stop

    decisions = np.array([1, 0] + [1] * 8 + [1, 0, 0, 0] * 5 + ([1] + [0] * 12) * 3 + [0] * 760)
    n_records = 1200
    first = next(i for i in range(2, len(decisions) + 1)
                 if stopping.decay_stopping_test(decisions[:i], n_records).stop)
    assert first < len(decisions)
    assert _first_decay_stop(decisions, n_records, SimulationOptions(), first=2, last=len(decisions)) == first
