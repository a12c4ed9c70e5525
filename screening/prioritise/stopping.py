"""When to stop screening: the arithmetic of the stopping rules, as pure functions.

The statistical rule is the hypergeometric test of Callaghan & Müller-Hansen (2020),
"Statistical stopping criteria for automated screening in systematic reviews",
Systematic Reviews 9:273. Notation as there:

- ``r_al``: relevant records found before the sample was drawn (the prioritised phase);
- ``big_n``: records still unscreened when the sample began (the urn);
- ``n``: records drawn from it at random and screened so far; ``k``: relevant among them;
- ``target``: the recall the lead wants to be sure of (tau_tar).

H0 is "recall is below target". The fewest relevant records the urn must hold for H0 to be
true is ``k_tar = floor((r_al + k) / target - r_al) + 1``; the p-value is the chance of
seeing ``k`` or fewer relevant records in ``n`` draws from an urn of ``big_n`` holding
``k_tar`` relevant ones: ``hypergeom.cdf(k, big_n, k_tar, n)``. Reject H0 (stop) when
p < 1 - confidence. A lower p needs a larger sample, so the rule trades effort for certainty
explicitly; the guarantee holds whatever the ranking model did before the sample.

``ranked_stopping_test`` is the variant from the same paper that needs no separate sample:
the last ``n`` records screened are treated as if drawn at random from those unscreened
before them; because a working ranking puts relevant records first, this is conservative
(the unscreened hold fewer relevant records than a random draw would). The minimum p over
every ``n`` is used.

``consecutive_exclusions`` is the simple heuristic (stop after a run of N exclusions); it
gives no guarantee and is offered beside the test for comparison.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.stats import hypergeom, poisson

DEFAULT_TARGET = 0.95
DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class StoppingTest:
    """The outcome of the hypergeometric test at one point of screening."""

    p_value: float  # chance of a sample this poor in relevant records if recall were below target
    stop: bool  # p_value < 1 - confidence
    target: float
    confidence: float
    found: int  # relevant records found so far (prioritised phase + sample)
    k_tar: int  # fewest relevant records in the urn for which recall < target
    recall_estimate: float  # point estimate of the recall reached now
    recall_lower_bound: float  # one-sided bound at ``confidence``
    remaining_estimate: float  # relevant records estimated to be still unscreened
    remaining_upper_bound: int  # one-sided bound at ``confidence``


def _fraction(x: float) -> Fraction:
    # Exact arithmetic on the boundary: 19 / 0.95 must be 20, not 20.000000000000004.
    return Fraction(str(x))


def _check_probability(name: str, value: float) -> None:
    if not 0 < value < 1:
        raise ValueError(f"{name} must lie strictly between 0 and 1, not {value}")


def k_tar(found: int, r_al: int, target: float) -> int:
    """Fewest relevant records the urn must have held for recall to be below ``target``."""
    _check_probability("target", target)
    return math.floor(Fraction(found) / _fraction(target) - r_al) + 1


def hypergeometric_p(*, r_al: int, big_n: int, n: int, k: int, target: float = DEFAULT_TARGET) -> float:
    """p-value for H0 "recall < target" after a random sample of ``n`` from ``big_n`` held ``k`` relevant."""
    _check_counts(r_al=r_al, big_n=big_n, n=n, k=k)
    needed = k_tar(r_al + k, r_al, target)
    if needed > big_n - (n - k):
        # The urn cannot hold that many relevant records given what the sample showed.
        return 0.0
    return float(hypergeom.cdf(k, big_n, needed, n))


def _check_counts(*, r_al: int, big_n: int, n: int, k: int) -> None:
    if min(r_al, big_n, n, k) < 0:
        raise ValueError("counts must not be negative")
    if n > big_n:
        raise ValueError(f"sample of {n} is larger than the {big_n} records it was drawn from")
    if k > n:
        raise ValueError(f"{k} relevant records in a sample of {n}")


def remaining_upper_bound(*, big_n: int, n: int, k: int, confidence: float = DEFAULT_CONFIDENCE) -> int:
    """Largest number of relevant records the urn may have held (one-sided, at ``confidence``)."""
    _check_probability("confidence", confidence)
    candidates = np.arange(k, big_n - (n - k) + 1)
    plausible = candidates[hypergeom.cdf(k, big_n, candidates, n) > 1 - confidence]
    return int(plausible.max()) if len(plausible) else k


def sample_stopping_test(*, r_al: int, big_n: int, n: int, k: int, target: float = DEFAULT_TARGET,
                         confidence: float = DEFAULT_CONFIDENCE) -> StoppingTest:
    """The test on a random sample of the records left after the prioritised phase."""
    _check_probability("confidence", confidence)
    p = hypergeometric_p(r_al=r_al, big_n=big_n, n=n, k=k, target=target)
    found = r_al + k
    in_urn = k / n * big_n if n else float(big_n)
    urn_bound = remaining_upper_bound(big_n=big_n, n=n, k=k, confidence=confidence)
    return StoppingTest(
        p_value=p, stop=p < 1 - confidence, target=target, confidence=confidence, found=found,
        k_tar=k_tar(found, r_al, target),
        recall_estimate=found / (r_al + in_urn) if r_al + in_urn > 0 else 1.0,
        recall_lower_bound=found / (r_al + urn_bound) if r_al + urn_bound > 0 else 1.0,
        remaining_estimate=in_urn - k, remaining_upper_bound=urn_bound - k)


def ranked_p_values(screened: Sequence[int], n_records: int, target: float = DEFAULT_TARGET) -> np.ndarray:
    """p-value for each choice of "the last n screened were a random sample", n = 1..len(screened).

    ``screened``: the decisions (1 relevant, 0 not) in the order they were made; ``n_records``:
    all records, screened or not. Entry n-1 of the result is the p-value for that n.
    """
    _check_probability("target", target)
    labels = np.asarray(screened, dtype=np.int64)
    total = len(labels)
    if total > n_records:
        raise ValueError(f"{total} decisions for {n_records} records")
    if total == 0:
        return np.ones(0)
    found = int(labels.sum())
    n = np.arange(1, total + 1)
    # k: relevant among the last n; r_al: relevant before them; big_n: unscreened before them.
    k = np.cumsum(labels[::-1])
    r_al = found - k
    big_n = n_records - (total - n)
    # floor(found / target - r_al) + 1, with r_al whole, is floor(found / target) - r_al + 1.
    needed = math.floor(Fraction(found) / _fraction(target)) - r_al + 1
    p = hypergeom.cdf(k, big_n, np.minimum(needed, big_n), n)
    return np.where(needed > big_n - (n - k), 0.0, p)


def _ranked_windows(screened: Sequence[int] | np.ndarray, n_records: int,
                    target: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(p, k, n, r_al, big_n) arrays for the longest window holding k relevant records, each k.

    Among windows with the same k, the records left unscreened are the same but more of the
    urn has been drawn, so the longest one (starting right after an inclusion) has the lowest
    p. That makes a check O(relevant found) instead of O(decisions), which matters when it
    runs after every decision.
    """
    _check_probability("target", target)
    labels = np.asarray(screened, dtype=np.int64)
    total = len(labels)
    if total > n_records:
        raise ValueError(f"{total} decisions for {n_records} records")
    hits = np.flatnonzero(labels)  # positions of the inclusions
    found = len(hits)
    k = np.arange(found + 1)
    # Window holding the last k inclusions and nothing before them: starts after hit found-k-1.
    n = total - np.concatenate([hits[::-1] + 1, [0]])
    keep = n > 0
    k, n = k[keep], n[keep]
    r_al = found - k
    big_n = n_records - (total - n)
    needed = math.floor(Fraction(found) / _fraction(target)) - r_al + 1
    p = np.where(needed > big_n - (n - k), 0.0, hypergeom.cdf(k, big_n, np.minimum(needed, big_n), n))
    return p, k, n, r_al, big_n


def ranked_stopping_p(screened: Sequence[int] | np.ndarray, n_records: int, target: float = DEFAULT_TARGET) -> float:
    """The smallest p over every n (1.0 before any decision); equals ``ranked_p_values(...).min()``."""
    p = _ranked_windows(screened, n_records, target)[0]
    return float(p.min()) if len(p) else 1.0


def ranked_stopping_test(screened: Sequence[int], n_records: int, target: float = DEFAULT_TARGET,
                         confidence: float = DEFAULT_CONFIDENCE) -> StoppingTest | None:
    """The ranked test with its figures (estimates and bounds) from the window with the lowest p.

    ``screened``: every decision so far (1 relevant, 0 not), in the order made. None before
    the first decision.
    """
    p, k, n, r_al, big_n = _ranked_windows(screened, n_records, target)
    if not len(p):
        return None
    best = int(np.argmin(p))
    return sample_stopping_test(r_al=int(r_al[best]), big_n=int(big_n[best]), n=int(n[best]), k=int(k[best]),
                                target=target, confidence=confidence)


def consecutive_exclusions(screened: Sequence[int]) -> int:
    """How many of the latest decisions in a row were exclusions."""
    run = 0
    for label in reversed(screened):
        if label:
            break
        run += 1
    return run


def ran_dry(screened: Sequence[int], run: int) -> bool:
    """Whether ``run`` exclusions in a row have come up at any point of the decisions so far."""
    streak = 0
    for label in screened:
        streak = 0 if label else streak + 1
        if streak >= run:
            return True
    return False


def remaining_at_recent_rate(screened: Sequence[int], unscreened: int, window: int) -> tuple[float, int]:
    """(relevant records left, window used) if the unscreened records hold them at the rate of the
    last ``window`` decisions. The ranking puts likely relevant records first, so the rate among
    those left is lower still: a point estimate that errs high, for the page beside the test's
    bound (the test's own estimate comes from its best window, which can be one record long)."""
    if window < 1:
        raise ValueError(f"window must be at least 1, not {window}")
    recent = screened[-window:]  # a slice: no copy of every decision on each page view
    if len(recent) == 0:  # len, not truth: a numpy array is a Sequence too
        return 0.0, 0
    return float(sum(recent)) / len(recent) * unscreened, len(recent)


def heuristic_run_length(n_records: int, fraction: float = 0.05, minimum: int = 50) -> int:
    """Default N for "stop after N exclusions in a row": 5 % of the records, at least 50."""
    return max(minimum, math.ceil(fraction * n_records))


# The decay rule: the ranked test at a looser threshold, confirmed by a fitted rate of inclusions
# and a long enough run of exclusions. Settings chosen on 7 of the 20 labelled sets (BENCHMARKS.md).
DECAY_P = 0.4  # the ranked test's p must be below this
DECAY_QUIET = 0.3  # exclusions since the last inclusion, as a share of the records still unscreened
_Z_RATE = 1.645  # standard errors added to the fitted mean before the Poisson quantile


@dataclass(frozen=True)
class DecayTest:
    """The decay rule at one point of screening (``decay_stopping_test``)."""

    stop: bool
    ran_dry: bool  # the heuristic's run of exclusions has come up
    ranked_p: float  # the ranked hypergeometric test's p (must be below DECAY_P)
    remaining_bound: int  # relevant records left, at most, if inclusions keep thinning as they have
    quiet: int  # exclusions since the last inclusion
    quiet_needed: int  # how many the rule asks for now (``decay_quiet_needed``)


def _rate_fit(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson regression of the decisions on their position: log rate = a + b * position / len."""
    x = np.arange(len(labels), dtype=np.float64) / len(labels)
    design = np.column_stack([np.ones_like(x), x])
    beta = np.array([math.log(max(float(labels.mean()), 1e-3)), 0.0])
    for _ in range(50):
        mu = np.exp(np.clip(design @ beta, -50, 50))
        step = np.linalg.solve((design * mu[:, None]).T @ design + 1e-9 * np.eye(2), design.T @ (labels - mu))
        beta = beta + step
        if float(np.abs(step).max()) < 1e-8:
            break
    mu = np.exp(np.clip(design @ beta, -50, 50))
    return beta, np.linalg.inv((design * mu[:, None]).T @ design + 1e-12 * np.eye(2))


def decay_remaining_bound(screened: Sequence[int] | np.ndarray, n_records: int,
                          confidence: float = DEFAULT_CONFIDENCE) -> int:
    """Relevant records still unscreened, at most (one-sided, ``confidence``), if the rate of
    inclusions keeps falling along the ranking as an exponential fitted to the decisions so far
    says (a counting process, after Sneyd & Stevenson 2021): the fitted rate's integral over the
    unscreened records plus 1.645 standard errors, as the mean of a Poisson count."""
    _check_probability("confidence", confidence)
    labels = np.asarray(screened, dtype=np.float64)
    total = len(labels)
    if total > n_records:
        raise ValueError(f"{total} decisions for {n_records} records")
    if total == 0:
        return n_records
    if total == n_records:
        return 0
    beta, cov = _rate_fit(labels)
    end = n_records / total

    def left(a: float, b: float) -> float:
        if abs(b) < 1e-9:
            return math.exp(a) * (end - 1) * total
        return math.exp(min(a + b * max(end, 1.0), 700)) / b * total - math.exp(min(a + b, 700)) / b * total

    eps = 1e-6
    a, b = float(beta[0]), float(beta[1])
    grad = np.array([(left(a + eps, b) - left(a - eps, b)) / (2 * eps),
                     (left(a, b + eps) - left(a, b - eps)) / (2 * eps)])
    mean = left(a, b) + _Z_RATE * math.sqrt(max(float(grad @ cov @ grad), 0.0))
    if not math.isfinite(mean) or mean >= n_records - total:
        # A rising rate's integral can reach 1e300, where the Poisson quantile is NaN.
        return n_records - total
    if mean <= 0:  # e.g. no inclusion at all: the fitted rate has fallen to nothing
        return 0
    return min(int(poisson.ppf(confidence, mean)), n_records - total)


def decay_quiet_needed(n_records: int, screened: int) -> int:
    """Exclusions since the last inclusion the decay rule asks for: ``DECAY_QUIET`` of the records
    still unscreened (at least one). A share of what is left, because an inclusion found after a
    long quiet stretch is what a fitted rate cannot foresee; the more is left, the longer the
    stretch must be."""
    return max(1, math.ceil(DECAY_QUIET * (n_records - screened)))


def decay_stopping_test(screened: Sequence[int] | np.ndarray, n_records: int, target: float = DEFAULT_TARGET,
                        confidence: float = DEFAULT_CONFIDENCE) -> DecayTest:
    """Stop when the ranked test alone allows it, or when four things hold at once: the ranking
    has run dry (the heuristic's run of exclusions has come up), the ranked test's p is below
    ``DECAY_P``, the records found are at least ``target`` of found + ``decay_remaining_bound``, and
    the exclusions since the last inclusion number ``decay_quiet_needed``.

    This is no statistical guarantee: it assumes that inclusions keep thinning along the ranking
    as they have so far. Its record on 20 labelled reviews x 3 seeds is in BENCHMARKS.md and in
    the sentence the screening page gives it.
    """
    labels = np.asarray(screened, dtype=np.int64)
    p = ranked_stopping_p(labels, n_records, target)
    dry = ran_dry(labels.tolist(), heuristic_run_length(n_records))
    quiet = consecutive_exclusions(labels.tolist())
    needed = decay_quiet_needed(n_records, len(labels))
    bound = decay_remaining_bound(labels, n_records, confidence)
    found = int(labels.sum())
    enough = found > 0 and Fraction(found) >= _fraction(target) * (found + bound)
    stop = p < 1 - confidence or (dry and p < DECAY_P and quiet >= needed and enough)
    return DecayTest(stop=bool(stop), ran_dry=dry, ranked_p=p, remaining_bound=bound, quiet=quiet,
                     quiet_needed=needed)
