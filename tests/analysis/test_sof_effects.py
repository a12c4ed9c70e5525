"""Absolute effects of the summary of findings from an assumed control risk (no database)."""
from __future__ import annotations

from analysis.sof_effects import absolute_effect


def test_risk_ratio_gives_risks_and_differences_per_1000():
    a = absolute_effect("RR", (0.5, 0.25, 1.0), control_risk=0.2)
    assert a.comparator == "200 per 1000"
    assert a.intervention == "100 per 1000 (50 to 200): 100 fewer per 1000 (−150 to 0)"


def test_odds_ratio_converts_through_the_control_odds():
    # OR 2 at p0 = 0.5: odds 1 -> 2, risk 2/3
    a = absolute_effect("OR", (2.0, 1.0, 4.0), control_risk=0.5)
    assert a.intervention.startswith("667 per 1000 (500 to 800): 167 more per 1000 (0 to +300)")


def test_risk_difference_adds_to_the_control_risk():
    a = absolute_effect("RD", (-0.05, -0.1, 0.0), control_risk=0.3)
    assert a.intervention.startswith("250 per 1000 (200 to 300): 50 fewer")


def test_binary_measures_without_a_control_risk_ask_for_one():
    assert "Set an assumed control risk" in absolute_effect("RR", (0.5, 0.25, 1.0)).note


def test_smd_is_stated_in_sd_units_and_back_translated_with_an_sd():
    a = absolute_effect("SMD", (-0.3, -0.5, -0.1), sd=5.0, sd_scale="the EPDS")
    assert a.intervention == "SMD 0.30 SD lower (-0.50 to -0.10)"
    assert a.note == "About 1.5 points lower on the EPDS (-2.5 to -0.5; SD 5)"
    assert absolute_effect("SMD", (0.3, 0.1, 0.5)).note == ""
