"""Forest and funnel plots: well-formed SVG that shows what the analysis found."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from analysis.stats import forest_svg, funnel_svg, rma, trimfill

SVG = "{http://www.w3.org/2000/svg}"

# dat.bcg (metadat): log risk ratios of 13 BCG vaccine trials
BCG_YI = np.array([-0.8893, -1.5854, -1.3481, -1.4416, -0.2175, -0.7861, -1.6209,
                   0.0120, -0.4694, -1.3713, -0.3394, 0.4459, -0.0173])
BCG_VI = np.array([0.3256, 0.1946, 0.4154, 0.0200, 0.0512, 0.0069, 0.2230,
                   0.0040, 0.0564, 0.0730, 0.0124, 0.5325, 0.0714])
BCG_LABELS = ["Aronson 1948", "Ferguson & Simes 1949", "Rosenthal et al 1960", "Hart & Sutherland 1977",
              "Frimodt-Moller et al 1973", "Stein & Aronson 1953", "Vandiviere et al 1973",
              "TPT Madras 1980", "Coetzee & Berjak 1968", "Rosenthal et al 1961", "Comstock et al 1974",
              "Comstock & Webster 1969", "Comstock et al 1976"]


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def _by_class(root: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in root.iter() if cls in (e.get("class") or "").split()]


def _texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def test_forest_is_accessible_svg_with_one_square_per_study_and_a_diamond():
    root = _parse(forest_svg(BCG_YI, BCG_VI, BCG_LABELS))
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text.startswith("Forest plot of 13 studies")
    assert len(_by_class(root, "study-marker")) == 13
    assert len(_by_class(root, "pooled-diamond")) == 1
    assert len(_by_class(root, "prediction-interval")) == 1  # REML fit with tau2 > 0
    texts = _texts(root)
    for label in BCG_LABELS:
        assert any(t.startswith(label) for t in texts), label


def test_forest_squares_grow_with_weight():
    root = _parse(forest_svg(BCG_YI, BCG_VI, BCG_LABELS, result=rma(BCG_YI, BCG_VI, method="FE")))
    sides = [float(r.get("width")) for r in _by_class(root, "study-marker")]
    # under a fixed-effect model the weight is 1/vi: TPT Madras (smallest variance) dominates
    assert int(np.argmax(sides)) == int(np.argmin(BCG_VI))
    by_weight = np.array(sides)[np.argsort(-BCG_VI)]
    assert np.all(np.diff(by_weight) >= 0)
    # and there is no prediction interval distinct from the CI
    assert _by_class(root, "prediction-interval") == []


def test_forest_escapes_markup_in_labels():
    labels = list(BCG_LABELS)
    labels[0] = 'Smith <b>&</b> "Jones" 2001'
    svg = forest_svg(BCG_YI, BCG_VI, labels)
    assert "<b>" not in svg
    root = _parse(svg)
    assert 'Smith <b>&</b> "Jones" 2001' in _texts(root)


def test_forest_on_ratio_scale_prints_ratios_and_puts_the_null_line_at_one():
    fit = rma(BCG_YI, BCG_VI)
    root = _parse(forest_svg(BCG_YI, BCG_VI, BCG_LABELS, result=fit, transform="exp", effect_label="RR"))
    texts = _texts(root)
    pooled = f"{math.exp(fit.b):.2f} [{math.exp(fit.ci_lb):.2f}, {math.exp(fit.ci_ub):.2f}]"
    assert pooled in texts
    ticks = [t for e in _by_class(root, "tick") for t in [e.text]]
    assert "1" in ticks and "0.5" in ticks
    # the reference line sits on the tick labelled 1
    null_x = float(_by_class(root, "null-line")[0].get("x1"))
    one = next(e for e in _by_class(root, "tick") if e.text == "1")
    assert float(one.get("x")) == pytest.approx(null_x, abs=0.2)


def test_forest_rejects_labels_of_the_wrong_length():
    with pytest.raises(ValueError, match="12 labels for 13 studies"):
        forest_svg(BCG_YI, BCG_VI, BCG_LABELS[:-1])


def test_forest_clips_wide_intervals_to_the_axis_with_arrows():
    root = _parse(forest_svg(BCG_YI, BCG_VI, BCG_LABELS, xlim=(-1.0, 0.5)))
    # five trials have a CI reaching below -1 or above 0.5
    outside = int(np.sum((BCG_YI - 1.96 * np.sqrt(BCG_VI) < -1) | (BCG_YI + 1.96 * np.sqrt(BCG_VI) > 0.5)))
    assert len(_by_class(root, "ci-arrow")) >= outside > 0
    assert len(_by_class(root, "null-line")) == 1


def test_funnel_marks_one_point_per_study_and_filled_studies_hollow():
    tf = trimfill(BCG_YI, BCG_VI, method="FE")
    assert tf.k0 > 0
    root = _parse(funnel_svg(BCG_YI, BCG_VI, trimfill=tf))
    markers = _by_class(root, "study-marker")
    hollow = _by_class(root, "filled-study")
    assert len(markers) == 13 + tf.k0
    assert len(hollow) == tf.k0
    assert all(e.get("fill") == "#ffffff" for e in hollow)
    assert len(_by_class(root, "funnel-region")) == 1
    assert "hollow" in root.find(f"{SVG}desc").text


def test_funnel_puts_small_standard_errors_at_the_top():
    root = _parse(funnel_svg(BCG_YI, BCG_VI, labels=BCG_LABELS))
    cy = [float(c.get("cy")) for c in _by_class(root, "study-marker")]
    assert int(np.argmin(cy)) == int(np.argmin(BCG_VI))
    assert int(np.argmax(cy)) == int(np.argmax(BCG_VI))


def test_forest_with_a_nonlinear_transform_labels_ticks_with_round_transformed_values():
    def expit(x):
        return 1 / (1 + np.exp(-x))

    root = _parse(forest_svg(BCG_YI, BCG_VI, BCG_LABELS, transform=expit, null_value=None))
    ticks = [e.text for e in _by_class(root, "tick")]
    assert len(ticks) >= 2 and len(set(ticks)) == len(ticks)
    assert all(0 < float(t) < 1 and round(float(t), 1) == float(t) for t in ticks)


@pytest.mark.parametrize("plot", [
    lambda: forest_svg(BCG_YI, BCG_VI, BCG_LABELS, result=rma(BCG_YI, BCG_VI)),
    lambda: funnel_svg(BCG_YI, BCG_VI, trimfill=trimfill(BCG_YI, BCG_VI, method="FE")),
])
def test_plots_carry_no_style_a_page_policy_would_block(plot):
    """Pages embed the SVG under a CSP without 'unsafe-inline' for styles: no <style> element and
    no style attribute, only presentation attributes (which the standalone file shows the same)."""
    root = _parse(plot())
    assert not [e for e in root.iter() if e.tag == f"{SVG}style" or e.get("style") is not None]


def test_estimates_and_ticks_keep_their_digits_in_columns():
    root = _parse(forest_svg(BCG_YI, BCG_VI, BCG_LABELS))
    numbers = _by_class(root, "num") + _by_class(root, "tick")
    assert numbers and {e.get("font-variant") for e in numbers} == {"tabular-nums"}
