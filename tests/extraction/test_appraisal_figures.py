"""The risk-of-bias figures: robvis' colours and symbols, shares unweighted and weighted, labels
escaped, a custom scale coloured by its order. Pure: no database."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from extraction.appraisal import figures

LEVELS = ["Low", "Some concerns", "High"]
COLUMNS = [("D1", "D1", "Randomisation"), ("D2", "D2", "Deviations")]
ROWS = [figures.FigureRow("A & B <2020>", {"D1": "Low", "D2": "High", "overall": "High"}, weight=300),
        figures.FigureRow("C 2021", {"D1": "Low", "D2": "Low", "overall": "Low"}, weight=100),
        figures.FigureRow("D 2022", {"D1": "Some concerns", "D2": None, "overall": None}, weight=None)]


def test_shares_unweighted_and_weighted_by_sample_size():
    assert figures.shares(ROWS, "D1", LEVELS, weighted=False) == pytest.approx(
        {"Low": 2 / 3, "Some concerns": 1 / 3, "High": 0})
    # weighted: the row without a size is left out; 300 high against 100 low
    assert figures.shares(ROWS, "D2", LEVELS, weighted=True) == pytest.approx({"Low": 0.25, "Some concerns": 0,
                                                                               "High": 0.75})


def test_traffic_light_is_valid_svg_with_escaped_labels_and_robvis_colours():
    svg = figures.traffic_light_svg(rows=ROWS, columns=COLUMNS, levels=LEVELS, title="RoB 2")
    ET.fromstring(svg)  # well-formed despite the & and < in a study label
    assert "A &amp; B &lt;2020&gt;, Overall: High" in svg
    assert svg.count('fill="#BF0000"') == 3  # two high circles and the legend's
    assert "D 2022, D2: not judged" in svg


def test_summary_draws_each_domain_and_the_overall_bar():
    svg = figures.summary_svg(rows=ROWS, columns=COLUMNS, levels=LEVELS, title="RoB 2", weighted=True)
    ET.fromstring(svg)
    assert "Deviations: High 75%" in svg and "Overall risk of bias: Low 25%" in svg
    assert "Weighted by sample size (2 of 3 with one)" in svg


def test_known_words_take_robvis_styles_and_a_custom_scale_goes_from_green_to_red():
    assert figures.level_style("Serious", []) == ("#BF0000", "×")
    assert figures.level_style("no information", []) == ("#4EA1F7", "?")
    scale = ["Good", "Fair", "Poor"]
    assert [figures.level_style(level, scale)[1] for level in scale] == ["+", "−", "×"]
    assert figures.level_style("Good", scale)[0] == "#02C100" and figures.level_style("Poor", scale)[0] == "#BF0000"
    assert figures.level_style(None, scale) == figures.MISSING
