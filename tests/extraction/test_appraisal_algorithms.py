"""Every branch of the RoB 2 domain algorithms, the overall rules of RoB 2 and ROBINS-I and the
custom tools' worst-domain rule, against the decision rules of the 2019 guidance as DOMAIN.md
reads them. Pure: no database."""
from __future__ import annotations

import pytest

from extraction.appraisal import algorithms as alg
from extraction.appraisal.algorithms import HIGH, LOW, SOME


def answers(text: str) -> dict[str, str]:
    """'1.1=Y 1.2=PN' -> {"1.1": "Y", "1.2": "PN"}."""
    return dict(pair.split("=") for pair in text.split())


@pytest.mark.parametrize("given, expected", [
    ("1.1=Y 1.2=Y 1.3=N", LOW),
    ("1.1=NI 1.2=PY 1.3=NI", LOW),          # 1.1 NI still allows low
    ("1.1=PN 1.2=Y 1.3=N", SOME),           # concealed but not random
    ("1.1=Y 1.2=Y 1.3=PY", SOME),           # baseline imbalance
    ("1.1=Y 1.2=N 1.3=N", HIGH),            # not concealed
    ("1.1=Y 1.2=PN 1.3=NI", HIGH),
    ("1.1=Y 1.2=NI 1.3=Y", HIGH),           # no information on concealment + imbalance
    ("1.1=Y 1.2=NI 1.3=N", SOME),
    ("1.1=Y 1.2=NI 1.3=NI", SOME),
])
def test_rob2_domain_1(given, expected):
    assert alg.rob2_d1(answers(given)).judgement == expected


@pytest.mark.parametrize("given, expected", [
    # part 1 low by blinding, part 2 low
    ("2.1=N 2.2=PN 2.6=Y", LOW),
    # part 1 low: no context-driven deviations
    ("2.1=Y 2.2=N 2.3=PN 2.6=PY", LOW),
    # part 1 some concerns: no information on deviations
    ("2.1=Y 2.2=N 2.3=NI 2.6=Y", SOME),
    # part 1 some concerns: deviations unlikely to affect the outcome
    ("2.1=NI 2.2=N 2.3=Y 2.4=PN 2.6=Y", SOME),
    # part 1 some concerns: deviations balanced
    ("2.1=Y 2.2=Y 2.3=Y 2.4=Y 2.5=PY 2.6=Y", SOME),
    # part 1 high: likely to affect the outcome and not balanced (and NI on either counts so)
    ("2.1=Y 2.2=Y 2.3=PY 2.4=Y 2.5=N 2.6=Y", HIGH),
    ("2.1=Y 2.2=Y 2.3=PY 2.4=NI 2.5=NI 2.6=Y", HIGH),
    # part 2 some concerns: inappropriate analysis without substantial impact
    ("2.1=N 2.2=N 2.6=N 2.7=PN", SOME),
    ("2.1=N 2.2=N 2.6=NI 2.7=N", SOME),
    # part 2 high: inappropriate analysis, potentially substantial impact (NI counts so)
    ("2.1=N 2.2=N 2.6=PN 2.7=Y", HIGH),
    ("2.1=N 2.2=N 2.6=N 2.7=NI", HIGH),
    # the worse part wins
    ("2.1=Y 2.2=Y 2.3=NI 2.6=N 2.7=Y", HIGH),
])
def test_rob2_domain_2_effect_of_assignment(given, expected):
    assert alg.rob2_d2_assignment(answers(given)).judgement == expected


@pytest.mark.parametrize("given, expected", [
    ("2.0=Y 2.1=N 2.2=N 2.6=Y", LOW),
    ("2.0=N 2.1=N 2.2=N 2.6=Y", HIGH),        # too short a wash-out
    ("2.0=NI 2.1=N 2.2=N 2.6=Y", SOME),       # no information on carry-over lifts low to some concerns
    ("2.0=NI 2.1=N 2.2=N 2.6=N 2.7=Y", HIGH),  # ... and leaves a worse judgement as it is
    ("2.0=PY 2.1=Y 2.2=N 2.3=NI 2.6=Y", SOME),
])
def test_rob2_domain_2_crossover(given, expected):
    assert alg.rob2_d2_assignment_crossover(answers(given)).judgement == expected


@pytest.mark.parametrize("given, expected", [
    ("2.1=N 2.2=N 2.4=N 2.5=PN", LOW),                       # blinded, implemented, adhered
    ("2.1=Y 2.2=N 2.3=Y 2.4=NA 2.5=N", LOW),                 # aware, but co-interventions balanced
    ("2.1=Y 2.2=Y 2.4=N 2.5=N", LOW),                        # 2.3 not applicable (left empty)
    ("2.1=Y 2.2=N 2.3=N 2.4=N 2.5=N 2.6=Y", SOME),           # unbalanced co-interventions, analysed well
    ("2.1=Y 2.2=N 2.3=NI 2.4=N 2.5=N 2.6=PN", HIGH),         # ... analysed badly
    ("2.1=N 2.2=N 2.4=Y 2.5=N 2.6=PY", SOME),                # failed implementation
    ("2.1=N 2.2=N 2.4=N 2.5=NI 2.6=NI", HIGH),               # possible non-adherence, no good analysis
    ("2.1=N 2.2=N 2.4=N 2.5=Y 2.6=N", HIGH),
])
def test_rob2_domain_2_effect_of_adhering(given, expected):
    assert alg.rob2_d2_adhering(answers(given)).judgement == expected


@pytest.mark.parametrize("given, expected", [
    ("3.1=Y", LOW),
    ("3.1=N 3.2=PY", LOW),
    ("3.1=NI 3.2=N 3.3=PN", LOW),
    ("3.1=N 3.2=N 3.3=Y 3.4=N", SOME),
    ("3.1=N 3.2=PN 3.3=NI 3.4=PN", SOME),
    ("3.1=N 3.2=N 3.3=Y 3.4=Y", HIGH),
    ("3.1=PN 3.2=N 3.3=PY 3.4=NI", HIGH),
])
def test_rob2_domain_3(given, expected):
    assert alg.rob2_d3(answers(given)).judgement == expected


@pytest.mark.parametrize("given, expected", [
    ("4.1=Y 4.2=N", HIGH),                       # inappropriate method
    ("4.1=N 4.2=PY", HIGH),                      # differed between groups
    ("4.1=N 4.2=N 4.3=N", LOW),                  # assessors blinded
    ("4.1=NI 4.2=PN 4.3=Y 4.4=N", LOW),          # aware, could not influence
    ("4.1=N 4.2=N 4.3=Y 4.4=Y 4.5=N", SOME),     # could, unlikely did
    ("4.1=N 4.2=N 4.3=PY 4.4=NI 4.5=PY", HIGH),  # likely did
    ("4.1=N 4.2=N 4.3=Y 4.4=Y 4.5=NI", HIGH),
    ("4.1=N 4.2=NI 4.3=N", SOME),                # 4.2 NI caps the best at some concerns
    ("4.1=N 4.2=NI 4.3=Y 4.4=PN", SOME),
    ("4.1=N 4.2=NI 4.3=Y 4.4=Y 4.5=N", SOME),
    ("4.1=N 4.2=NI 4.3=Y 4.4=Y 4.5=Y", HIGH),
])
def test_rob2_domain_4(given, expected):
    assert alg.rob2_d4(answers(given)).judgement == expected


@pytest.mark.parametrize("given, expected", [
    ("5.1=Y 5.2=N 5.3=PN", LOW),
    ("5.1=N 5.2=N 5.3=N", SOME),     # no pre-specified plan
    ("5.1=NI 5.2=PN 5.3=N", SOME),
    ("5.1=Y 5.2=NI 5.3=N", SOME),    # no information on selection
    ("5.1=Y 5.2=N 5.3=NI", SOME),
    ("5.1=Y 5.2=Y 5.3=N", HIGH),
    ("5.1=Y 5.2=N 5.3=PY", HIGH),
    ("5.1=Y 5.2=NI 5.3=Y", HIGH),
])
def test_rob2_domain_5(given, expected):
    assert alg.rob2_d5(answers(given)).judgement == expected


@pytest.mark.parametrize("given, expected", [
    ("1b.1=Y 1b.3=N", LOW),
    ("1b.1=N 1b.2=PN 1b.3=NI", LOW),
    ("1b.1=Y 1b.3=Y", SOME),
    ("1b.1=N 1b.2=Y 1b.3=N", SOME),
    ("1b.1=N 1b.2=NI 1b.3=PY", HIGH),
])
def test_rob2_cluster_domain_1b(given, expected):
    assert alg.rob2_d1b(answers(given)).judgement == expected


def test_a_missing_answer_gives_no_proposal_rather_than_a_guess():
    assert alg.propose_domain("rob2.d1", answers("1.1=Y 1.2=Y")) is None
    assert alg.propose_domain("rob2.d3", answers("3.1=N")) is None
    assert alg.propose_domain(None, answers("1.1=Y")) is None
    assert alg.propose_domain("rob2.d3", answers("3.1=Y")).judgement == LOW


@pytest.mark.parametrize("domains, expected, confirm", [
    ([LOW] * 5, LOW, False),
    ([LOW, SOME, LOW, LOW, LOW], SOME, False),
    ([LOW, SOME, SOME, LOW, LOW], SOME, True),   # several: the appraiser confirms or makes it high
    ([SOME, HIGH, LOW, LOW, LOW], HIGH, False),
])
def test_rob2_overall(domains, expected, confirm):
    proposal = alg.rob2_overall(domains)
    assert (proposal.judgement, proposal.confirm) == (expected, confirm)
    assert alg.propose_overall("rob2.overall", [*domains[:4], None], []) is None


@pytest.mark.parametrize("domains, expected, confirm", [
    (["Low"] * 7, "Low", False),
    (["Low", "Moderate", "Low"], "Moderate", False),
    (["Serious", "Moderate", "No information"], "Serious", False),
    (["Critical", "Serious", "Low"], "Critical", False),
    (["Low", "No information", "Moderate"], "No information", True),
])
def test_robins_i_overall_is_the_most_severe_domain(domains, expected, confirm):
    proposal = alg.robins_i_overall(domains)
    assert (proposal.judgement, proposal.confirm) == (expected, confirm)
    assert alg.propose_overall("robins_i.overall", ["Low", None], []) is None


def test_worst_domain_follows_the_scale_order():
    scale = ["Good", "Fair", "Poor"]
    assert alg.worst_domain(["Good", "Fair", "Good"], scale).judgement == "Fair"
    assert alg.propose_overall("worst_domain", ["Poor", "Good"], scale).judgement == "Poor"
    assert alg.propose_overall("worst_domain", ["Poor", None], scale) is None
    assert alg.propose_overall("worst_domain", ["Unknown word"], scale) is None
    assert alg.propose_overall(None, ["Good"], scale) is None
