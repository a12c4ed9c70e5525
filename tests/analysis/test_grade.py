"""GRADE proposals branch by branch on constructed bodies of evidence (no database)."""
from __future__ import annotations

import math

import pytest

from analysis import grade
from analysis.grade import GradeInput, StudyEvidence


def body(*studies, **kw) -> GradeInput:
    base = dict(measure="SMD", estimate=0.4, ci_lb=0.2, ci_ub=0.6, I2=0.0, participants=2000)
    base.update(kw)
    return GradeInput(studies=tuple(studies), **base)


def on_scale(rob):
    """Where a judgement of RoB 2 or ROBINS-I stands on its tool's scale (the selectors say it from
    the scale's order; the words are only this test's shorthand)."""
    return {"high_risk": rob in ("high", "serious", "critical"), "low_risk": rob == "low"}


def rct(w=1.0, rob="low", label="s"):
    return StudyEvidence(label=label, weight=w, randomised=True, rob=rob, **on_scale(rob))


def nrs(w=1.0, rob=None, robins=False):
    return StudyEvidence(label="n", weight=w, randomised=False, rob=rob, robins=robins, **on_scale(rob))


# -- start level -----------------------------------------------------------------------------

def test_randomised_evidence_starts_high():
    assert grade.start_level(body(rct(), rct()))[0] == 4


def test_a_mixed_body_starts_by_the_majority_of_its_weight():
    start, why = grade.start_level(body(rct(3), nrs(1)))
    assert start == 4 and "75%" in why
    assert grade.start_level(body(rct(1), nrs(3)))[0] == 2


def test_risk_of_bias_counts_where_a_judgement_stands_on_its_scale_not_its_words():
    # a custom scale ["fine", "unsure", "bad"]: "bad" is high risk, "fine" low, whatever the words
    bad = StudyEvidence(label="b", weight=3, randomised=True, rob="bad", high_risk=True)
    fine = StudyEvidence(label="f", weight=1, randomised=True, rob="fine", low_risk=True)
    p = grade.risk_of_bias(body(bad, fine), 4)
    assert p.change == -2 and "75% of the weight from studies at high risk" in p.reason
    # and "high" on a scale where it is the best level counts as low risk
    best = StudyEvidence(label="h", weight=1, randomised=True, rob="high", low_risk=True)
    assert grade.risk_of_bias(body(best, best), 4).change == 0


def test_observational_evidence_appraised_with_robins_starts_high():
    start, why = grade.start_level(body(rct(1), nrs(3, rob="moderate", robins=True)))
    assert start == 4 and "ROBINS-I" in why


# -- risk of bias ----------------------------------------------------------------------------

def test_risk_of_bias_not_serious_when_most_weight_is_low_risk():
    p = grade.risk_of_bias(body(rct(8), rct(2, rob="some concerns")), 4)
    assert p.change == 0 and "0% of the weight from studies at high risk" in p.reason


def test_risk_of_bias_serious_from_a_quarter_of_weight_at_high_risk():
    assert grade.risk_of_bias(body(rct(3), rct(1, rob="high")), 4).change == -1


def test_risk_of_bias_serious_when_most_weight_has_some_concerns():
    p = grade.risk_of_bias(body(rct(4), rct(6, rob="some concerns")), 4)
    assert p.change == -1 and "60% with some concerns" in p.reason


def test_risk_of_bias_very_serious_when_most_weight_is_at_high_risk():
    assert grade.risk_of_bias(body(rct(4), rct(6, rob="serious")), 4).change == -2


def test_unappraised_non_randomised_studies_count_as_high_risk_in_a_body_started_high():
    p = grade.risk_of_bias(body(rct(6), nrs(4)), 4)
    assert p.change == -1 and "1 of 2 studies is not appraised" in p.reason
    assert "2 of 3 studies are not appraised" in grade.risk_of_bias(body(rct(6), nrs(4), nrs(3)), 4).reason
    # in a body that started low they only raise concerns
    assert grade.risk_of_bias(body(rct(6), nrs(4)), 2).change == 0


# -- inconsistency ---------------------------------------------------------------------------

def test_inconsistency_not_serious_with_low_i2():
    p = grade.inconsistency(body(rct(), rct(), I2=10.0, I2_ci=(0, 60), tau2=0.001, pi_lb=0.1, pi_ub=0.7))
    assert p.change == 0 and "I² = 10% (95% CI 0 to 60%)" in p.reason and "excludes no effect" in p.reason
    at_90 = grade.inconsistency(body(rct(), rct(), I2=10.0, I2_ci=(0, 60), pi_lb=0.1, pi_ub=0.7, level=90))
    assert "(90% CI 0 to 60%)" in at_90.reason and "90% prediction interval 0.10 to 0.70" in at_90.reason


def test_inconsistency_serious_from_substantial_i2():
    assert grade.inconsistency(body(rct(), rct(), I2=55.0)).change == -1


def test_inconsistency_serious_when_moderate_i2_and_the_prediction_interval_crosses_the_null():
    p = grade.inconsistency(body(rct(), rct(), I2=35.0, pi_lb=-0.1, pi_ub=0.9))
    assert p.change == -1 and "both directions" in p.reason
    # the same I2 with a prediction interval on one side is not serious
    assert grade.inconsistency(body(rct(), rct(), I2=35.0, pi_lb=0.05, pi_ub=0.9)).change == 0


def test_inconsistency_very_serious_with_considerable_i2_and_effects_both_ways():
    assert grade.inconsistency(body(rct(), rct(), I2=80.0, pi_lb=-0.5, pi_ub=1.2)).change == -2
    assert grade.inconsistency(body(rct(), rct(), I2=80.0, pi_lb=0.1, pi_ub=1.2)).change == -1


def test_inconsistency_of_one_study_is_not_assessable():
    assert grade.inconsistency(body(rct(), I2=None)).change == 0


# -- imprecision -----------------------------------------------------------------------------

def test_imprecision_against_the_null_without_a_threshold():
    assert grade.imprecision(body(rct(), rct(), ci_lb=-0.1, ci_ub=0.5)).change == -1
    p = grade.imprecision(body(rct(), rct()))
    assert p.change == 0 and "no threshold set" in p.reason and "not assessed" in p.reason


def test_imprecision_very_serious_when_the_ci_spans_important_benefit_and_harm():
    p = grade.imprecision(body(rct(), rct(), ci_lb=-0.5, ci_ub=0.6, mid=0.2))
    assert p.change == -2 and "important benefit and important harm" in p.reason


def test_imprecision_serious_when_the_ci_crosses_the_threshold_only():
    assert grade.imprecision(body(rct(), rct(), ci_lb=0.1, ci_ub=0.5, mid=0.2)).change == -1


def test_imprecision_not_serious_when_the_ci_is_beyond_the_threshold_and_the_ois_is_met():
    p = grade.imprecision(body(rct(), rct(), ci_lb=0.25, ci_ub=0.6, mid=0.2, participants=800))
    assert p.change == 0 and "meet the optimal information size of 785" in p.reason


def test_imprecision_serious_when_the_ois_is_not_met():
    p = grade.imprecision(body(rct(), rct(), ci_lb=0.25, ci_ub=0.6, mid=0.2, participants=300))
    assert p.change == -1 and "300 participants fall short" in p.reason


def test_imprecision_never_beyond_very_serious():
    assert grade.imprecision(body(rct(), rct(), ci_lb=-0.5, ci_ub=0.6, mid=0.2, participants=30)).change == -2


def test_optimal_information_size_formulas():
    z = 1.959963984540054 + 0.8416212335729143
    assert grade.optimal_information_size(body(mid=0.2)) == pytest.approx(4 * z * z / 0.04)
    assert grade.optimal_information_size(body(measure="MD", mid=2.0, sd=10.0)) == pytest.approx(4 * z * z / 0.04)
    assert grade.optimal_information_size(body(measure="MD", mid=2.0)) is None
    p0, p1 = 0.2, 0.15
    expected = 2 * z * z * (p0 * (1 - p0) + p1 * (1 - p1)) / (p0 - p1) ** 2
    assert grade.optimal_information_size(body(measure="RR", control_risk=0.2)) == pytest.approx(expected)
    assert grade.optimal_information_size(body(measure="OR")) is None


def test_imprecision_on_a_ratio_uses_the_log_scale_threshold():
    data = body(rct(), rct(), measure="RR", estimate=math.log(0.7), ci_lb=math.log(0.6), ci_ub=math.log(0.78),
                mid=1.25, control_risk=0.3, participants=5000)
    p = grade.imprecision(data)
    assert p.change == 0 and "0.60 to 0.78" in p.reason
    # an upper limit of 0.82 lies above 1/1.25 = 0.80: it crosses the threshold of an important effect
    crossing = GradeInput(**{**data.__dict__, "ci_ub": math.log(0.82)})
    assert grade.imprecision(crossing).change == -1


# -- publication bias ------------------------------------------------------------------------

def test_publication_bias_needs_ten_studies():
    p = grade.publication_bias(body(*[rct()] * 9, egger_p=0.01))
    assert p.change == 0 and not p.from_data and "at least 10" in p.reason


def test_publication_bias_without_egger_on_ten_studies_says_the_test_failed():
    p = grade.publication_bias(body(*[rct()] * 12))
    assert p.change == 0 and not p.from_data and "could not be fitted" in p.reason


def test_publication_bias_suspected_from_egger():
    p = grade.publication_bias(body(*[rct()] * 12, egger_p=0.04, trimfill_k0=3, trimfill_ci=(0.1, 0.5)))
    assert p.change == -1 and "p = 0.040" in p.reason and "adds 3 studies" in p.reason


def test_publication_bias_suspected_when_trim_and_fill_loses_the_effect():
    p = grade.publication_bias(body(*[rct()] * 12, egger_p=0.3, trimfill_k0=2, trimfill_ci=(-0.05, 0.4)))
    assert p.change == -1 and "includes no effect" in p.reason


def test_publication_bias_undetected():
    p = grade.publication_bias(body(*[rct()] * 12, egger_p=0.5, trimfill_k0=0))
    assert p.change == 0 and p.reason.startswith("Undetected")


# -- overall ---------------------------------------------------------------------------------

def test_certainty_adds_the_proposals_to_the_start_and_the_leads_changes_win():
    data = body(*[rct(rob="some concerns")] * 3, I2=60.0, ci_lb=-0.1, ci_ub=0.5)
    proposal = grade.propose(data)
    assert [proposal.proposals[d].change for d in grade.DOWN] == [-1, -1, 0, -1, 0]
    assert proposal.certainty() == 1
    assert proposal.certainty({"inconsistency": 0, "imprecision": 0}) == 3
    assert not proposal.proposals["indirectness"].from_data and not proposal.proposals["large_effect"].from_data


def test_i2_interval_follows_the_typical_within_study_variance():
    lo, hi = grade.i2_interval((0.0, 0.1), [0.1, 0.1, 0.1])
    assert lo == 0 and hi == pytest.approx(50.0)
