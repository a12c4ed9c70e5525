"""Absolute effects of the summary of findings from an assumed control risk, and the one way
effects are worded (GRADE's direction words with unsigned bounds; no database)."""
from __future__ import annotations

import re

import pytest

from analysis.sof.effects import absolute_effect
from analysis.wording import difference_in_words, effect_text

# A direction word next to a signed number is the double negative the convention rules out.
DOUBLE_NEGATIVE = re.compile(r"(lower|higher|fewer|more)[^.;]*[-\u2212+]\d|[-\u2212+]\d[^(]*\b(lower|higher|fewer)\b")


def test_risk_ratio_gives_risks_and_differences_per_1000():
    a = absolute_effect("RR", (0.5, 0.25, 1.0), control_risk=0.2)
    assert a.comparator == "200 per 1000"
    assert a.intervention == "100 per 1000 (50 to 200): 100 fewer per 1000 (150 fewer to 0)"


def test_odds_ratio_converts_through_the_control_odds():
    # OR 2 at p0 = 0.5: odds 1 -> 2, risk 2/3
    a = absolute_effect("OR", (2.0, 1.0, 4.0), control_risk=0.5)
    assert a.intervention == "667 per 1000 (500 to 800): 167 more per 1000 (0 to 300 more)"


def test_risk_difference_adds_to_the_control_risk():
    a = absolute_effect("RD", (-0.05, -0.1, 0.0), control_risk=0.3)
    assert a.intervention == "250 per 1000 (200 to 300): 50 fewer per 1000 (100 fewer to 0)"


def test_binary_measures_without_a_control_risk_ask_for_one():
    assert "Set an assumed control risk" in absolute_effect("RR", (0.5, 0.25, 1.0)).note


def test_smd_is_stated_in_sd_units_and_back_translated_with_an_sd():
    a = absolute_effect("SMD", (-0.35, -0.45, -0.25), sd=5.0, sd_scale="the EPDS")
    assert a.intervention == "SMD 0.35 SD lower (0.45 lower to 0.25 lower)"
    assert a.note == "About 1.8 points lower on the EPDS (2.2 lower to 1.2 lower; SD 5)"
    assert absolute_effect("SMD", (0.3, 0.1, 0.5)).note == ""


def test_an_interval_across_no_effect_has_a_word_on_each_side():
    assert absolute_effect("MD", (-1.2, -3.0, 0.6)).intervention == "MD 1.20 lower (3.00 lower to 0.60 higher)"


@pytest.mark.parametrize("shown", [(-0.35, -0.45, -0.25), (0.2, -0.1, 0.5), (0.4, 0.1, 0.7), (-0.001, -0.2, 0.2)])
@pytest.mark.parametrize("measure", ["SMD", "SMCR", "MD", "RD"])
def test_no_difference_carries_a_direction_word_and_a_sign_together(measure, shown):
    text = effect_text(measure, *shown, level=90)
    assert not DOUBLE_NEGATIVE.search(text), text
    assert "90% CI" in text


def test_ratios_keep_their_numbers_and_name_the_level():
    assert effect_text("RR", 0.8, 0.7, 0.91, level=95) == "RR 0.80 (95% CI 0.70 to 0.91)"


def test_bounds_come_out_lowest_first_and_a_note_ends_the_parenthesis():
    assert difference_in_words(-2, 3, -5, digits=0, up="more", down="fewer", per="per 1000", note="p = 0.2") == \
        "2 fewer per 1000 (5 fewer to 3 more; p = 0.2)"
