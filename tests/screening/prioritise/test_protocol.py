"""Cold start from the protocol: the scorer, the blend, the simulation and the command."""
from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from screening.prioritise import Prioritiser, load_labelled_csv, simulate
from screening.prioritise.protocol import (
    Protocol,
    agreement,
    blend,
    parse_protocol,
    protocol_scores,
    protocol_weight,
)

SAMPLE = Path(__file__).parent / "data" / "nagtegaal_2019_sample.csv.gz"
NUDGE = ("Nudging healthcare professionals towards evidence-based medicine: choice architecture, "
         "defaults, reminders and feedback aimed at physicians' decisions.")

TEXTS = [
    "Crop rotation and soil nitrogen in wheat fields. A field trial over three seasons.",
    "Default order sets nudge physicians to prescribe generic drugs: a randomised trial in hospitals.",
    "Deep learning for image segmentation of satellite photographs.",
    "Tax policy and household savings: a panel study.",
    "Reminders to clinicians improved guideline adherence in primary care.",
]


def test_a_record_matching_the_protocol_ranks_above_unrelated_ones():
    scores = protocol_scores(TEXTS, Protocol(text=NUDGE))
    order = list(np.argsort(-scores))
    assert set(order[:2]) == {1, 4}  # the two on nudging clinicians, before crops, images and taxes


def test_include_keywords_lift_and_exclude_keywords_sink_a_record():
    plain = protocol_scores(TEXTS, Protocol(text=NUDGE))
    keyed = protocol_scores(TEXTS, Protocol(text=NUDGE, include_keywords=("satellite",),
                                            exclude_keywords=("randomised trial",)))
    assert keyed[2] - plain[2] > 0.5  # "satellite" is an include keyword
    assert keyed[1] - plain[1] < -0.5  # "randomised trial" an exclude keyword
    assert np.argmax(keyed) == 4


def test_an_empty_protocol_scores_nothing():
    assert not protocol_scores(TEXTS, Protocol(text="  ")).any()


def test_the_protocol_alone_ranks_until_an_inclusion_then_fades():
    assert protocol_weight(0) == 1.0 and protocol_weight(3) == 0.5 and protocol_weight(30) < 0.1
    model, protocol = np.array([3.0, 2.0, 1.0]), np.array([1.0, 2.0, 3.0])
    assert list(np.argsort(-blend(model, protocol, 0))) == [2, 1, 0]
    assert list(np.argsort(-blend(model, protocol, 30))) == [0, 1, 2]


def test_agreement_is_the_share_of_decision_pairs_the_protocol_ordered_rightly():
    protocol, index = np.array([3.0, 2.0, 1.0, 0.0, 5.0]), np.arange(4)
    assert agreement(protocol, index, np.array([1, 1, 0, 0])) == 1.0
    assert agreement(protocol, index, np.array([0, 0, 1, 1])) == 0.0
    assert agreement(protocol, index, np.array([1, 0, 1, 0])) == 0.75
    assert agreement(np.zeros(5), index, np.array([1, 0, 1, 0])) == 0.5  # ties count half
    assert agreement(protocol, index, np.array([0, 0, 0, 0])) == 1.0  # nothing to judge it by yet


def test_a_protocol_no_better_than_chance_gives_way_to_the_model():
    model, protocol = np.array([3.0, 2.0, 1.0]), np.array([1.0, 2.0, 3.0])
    assert list(np.argsort(-blend(model, protocol, 1))) == [2, 1, 0]  # trusted: w = 0.75
    assert list(np.argsort(-blend(model, protocol, 1, agreed=0.5))) == [0, 1, 2]
    z_model = (model - model.mean()) / model.std()  # the protocol's z is its negative here
    # agreed 0.75 halves the protocol's weight: 0.375 * (-z) + 0.625 * z
    assert blend(model, protocol, 1, agreed=0.75) == pytest.approx(0.25 * z_model)


def test_the_prioritiser_ranks_by_the_protocol_before_any_decision():
    prioritiser = Prioritiser(TEXTS)
    ranking = prioritiser.rank({}, prior=protocol_scores(TEXTS, Protocol(text=NUDGE)))
    assert set(ranking.order[:2].tolist()) == {1, 4}
    assert list(prioritiser.rank({}).order) == [0, 1, 2, 3, 4]  # without it: input order


def test_parse_protocol_reads_keyword_lines():
    protocol = parse_protocol("Question: nudges for doctors.\ninclude: nudge, default ; reminder\n"
                              "Exclude keywords: students\n")
    assert protocol.text == "Question: nudges for doctors."
    assert protocol.include_keywords == ("nudge", "default", "reminder")
    assert protocol.exclude_keywords == ("students",)


def test_a_cold_start_screens_every_record_and_beats_random_order():
    sample = load_labelled_csv(SAMPLE)
    result = simulate(sample.texts, sample.labels, seed=1, cold_start=True,
                      prior_scores=protocol_scores(sample.texts, Protocol(text=NUDGE)))
    figures = result.summary()
    assert figures["start_records"] == [] and len(result.order) == 250
    assert sorted(result.order.tolist()) == list(range(250))
    # Random order finds 10 % of the inclusions in the first 10 % of records.
    assert figures["recall_at_10pct"] >= 0.2
    assert figures["wss_95"] == pytest.approx((250 - figures["screened_for_95"]) / 250 - 0.05, abs=1e-4)


def run_command(*args: str) -> dict:
    out, err = StringIO(), StringIO()
    call_command("simulate_screening", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_the_command_starts_cold_from_a_protocol_file(tmp_path):
    protocol = tmp_path / "protocol.txt"
    protocol.write_text(f"{NUDGE}\ninclude: nudge\n", encoding="utf-8")
    figures = run_command("--csv", str(SAMPLE), "--protocol", str(protocol), "--cold-start", "--seed", "1")
    assert figures["start_records"] == [] and figures["n_records"] == 250
    assert 0 < figures["screened_for_95"] <= figures["screened_for_100"] <= 250
    warm = run_command("--csv", str(SAMPLE), "--protocol", str(protocol), "--seed", "1")
    assert len(warm["start_records"]) == 2  # a protocol without --cold-start blends from the start pair
    assert figures.keys() == warm.keys()  # the same JSON from a cold start as from a start pair
    assert figures["n_retrains"] > 0 and figures["stop_screened"] <= 250


def test_the_command_refuses_a_cold_start_without_a_protocol(tmp_path):
    with pytest.raises(CommandError, match="--cold-start needs --protocol"):
        run_command("--csv", str(SAMPLE), "--cold-start", "--seed", "1")
    empty = tmp_path / "empty.txt"
    empty.write_text("exclude: rats\n", encoding="utf-8")
    with pytest.raises(CommandError, match="empty.txt holds no protocol text"):
        run_command("--csv", str(SAMPLE), "--protocol", str(empty), "--cold-start", "--seed", "1")
