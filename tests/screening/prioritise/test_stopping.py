"""The stopping rules' arithmetic against values worked out by hand (exact fractions)."""
from __future__ import annotations

from fractions import Fraction
from math import comb

import numpy as np
import pytest

from screening.prioritise import stopping


def hypergeom_cdf(k: int, big_n: int, big_k: int, n: int) -> Fraction:
    """P(X <= k) drawing n of big_n records of which big_k are relevant, from the definition."""
    return sum(Fraction(comb(big_k, x) * comb(big_n - big_k, n - x), comb(big_n, n)) for x in range(k + 1))


def test_k_tar_is_the_fewest_missed_records_that_would_break_the_target():
    # 19 found: recall 19 / (19 + K) < 0.95 needs 19 + K > 20, so K >= 2 (exactly on the boundary).
    assert stopping.k_tar(found=19, r_al=19, target=0.95) == 2
    # 60 found before sampling, none in the sample: 60 / 0.95 = 63.16, so K >= 4.
    assert stopping.k_tar(found=60, r_al=60, target=0.95) == 4
    # 61 found, 60 of them before sampling: 61 / 0.95 - 60 = 4.21, so K >= 5.
    assert stopping.k_tar(found=61, r_al=60, target=0.95) == 5
    assert stopping.k_tar(found=50, r_al=50, target=0.5) == 51


def test_p_value_of_an_empty_sample_is_the_chance_of_missing_all_k_tar():
    # 200 of the 1,000 records left drawn at random, none relevant, 60 found before:
    # H0 needs 4 relevant in the 1,000; P(none drawn) = (800*799*798*797) / (1000*999*998*997).
    p = stopping.hypergeometric_p(r_al=60, big_n=1000, n=200, k=0, target=0.95)
    assert p == pytest.approx(float(Fraction(800 * 799 * 798 * 797, 1000 * 999 * 998 * 997)), rel=1e-12)
    assert p == pytest.approx(0.408984445498, abs=1e-12)


def test_p_value_with_one_relevant_record_in_the_sample():
    p = stopping.hypergeometric_p(r_al=60, big_n=1000, n=200, k=1, target=0.95)
    assert p == pytest.approx(float(hypergeom_cdf(1, 1000, 5, 200)), rel=1e-12)
    assert p == pytest.approx(0.737486008147, abs=1e-12)


def test_a_large_clean_sample_stops_and_a_small_one_does_not():
    small = stopping.sample_stopping_test(r_al=60, big_n=1000, n=200, k=0)
    assert not small.stop and small.p_value > 0.05
    # (1 - n/N)^4 < 0.05 needs n/N > 0.527: 550 of 1,000 is enough.
    large = stopping.sample_stopping_test(r_al=60, big_n=1000, n=550, k=0)
    assert large.stop and large.p_value == pytest.approx(float(hypergeom_cdf(0, 1000, 4, 550)), rel=1e-12)
    assert large.recall_estimate == 1.0 and large.remaining_estimate == 0.0


def test_confidence_bounds_agree_with_the_test():
    result = stopping.sample_stopping_test(r_al=60, big_n=1000, n=550, k=0)
    # Largest K in the urn still plausible at 95 %: P(0 of K drawn) > 0.05.
    assert result.remaining_upper_bound == 3
    assert hypergeom_cdf(0, 1000, 3, 550) > Fraction(5, 100) >= hypergeom_cdf(0, 1000, 4, 550)
    assert result.recall_lower_bound == pytest.approx(60 / 63)
    assert result.recall_lower_bound >= 0.95  # it stops, so the bound clears the target


def test_impossible_h0_gives_p_zero():
    # Only 2 records left and both sampled as irrelevant: nothing can be missing.
    assert stopping.hypergeometric_p(r_al=10, big_n=2, n=2, k=0) == 0.0


def test_ranked_variant_treats_the_last_n_as_a_sample():
    # 10 records; screened in this order: 1, 1, 0, 0, 0. found = 2, floor(2 / 0.95) = 2.
    p = stopping.ranked_p_values([1, 1, 0, 0, 0], n_records=10, target=0.95)
    assert p == pytest.approx([
        5 / 6,  # n=1: urn of 6, needs 1 relevant, P(miss it in 1 draw)
        5 / 7,  # n=2: urn of 7
        5 / 8,  # n=3: urn of 8
        1 - 21 / 126,  # n=4: urn of 9 with 2 relevant, 1 seen: P(X <= 1)
        1 - 21 / 252,  # n=5: urn of 10 with 3 relevant, 2 seen: P(X <= 2)
    ])


def test_ranked_variant_stops_after_a_long_clean_run():
    # 20 relevant then 300 irrelevant of 400 records: the last 300 as a sample of the 380
    # unscreened before them, H0 needs 2 relevant there: P(both missed) = 80*79 / (380*379).
    screened = [1] * 20 + [0] * 300
    assert stopping.ranked_stopping_p(screened, 400) == pytest.approx(80 * 79 / (380 * 379))
    assert stopping.ranked_stopping_p(screened, 400) < 0.05
    assert stopping.ranked_stopping_p(screened[:200], 400) > 0.05


def test_consecutive_exclusions():
    assert stopping.consecutive_exclusions([1, 0, 1, 0, 0]) == 2
    assert stopping.consecutive_exclusions([0, 0, 0]) == 3
    assert stopping.consecutive_exclusions([1]) == 0
    assert stopping.consecutive_exclusions([]) == 0
    assert stopping.heuristic_run_length(200) == 50
    assert stopping.heuristic_run_length(10_000) == 500


@pytest.mark.parametrize("kwargs, message", [
    ({"r_al": 1, "big_n": 10, "n": 11, "k": 0}, "larger than"),
    ({"r_al": 1, "big_n": 10, "n": 2, "k": 3}, "relevant records in a sample"),
    ({"r_al": -1, "big_n": 10, "n": 2, "k": 0}, "negative"),
    ({"r_al": 1, "big_n": 10, "n": 2, "k": 0, "target": 1.0}, "between 0 and 1"),
])
def test_impossible_counts_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        stopping.hypergeometric_p(**kwargs)


def test_the_quick_ranked_minimum_equals_the_minimum_over_every_window():
    rng = np.random.default_rng(3)
    for _ in range(200):
        length = int(rng.integers(1, 60))
        screened = (rng.random(length) < rng.uniform(0.02, 0.5)).astype(int).tolist()
        n_records = length + int(rng.integers(0, 100))
        target = float(rng.choice([0.8, 0.9, 0.95, 0.99]))
        full = stopping.ranked_p_values(screened, n_records, target).min()
        assert stopping.ranked_stopping_p(screened, n_records, target) == pytest.approx(full, abs=1e-12)


def test_ranked_test_reports_the_figures_of_its_best_window():
    # As above: the best window is the last 300 (k=0) of an urn of 380 after 20 found.
    result = stopping.ranked_stopping_test([1] * 20 + [0] * 300, 400)
    assert result.stop and result.p_value == pytest.approx(80 * 79 / (380 * 379))
    # One missed record is still plausible (P(miss it) = 80/380 > 0.05), two are not.
    assert result.remaining_upper_bound == 1
    assert result.recall_lower_bound == pytest.approx(20 / 21)
    assert result.recall_estimate == 1.0
    assert stopping.ranked_stopping_test([], 400) is None
    # One decision, an inclusion: 1 of 400 drawn and relevant says nothing reassuring.
    early = stopping.ranked_stopping_test([1], 400)
    assert not early.stop and early.remaining_estimate == 399.0


def test_the_estimate_at_the_recent_rate_uses_the_last_decisions_only():
    decisions = [1, 1, 0, 0]
    assert stopping.remaining_at_recent_rate(decisions, unscreened=100, window=2) == (0.0, 2)
    assert stopping.remaining_at_recent_rate(decisions, unscreened=100, window=4) == (50.0, 4)
    assert stopping.remaining_at_recent_rate(decisions, unscreened=100, window=50) == (50.0, 4)  # all there are
    assert stopping.remaining_at_recent_rate([], unscreened=100, window=50) == (0.0, 0)
    assert stopping.remaining_at_recent_rate(np.array(decisions), unscreened=100, window=4) == (50.0, 4)
    assert stopping.remaining_at_recent_rate(np.array([], dtype=int), unscreened=100, window=4) == (0.0, 0)
    with pytest.raises(ValueError, match="at least 1"):
        stopping.remaining_at_recent_rate(decisions, unscreened=100, window=0)


# The decay rule: 23 inclusions thinning out over the first 322 records of 6,000, then exclusions.
FOUND_EARLY = [1] * 10 + [1, 0, 0, 0] * 8 + ([1] + [0] * 15) * 5 + [0] * 200


def test_the_decay_rule_stops_where_the_ranked_test_still_asks_for_more():
    decisions = FOUND_EARLY + [0] * 4000
    assert stopping.ranked_stopping_p(decisions, 6000) > 0.05  # the test alone: not yet
    result = stopping.decay_stopping_test(decisions, 6000)
    assert result.stop and result.ran_dry and result.remaining_bound == 0


def test_the_decay_rule_waits_for_the_ranked_test_to_pass_its_looser_threshold():
    result = stopping.decay_stopping_test(FOUND_EARLY + [0] * 1500, 6000)
    assert result.remaining_bound == 0 and result.ran_dry and result.quiet >= result.quiet_needed
    assert result.ranked_p > stopping.DECAY_P and not result.stop


def test_an_inclusion_after_a_quiet_stretch_restarts_the_decay_rules_wait():
    # A straggler at 3,322: p and the fitted rate would allow a stop 300 exclusions later, but
    # 30% of the 2,377 records left must go by without an inclusion first.
    straggler = FOUND_EARLY + [0] * 3000 + [1]
    waiting = stopping.decay_stopping_test(straggler + [0] * 300, 6000)
    assert waiting.ranked_p < stopping.DECAY_P and waiting.remaining_bound == 0
    assert (waiting.quiet, waiting.quiet_needed) == (300, 714) and not waiting.stop
    assert stopping.decay_quiet_needed(6000, 3623) == 714
    later = stopping.decay_stopping_test(straggler + [0] * 900, 6000)
    assert later.quiet == 900 >= later.quiet_needed and later.stop


def test_a_steady_rate_of_inclusions_leaves_many_to_find_and_no_stop():
    steady = ([1] + [0] * 19) * 100  # one in 20 all along: the rate is not thinning
    result = stopping.decay_stopping_test(steady, 6000)
    assert result.remaining_bound > 200 and not result.stop


def test_the_decay_rule_stops_whenever_the_ranked_test_does():
    screened = [1] * 20 + [0] * 300  # the ranked test's own example above: it passes here
    assert stopping.ranked_stopping_p(screened, 400) < 0.05
    assert stopping.decay_stopping_test(screened, 400).stop


def test_the_decay_bound_before_any_decision_and_after_the_last():
    assert stopping.decay_remaining_bound([], 100) == 100
    assert stopping.decay_remaining_bound([1, 0], 2) == 0
    assert not stopping.decay_stopping_test([0] * 300, 1000).stop  # nothing found: nothing to stop on
    # Inclusions coming faster and faster: the bound is every record left (it was NaN and raised).
    assert stopping.decay_remaining_bound([1, 0, 1, 1], 1200) == 1196
    with pytest.raises(ValueError, match="3 decisions for 2 records"):
        stopping.decay_remaining_bound([1, 0, 0], 2)
