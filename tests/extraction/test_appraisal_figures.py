"""The risk-of-bias figures: robvis' colours and symbols, shares unweighted and weighted, labels
escaped, a custom scale coloured by its order. Pure: no database."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from extraction.appraisal import figures

LEVELS = ["Low", "Some concerns", "High"]
SCALE = figures.Scale.of({"scale": LEVELS})
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
    svg = figures.traffic_light_svg(rows=ROWS, columns=COLUMNS, scale=SCALE, title="RoB 2")
    ET.fromstring(svg)  # well-formed despite the & and < in a study label
    assert "A &amp; B &lt;2020&gt;, Overall: High" in svg
    assert svg.count('fill="#BF0000"') == 3  # two high circles and the legend's
    assert "D 2022, D2: not judged" in svg


def test_summary_draws_each_domain_and_the_overall_bar():
    svg = figures.summary_svg(rows=ROWS, columns=COLUMNS, scale=SCALE, title="RoB 2", weighted=True)
    ET.fromstring(svg)
    assert "Deviations: High 75%" in svg and "Overall risk of bias: Low 25%" in svg
    assert "Weighted by sample size (2 of 3 with one)" in svg


def test_robins_i_takes_robvis_styles_from_its_order():
    robins = figures.Scale.of({"scale": ["Low", "Moderate", "Serious", "Critical"], "no_information": "No information"})
    assert [figures.level_style(level, robins) for level in robins.judgements] == [
        ("#02C100", "+"), ("#E2DF07", "−"), ("#BF0000", "×"), ("#820000", "!"), ("#4EA1F7", "?")]
    assert [figures.level_style(level, SCALE) for level in LEVELS] == [
        ("#02C100", "+"), ("#E2DF07", "−"), ("#BF0000", "×")]
    assert figures.level_style(None, SCALE) == figures.MISSING
    assert figures.level_style("Serious", SCALE) == figures.MISSING  # not a word of this tool


def test_a_custom_scale_is_coloured_by_its_order_and_its_high_risk_threshold_not_by_english_words():
    custom = {"scale": ["fine", "unsure", "bad"]}
    assert [figures.level_style(level, figures.Scale.of(custom)) for level in custom["scale"]] == [
        ("#02C100", "+"), ("#E2DF07", "−"), ("#BF0000", "×")]
    # from "unsure" on counts as high risk: it is drawn as high risk, "bad" as worse still
    strict = figures.Scale.of({**custom, "high_risk_from": "unsure"})
    assert [figures.level_style(level, strict)[1] for level in custom["scale"]] == ["+", "×", "!"]
    # words that mean something else on another tool's scale are read by their place on this one
    upside_down = figures.Scale.of({"scale": ["High quality", "Low", "Critical"]})
    assert figures.level_style("Low", upside_down)[1] == "−"
    assert figures.level_style("High quality", upside_down)[1] == "+"
    rows = [figures.FigureRow("S1", {"D1": "bad", "overall": "bad"}),
            figures.FigureRow("S2", {"D1": "fine", "overall": "unsure"})]
    svg = figures.traffic_light_svg(rows=rows, columns=[("D1", "D1", "Domain")], scale=strict, title="Custom")
    assert svg.count('fill="#820000"') == 3 and svg.count('fill="#BF0000"') == 2  # two "bad", one "unsure", legends


def test_a_scale_with_several_levels_between_spreads_them_from_green_to_orange():
    five = figures.Scale.of({"scale": ["a", "b", "c", "d", "e"], "high_risk_from": "e"})
    assert [figures.level_style(level, five)[0] for level in five.levels] == [
        "#02C100", "#9ACD32", "#E2DF07", "#F0A500", "#BF0000"]
