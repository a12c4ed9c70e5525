"""Two rankers side by side; the review is ranked by the one whose earlier rankings did better.

At every retrain both candidates have ranked the records then unscreened. The decisions made
since are credited to each candidate that had put the record among its first ``top`` (at least
the number of new decisions): an inclusion earns ``1 - p``, an exclusion costs ``p``, where ``p``
is the share of inclusions among the latest ``window`` decisions before them (the going rate).
The ranker in use has every record it served in its first places, so both are credited for
the records they agree on; where the other would have put a record further down, it is the
ranker in use that gains if the record was an inclusion and loses if it was an exclusion. The
other's own picks are unscreened, so they are counted at the going rate (zero). The leader
changes only when the other is ahead by more than ``margin``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


class Rivalry:
    def __init__(self, n_candidates: int, window: int = 50, top: int = 10, margin: float = 1.0,
                 half_life: float = 0.0, smooth: bool = False) -> None:
        self.smooth = smooth
        self.credit = np.zeros(n_candidates)
        self.window, self.top, self.margin, self.half_life = window, top, margin, half_life
        self.leader = 0
        self.switches = 0
        self._previous: list[np.ndarray] = []
        self._pool = np.zeros(0, dtype=bool)
        self._seen: set[int] = set()
        self._recent: list[int] = []

    def update(self, labels: Mapping[int, int], scores: Sequence[np.ndarray], pool: np.ndarray) -> int:
        """Credit the decisions new since the last call; remember ``scores`` (one array per
        candidate) and ``pool`` (the records they rank) for the next. Returns the leader."""
        new = [i for i in labels if i not in self._seen and self._pool.size and self._pool[i]]
        if self._previous and new:
            index = np.asarray(new, dtype=np.int64)
            y = np.asarray([labels[i] for i in new], dtype=np.float64)
            rate = float(np.mean(self._recent[-self.window:])) if self._recent else 0.0
            # Not below the share of inclusions so far: when the ranking runs dry the going rate
            # is 0, and an exclusion must still cost the ranker that put it first.
            rate = max(rate, float(np.mean(self._recent)) if self._recent else 0.0)
            if self.half_life:
                self.credit *= 0.5 ** (len(new) / self.half_life)
            top = max(len(new), self.top)
            for c, previous in enumerate(self._previous):
                ranked = np.sort(previous[self._pool])
                higher = len(ranked) - np.searchsorted(ranked, previous[index], side="right")
                if self.smooth:  # weight 1 at the top, 1/2 at ``top`` places down, ...
                    self.credit[c] += float(np.sum((y - rate) * np.minimum(1.0, len(new) / (len(new) + higher))))
                else:
                    self.credit[c] += float(np.sum((y - rate)[higher < top]))
            self._recent.extend(int(v) for v in y)
        self._seen.update(labels)
        best = int(np.argmax(self.credit))
        if self.credit[best] > self.credit[self.leader] + self.margin:
            self.leader = best
            self.switches += 1
        self._previous = [np.array(s, dtype=np.float64) for s in scores]
        self._pool = np.asarray(pool, dtype=bool).copy()
        return self.leader
