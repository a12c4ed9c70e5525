"""Replay a fully labelled set through the prioritiser, as a screener following its ranking would.

Start: one included and one excluded record, drawn with ``seed``. Then the top of the
current ranking is screened, the model retrained, and so on. Retraining waits for a batch
that grows with the labelled set (``SimulationOptions.batch_fraction``): every record at
first, every 1 % of what is labelled later: the figures of retraining after every decision,
within their noise, in a quarter of the time (BENCHMARKS.md). Once every included record is
found the rest are exclusions in any order, so the replay stops training there (the figures
are the same).

Records without words wait until the ranking has run dry, as in the app (model.py).

Figures (the two start records not counted anywhere): ``screened_for_95`` and
``screened_for_100`` are records screened until 95 % / all of the inclusions are found;
``wss_95`` is work saved over sampling at 95 % recall as Cohen et al. (2006) define it,
(N - screened_for_95) / N - 0.05; ``recall_at_10pct``/``25pct`` the recall after screening
10 % / 25 % of the records. ``stop_screened`` / ``decay_stop_screened`` / ``heuristic_stop_screened``
are where the ranked test, the decay rule and the heuristic first allow stopping, each with the
recall it really reached there.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from . import stopping
from .features import FeatureOptions
from .model import ModelOptions, Prioritiser


@dataclass(frozen=True)
class SimulationOptions:
    # Retrain after max(1, batch_fraction * labelled) new decisions: after every decision
    # while little is known, less often once the model has settled. The app's rule
    # (services/ranking.py RETRAIN_SHARE) is the same share.
    batch_fraction: float = 0.01
    target: float = stopping.DEFAULT_TARGET
    confidence: float = stopping.DEFAULT_CONFIDENCE
    heuristic_run: int | None = None  # default: stopping.heuristic_run_length(n_records)


@dataclass(frozen=True)
class SimulationResult:
    priors: tuple[int, ...]  # (included, excluded) start records; () for a cold start
    order: np.ndarray  # every other record, in the order screened
    labels: np.ndarray  # the true label of each, same order
    n_records: int
    n_included: int
    n_retrains: int
    options: SimulationOptions
    seed: int

    def summary(self) -> dict[str, Any]:
        n = len(self.order)  # records that count: all but the start records
        relevant = self._relevant
        found = np.cumsum(self.labels)
        result: dict[str, Any] = {
            "n_records": self.n_records,
            "n_included": self.n_included,
            "seed": self.seed,
            "start_records": [int(i) for i in self.priors],  # row numbers (0 = first data row)
            "screened_for_95": _screened_for(found, relevant, 0.95),
            "screened_for_100": _screened_for(found, relevant, 1.0),
        }
        result["wss_95"] = round((n - result["screened_for_95"]) / n - 0.05, 4)
        result["recall_at_10pct"] = round(_recall_after(found, relevant, 0.10), 4)
        result["recall_at_25pct"] = round(_recall_after(found, relevant, 0.25), 4)
        result.update(self.stopping_figures())
        result["n_retrains"] = self.n_retrains
        return result

    @property
    def _relevant(self) -> int:
        """Inclusions left to find after the start records (all of them from a cold start)."""
        return self.n_included - (1 if self.priors else 0)

    def stopping_figures(self) -> dict[str, Any]:
        """Where each stopping rule would have stopped, and the recall it really reached there."""
        opts = self.options
        relevant = self._relevant
        found = np.cumsum(self.labels)
        # The rules see every decision, the start records (if any) first.
        start = [1, 0] if self.priors else []
        decisions = np.concatenate([start, self.labels]).astype(np.int64)
        alpha = 1 - opts.confidence
        ranked_at = _first_ranked_stop(decisions, self.n_records, opts.target, alpha, first=max(2, len(start)))
        decay_at = _first_decay_stop(decisions, self.n_records, opts, first=max(2, len(start)), last=ranked_at)
        run = opts.heuristic_run or stopping.heuristic_run_length(self.n_records)
        heuristic_at = _first_run(self.labels, run)
        sample_at, sample_found = self._sample_stop(heuristic_at, found, alpha)
        return {
            "stop_rule": (f"hypergeometric test (Callaghan & Mueller-Hansen 2020) on the ranked "
                          f"records, target recall {opts.target:g}, confidence {opts.confidence:g}"),
            "stop_screened": ranked_at - len(start),
            "stop_recall": round(_recall_at(found, relevant, ranked_at - len(start)), 4),
            "decay_stop_screened": decay_at - len(start),
            "decay_stop_recall": round(_recall_at(found, relevant, decay_at - len(start)), 4),
            "sample_stop_screened": sample_at,
            "sample_stop_recall": round(sample_found / relevant, 4),
            "heuristic_run": run,
            "heuristic_stop_screened": heuristic_at,
            "heuristic_stop_recall": round(_recall_at(found, relevant, heuristic_at), 4),
        }

    def _sample_stop(self, switch_at: int, found: np.ndarray, alpha: float) -> tuple[int, int]:
        """Screen by ranking until the heuristic fires, then a random sample of the rest until the test stops."""
        in_start = 1 if self.priors else 0  # the included start record
        r_al = int(found[switch_at - 1]) + in_start if switch_at else in_start
        urn = self.labels[switch_at:]
        draws = np.random.default_rng([self.seed, 95]).permutation(urn)
        k = np.cumsum(draws)
        for n in range(1, len(draws) + 1):
            if stopping.hypergeometric_p(r_al=r_al, big_n=len(urn), n=n, k=int(k[n - 1]),
                                         target=self.options.target) < alpha:
                return switch_at + n, r_al - in_start + int(k[n - 1])
        return len(self.labels), int(found[-1])


def _included_and_excluded(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not set(np.unique(y)) <= {0, 1}:
        raise ValueError("labels must be 0 or 1")
    included, excluded = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    if len(included) < 2 or len(excluded) < 2:
        raise ValueError(f"a simulation needs at least 2 included and 2 excluded records; "
                         f"this set has {len(included)} and {len(excluded)}")
    return included, excluded


def start_records(labels: Sequence[int] | np.ndarray, seed: int) -> tuple[int, int]:
    """The (included, excluded) pair a simulation with ``seed`` starts from."""
    included, excluded = _included_and_excluded(np.asarray(labels, dtype=np.int8))
    rng = np.random.default_rng(seed)
    return int(rng.choice(included)), int(rng.choice(excluded))


def simulate(texts: Sequence[str], labels: Sequence[int], seed: int,
             features: FeatureOptions | None = None, model: ModelOptions | None = None,
             options: SimulationOptions | None = None,
             progress: Callable[[int, int, int], None] | None = None,
             priors: tuple[int, ...] | None = None,
             prior_scores: np.ndarray | None = None, cold_start: bool = False) -> SimulationResult:
    """Replay ``labels`` (1 included, 0 excluded, one per text) through the prioritiser.

    ``progress(screened, found, n_records)`` is called after each retrain. ``priors`` (an
    included and an excluded record) replaces the start pair drawn with ``seed``, e.g. to
    start where another tool's run started. ``prior_scores`` (one per record, e.g. from
    ``protocol.protocol_scores``) are blended with the model's (``protocol.blend``);
    ``cold_start`` starts from no record at all (then every record counts in the figures).
    """
    options = options or SimulationOptions()
    y = np.asarray(labels, dtype=np.int8)
    if len(y) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(y)} labels")
    included, _ = _included_and_excluded(y)
    if cold_start:
        priors = ()
    elif priors is None:
        priors = start_records(y, seed)
    elif (y[priors[0]], y[priors[1]]) != (1, 0):
        raise ValueError(f"start records {priors} must be an included and an excluded record")
    prioritiser = Prioritiser(texts, features, model)
    known = {priors[0]: 1, priors[1]: 0} if priors else {}
    order: list[int] = []
    left = len(included) - (1 if priors else 0)
    retrains = 0
    # As in the app: once this many exclusions came in a row (the excluded start record the
    # first), the records without words are screened next (model.py).
    dry_after = options.heuristic_run or stopping.heuristic_run_length(len(y))
    streak, ran_dry = (1 if priors else 0), False
    while left:
        scores, _ = prioritiser.scores(known, ran_dry, prior_scores)
        retrains += 1
        batch = max(1, int(options.batch_fraction * len(known)))
        scores[list(known)] = -np.inf
        top = np.argpartition(-scores, batch - 1)[:batch] if batch < len(scores) else np.arange(len(scores))
        for index in top[np.argsort(-scores[top], kind="stable")]:
            if scores[index] == -np.inf:
                break
            known[int(index)] = int(y[index])
            order.append(int(index))
            left -= int(y[index])
            streak = 0 if y[index] else streak + 1
            if not left:
                break
            if not ran_dry and streak >= dry_after:
                ran_dry = True
                if prioritiser.wordless.any():
                    break  # rank again: the records without words come next
        if progress:
            progress(len(order), len(included) - (1 if priors else 0) - left, len(y))
    # Every inclusion found: the rest are exclusions, in the last ranking's order.
    rest = [int(i) for i in np.argsort(-scores, kind="stable") if int(i) not in known]
    order.extend(rest)
    order_arr = np.asarray(order, dtype=np.int64)
    return SimulationResult(priors=priors, order=order_arr, labels=y[order_arr].astype(np.int64),
                            n_records=len(y), n_included=len(included), n_retrains=retrains,
                            options=options, seed=seed)


def _needed(relevant: int, recall: float) -> int:
    return math.ceil(Fraction(str(recall)) * relevant)


def _screened_for(found: np.ndarray, relevant: int, recall: float) -> int:
    return int(np.searchsorted(found, _needed(relevant, recall))) + 1


def _recall_at(found: np.ndarray, relevant: int, screened: int) -> float:
    return float(found[screened - 1]) / relevant if screened > 0 else 0.0


def _recall_after(found: np.ndarray, relevant: int, fraction: float) -> float:
    return _recall_at(found, relevant, math.ceil(Fraction(str(fraction)) * len(found)))


def _first_run(labels: np.ndarray, run: int) -> int:
    """Records screened when ``run`` exclusions in a row were first reached (all, if never)."""
    streak = 0
    for i, label in enumerate(labels, start=1):
        streak = 0 if label else streak + 1
        if streak >= run:
            return i
    return len(labels)


def _first_decay_stop(decisions: np.ndarray, n_records: int, options: SimulationOptions, first: int,
                      last: int) -> int:
    """Decisions made when the decay rule first stops (at the latest where the ranked test does,
    ``last``). Its conditions are checked cheapest first: the runs of exclusions, the ranked p, the fit."""
    dry_at = _first_run(decisions, stopping.heuristic_run_length(n_records))
    quiet = 0
    for i in range(1, last):
        quiet = 0 if decisions[i - 1] else quiet + 1
        if (i >= max(first, dry_at) and quiet >= stopping.decay_quiet_needed(n_records, i)
                and stopping.ranked_stopping_p(decisions[:i], n_records, options.target) < stopping.DECAY_P
                and stopping.decay_stopping_test(decisions[:i], n_records, options.target, options.confidence).stop):
            return i
    return last


def _first_ranked_stop(decisions: np.ndarray, n_records: int, target: float, alpha: float,
                       first: int = 2) -> int:
    """Decisions made (start records included) when the ranked test first stops."""
    for i in range(first, len(decisions) + 1):
        if stopping.ranked_stopping_p(decisions[:i], n_records, target) < alpha:
            return i
    return len(decisions)
