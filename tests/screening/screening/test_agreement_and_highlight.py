"""Agreement statistics, worked by hand, and keyword highlighting."""
from __future__ import annotations

import math

import pytest

from screening.agreement import agreement
from screening.highlight import highlight

# The classic 2x2 example (50 proposals, two readers): 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
EXAMPLE = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15


def test_kappa_pabak_and_ac1_on_the_worked_example():
    result = agreement(EXAMPLE)
    assert result.n == 50
    assert result.percent == pytest.approx(70.0)
    assert result.kappa == pytest.approx(0.4)  # po 0.7, pe 0.5
    assert result.pabak == pytest.approx(0.4)  # 2 * 0.7 - 1
    assert result.ac1 == pytest.approx(0.205 / 0.505)  # pe = 2 * 0.55 * 0.45 = 0.495


def test_kappa_confidence_interval_by_the_fleiss_cohen_everitt_variance():
    # By hand: n var = (0.04624 + 0.06348 + 0.36 * 0.283 - 0.01) / 0.25 = 0.8064
    se = math.sqrt(0.8064 / 50)
    low, high = agreement(EXAMPLE).kappa_ci
    assert low == pytest.approx(0.4 - 1.959964 * se, abs=1e-6)
    assert high == pytest.approx(0.4 + 1.959964 * se, abs=1e-6)


def test_kappa_interval_never_leaves_minus_one_to_one():
    # 10 records, one disagreement: kappa 0.78, whose Wald interval reaches 1.18 before truncation.
    result = agreement([("include", "include")] * 3 + [("exclude", "include")] + [("exclude", "exclude")] * 6)
    assert result.kappa == pytest.approx(0.36 / 0.46)
    low, high = result.kappa_ci
    assert high == 1.0 and low == pytest.approx(0.38806, abs=1e-5)
    # Systematic disagreement on few records: kappa near -1, the lower bound stops at -1.
    opposite = agreement([("include", "exclude")] * 4 + [("exclude", "include")] * 3 + [("include", "include")])
    assert -1.0 <= opposite.kappa_ci[0] <= opposite.kappa <= opposite.kappa_ci[1] <= 1.0


def test_perfect_agreement_is_one_and_imbalance_keeps_pabak_high_while_kappa_drops():
    perfect = agreement([("include", "include")] * 3 + [("exclude", "exclude")] * 7)
    assert perfect.kappa == pytest.approx(1.0) and perfect.percent == 100
    # 98 shared excludes, each reader with one include the other excluded: 98 % agreement, kappa 0.
    skewed = agreement([("exclude", "exclude")] * 98 + [("include", "exclude"), ("exclude", "include")])
    assert skewed.percent == pytest.approx(98.0)
    assert skewed.kappa == pytest.approx(-0.0101, abs=1e-4)
    assert skewed.pabak == pytest.approx(0.96)
    assert skewed.ac1 > 0.95


def test_kappa_is_undefined_when_both_always_chose_one_category():
    result = agreement([("exclude", "exclude")] * 5, categories=["include", "exclude"])
    assert math.isnan(result.kappa)
    assert result.pabak == pytest.approx(1.0)


def test_three_categories_use_their_own_chance_terms():
    pairs = [("a", "a")] * 4 + [("b", "b")] * 3 + [("c", "c")] * 1 + [("a", "b"), ("b", "c")]
    result = agreement(pairs, categories=["a", "b", "c"])
    po = 0.8
    pe = 0.5 * 0.4 + 0.4 * 0.4 + 0.1 * 0.2  # rows a .5 b .4 c .1; columns a .4 b .4 c .2
    assert result.kappa == pytest.approx((po - pe) / (1 - pe))
    assert result.pabak == pytest.approx((3 * po - 1) / 2)


def test_no_pairs_is_an_error():
    with pytest.raises(ValueError):
        agreement([])


def test_keywords_are_marked_whole_words_and_stems_case_insensitively():
    html = highlight("Children and child care; childish mothers <b>", ["child*"], ["mother"])
    assert html.count('<mark class="kw-include">') == 3
    assert '<mark class="kw-exclude">' not in html  # "mothers" is not the whole word "mother"
    assert "&lt;b&gt;" in html  # the text itself is escaped
    assert highlight("A Randomised trial", [], ["randomised trial"]) == \
        'A <mark class="kw-exclude">Randomised trial</mark>'


def test_a_phrase_wins_over_a_word_inside_it():
    html = highlight("parent-infant psychotherapy works", ["psychotherapy"], ["parent-infant psychotherapy"])
    assert html.startswith('<mark class="kw-exclude">parent-infant psychotherapy</mark>')
