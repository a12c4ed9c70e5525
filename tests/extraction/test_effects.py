"""Effect sizes of outcome data rows, harmonised to the outcome's direction; conversions; checks."""
from __future__ import annotations

import math

import pytest
from scipy import stats

from extraction import outcome_data as od

CONT = {"outcome": "Parental depression", "instrument": "EPDS", "higher_is_better": "No", "timepoint": "post",
        "data_type": od.CONTINUOUS, "i_n": 40, "i_mean": 9.0, "i_sd": 4.0, "c_n": 42, "c_mean": 12.0, "c_sd": 5.0}


def hedges_g(m1, sd1, n1, m2, sd2, n2):
    """Hedges' g by hand (Borenstein et al. 2009, with the exact correction factor)."""
    df = n1 + n2 - 2
    sp = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / df)
    j = math.exp(math.lgamma(df / 2) - math.log(math.sqrt(df / 2)) - math.lgamma((df - 1) / 2))
    g = j * (m1 - m2) / sp
    return g, 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))


def test_a_depression_scale_on_a_lower_is_better_outcome_keeps_its_sign():
    effect = od.row_effect(CONT, higher_favours_intervention=False)
    g, v = hedges_g(9, 4, 40, 12, 5, 42)
    assert effect.complete and not effect.flipped
    assert effect.yi == pytest.approx(g, rel=1e-9) and effect.vi == pytest.approx(v, rel=1e-9)
    assert effect.yi < 0 and effect.favours == "below 0 favours the intervention"


def test_an_instrument_scored_the_other_way_is_flipped_to_the_outcomes_direction():
    # a mood scale where higher is better, measuring an outcome where lower values favour the intervention
    row = {**CONT, "instrument": "Mood scale", "higher_is_better": "Yes", "i_mean": 15.0, "c_mean": 12.0}
    effect = od.row_effect(row, higher_favours_intervention=False)
    g, _ = hedges_g(15, 4, 40, 12, 5, 42)
    assert effect.flipped and effect.yi == pytest.approx(-g, rel=1e-9)
    assert effect.yi < 0  # the intervention did better: the effect points where EPDS studies point


def test_an_se_is_converted_to_an_sd_and_a_ci_with_the_t_distribution_below_60():
    by_se = {**CONT, "i_sd": None, "c_sd": None, "i_se": 4.0 / math.sqrt(40), "c_se": 5.0 / math.sqrt(42)}
    assert od.row_effect(by_se, higher_favours_intervention=False).yi == pytest.approx(
        od.row_effect(CONT, higher_favours_intervention=False).yi, rel=1e-12)
    half = stats.t.ppf(0.975, 39) * 4.0 / math.sqrt(40)
    by_ci = {**CONT, "i_sd": None, "i_ci_lb": 9.0 - half, "i_ci_ub": 9.0 + half}
    assert od.arm_sd(by_ci, "i") == pytest.approx(4.0, rel=1e-12)
    big = {"i_n": 100, "i_ci_lb": 10 - 1.959963984540054 * 0.5, "i_ci_ub": 10 + 1.959963984540054 * 0.5}
    assert od.arm_sd(big, "i") == pytest.approx(5.0, rel=1e-12)


def test_a_reported_odds_ratio_with_its_ci_is_logged_and_its_se_taken_from_the_ci():
    row = {"outcome": "Infant attachment", "higher_is_better": "Yes", "data_type": od.EFFECT, "effect_measure": "OR",
           "effect": 2.0, "effect_ci_lb": 1.2, "effect_ci_ub": 3.5}
    effect = od.row_effect(row, higher_favours_intervention=True)
    assert effect.yi == pytest.approx(math.log(2.0))
    assert effect.se == pytest.approx((math.log(3.5) - math.log(1.2)) / (2 * 1.959963984540054))


def test_events_give_a_log_odds_ratio():
    row = {"outcome": "Infant attachment", "higher_is_better": "Yes", "data_type": od.DICHOTOMOUS,
           "i_events": 20, "i_n": 40, "c_events": 10, "c_n": 40}
    effect = od.row_effect(row, higher_favours_intervention=True)
    assert effect.measure == "OR" and effect.yi == pytest.approx(math.log((20 / 20) / (10 / 30)))
    assert effect.vi == pytest.approx(1 / 20 + 1 / 20 + 1 / 10 + 1 / 30)


def test_pre_post_needs_the_correlation_and_says_when_it_was_assumed():
    row = {"outcome": "Parenting stress", "higher_is_better": "No", "data_type": od.PREPOST, "i_n": 30,
           "pre_mean": 90.0, "pre_sd": 20.0, "post_mean": 80.0, "post_sd": 18.0}
    incomplete = od.row_effect(row, higher_favours_intervention=False)
    assert not incomplete.complete and "pre-post correlation" in incomplete.missing[0]
    effect = od.row_effect({**row, "r": 0.5, "r_source": "Assumed"}, higher_favours_intervention=False)
    j = math.exp(math.lgamma(29 / 2) - math.log(math.sqrt(29 / 2)) - math.lgamma(28 / 2))
    assert effect.yi == pytest.approx(j * (80 - 90) / 20, rel=1e-12)
    assert effect.vi == pytest.approx(2 * 0.5 / 30 + effect.yi**2 / 60, rel=1e-12)
    assert effect.note == "assumed pre-post correlation r = 0.5"


def test_incomplete_rows_say_what_they_need():
    effect = od.row_effect({**CONT, "c_sd": None}, higher_favours_intervention=False)
    assert not effect.complete and effect.missing == ["Comparator SD (or SE or CI)"]


@pytest.mark.parametrize("row, key", [
    ({"i_sd": -1}, "i_sd"), ({"c_se": 0}, "c_se"), ({"i_n": 0}, "i_n"),
    ({"c_events": 11, "c_n": 10}, "c_events"), ({"i_mean": 5, "i_ci_lb": 6, "i_ci_ub": 8}, "i_ci_lb"),
    ({"effect": 1.5, "effect_ci_lb": 0.5, "effect_ci_ub": 1.2}, "effect_ci_ub"),
    ({"effect_ci_lb": 2, "effect_ci_ub": 1}, "effect_ci_ub"), ({"effect_measure": "OR", "effect": -0.2}, "effect"),
    ({"effect_p": 0}, "effect_p"), ({"r": 1.2}, "r"), ({"pre_sd": 0}, "pre_sd"),
])
def test_impossible_values_are_named(row, key):
    assert key in od.check_row(row)


def test_possible_values_pass():
    assert od.check_row({**CONT, "i_ci_lb": 8.0, "i_ci_ub": 10.0, "i_events": 40, "effect": 0.2,
                         "effect_ci_lb": -0.1, "effect_ci_ub": 0.5, "effect_p": 1, "r": -1}) == {}
