"""Where should the records without words go? Replays saved screening orders with them placed
otherwise and scores each placement against ASReview's stored runs from the same start (issue #29).

The model never trains on a record without title and abstract (prioritise/model.py), so moving
them leaves what it learns nearly unchanged: each replay keeps the order of the ranked records as
simulated and only re-inserts the records without words (in the order they were screened). That
ignores one small effect, the retraining batches that shift with them, so a placement that looks
good here must still be confirmed with a real run (``bench_vs_asreview.py``).

Placements:
- ``as simulated``: the app's rule: wait behind the ranking until a run of exclusions as long as
  the stopping heuristic's (5 % of the records, at least 50) shows it has run dry, then all of them;
- ``run xF``: the same after a run F times as long;
- ``one per K``: once the ranking has run dry, one of them before every K ranked records;
- ``last``: after every ranked record (never before the ranking is exhausted);
- ``pause after K empty excluded``: as the app's rule, but once K of them in a row were excluded
  the rest wait until the ranking runs dry again (a fresh run of exclusions among ranked records).

First save the orders (our runs, the app's defaults), then replay them (seconds):

    .venv/bin/python benchmarks/bench_vs_asreview.py --asreview-runs benchmarks/asreview_runs.json \\
        --all --seeds 1-3 --orders /tmp/orders --jobs 2
    .venv/bin/python benchmarks/bench_wordless.py --orders /tmp/orders
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from screening.prioritise import stopping  # noqa: E402
from screening.prioritise.simulate import _recall_after, _screened_for  # noqa: E402

Placement = Callable[[np.ndarray, np.ndarray, dict[int, int], int], np.ndarray]  # (order, blank, labels, run)


def replay(order: np.ndarray, blank: np.ndarray, labels: dict[int, int], run: int, every: int = 0) -> np.ndarray:
    """``order`` with the records without words (``blank`` marks them) re-inserted: all at once
    (``every`` 0) or one before every ``every`` ranked records, once ``run`` exclusions in a row
    have come (the excluded start record counts as the first, as in the simulation)."""
    ranked = [int(i) for i in order if not blank[i]]
    waiting = [int(i) for i in order if blank[i]]
    out: list[int] = []
    streak, dry, since = 1, False, every
    r = w = 0
    while r < len(ranked) or w < len(waiting):
        blank_next = w < len(waiting) and (r >= len(ranked) or (dry and (not every or since >= every)))
        if blank_next:
            index, w, since = waiting[w], w + 1, 0
        else:
            index, r, since = ranked[r], r + 1, since + 1
        out.append(index)
        streak = 0 if labels[index] else streak + 1
        dry = dry or streak >= run
    return np.asarray(out, dtype=np.int64)


def replay_patient(order: np.ndarray, blank: np.ndarray, labels: dict[int, int], run: int,
                   patience: int) -> np.ndarray:
    """As ``replay`` with all at once, but once ``patience`` records without words in a row were
    excluded the rest wait again, until the ranking has run dry once more (``run`` exclusions in a
    row among the ranked records since): a sample of them that finds nothing stops early."""
    ranked = [int(i) for i in order if not blank[i]]
    waiting = [int(i) for i in order if blank[i]]
    out: list[int] = []
    streak, dry, missed = 1, False, 0
    r = w = 0
    while r < len(ranked) or w < len(waiting):
        if w < len(waiting) and (r >= len(ranked) or dry):
            index, w = waiting[w], w + 1
            missed = 0 if labels[index] else missed + 1
            if missed >= patience:
                dry, streak, missed = False, 0, 0
            out.append(index)
            continue
        index, r = ranked[r], r + 1
        out.append(index)
        streak = 0 if labels[index] else streak + 1
        dry = dry or streak >= run
    return np.asarray(out, dtype=np.int64)


def placements() -> dict[str, Placement]:
    rules: dict[str, Placement] = {
        "as simulated": lambda o, b, lab, run: replay(o, b, lab, run)}
    for factor in (2, 3):
        rules[f"run x{factor}"] = lambda o, b, lab, run, f=factor: replay(o, b, lab, f * run)
    for every in (2, 4, 8):
        rules[f"one per {every}"] = lambda o, b, lab, run, k=every: replay(o, b, lab, run, k)
    rules["last"] = lambda o, b, lab, run: replay(o, b, lab, len(o) + 1)
    for patience in (5, 10, 20):
        rules[f"pause after {patience} empty excluded"] = (
            lambda o, b, lab, run, k=patience: replay_patient(o, b, lab, run, k))
    return rules


def figures(labels: np.ndarray, relevant: int) -> tuple[float, float]:
    """WSS@95 and recall@10 % of one screening order, as ``SimulationResult.summary`` counts them."""
    found = np.cumsum(labels)
    n = len(found)
    return (n - _screened_for(found, relevant, 0.95)) / n - 0.05, _recall_after(found, relevant, 0.10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=Path, required=True, help="the --orders DIR of bench_vs_asreview.py")
    parser.add_argument("--asreview-runs", type=Path, default=REPO / "benchmarks" / "asreview_runs.json")
    args = parser.parse_args()
    theirs = {(run["set"], run["seed"]): run for run in json.loads(args.asreview_runs.read_text())
              if run["tool"] == "asreview"}
    names = {name.replace("/", "_"): name for name, _ in theirs}
    rules = placements()
    by_rule: dict[str, dict[str, list[tuple[float, float]]]] = {rule: {} for rule in rules}
    for path in sorted(args.orders.glob("*.npz")):
        stem, _, seed = path.stem.rpartition("-")
        name = names[stem]
        saved = np.load(path)
        order, labels, blank = saved["order"], saved["labels"], saved["wordless"]
        label_of = dict(zip(order.tolist(), labels.tolist(), strict=True))
        run = stopping.heuristic_run_length(len(blank))
        other = theirs[(name, int(seed))]
        for rule, place in rules.items():
            placed = place(order, blank, label_of, run)
            wss, recall = figures(np.asarray([label_of[i] for i in placed.tolist()]), int(saved["n_included"]) - 1)
            by_rule[rule].setdefault(name, []).append(
                (wss - other["wss_95"], recall - other["recall_at_10pct"]))
    sets = list(next(iter(by_rule.values())))
    short = [name.removeprefix("Cohen_2006/").removesuffix(".gz").removesuffix(".csv")[:14] for name in sets]
    print("| placement | mean paired WSS@95 | mean paired recall@10% | sets below by > 0.01 | "
          + " | ".join(short) + " |")
    print("|---|---:|---:|---|" + "---:|" * len(sets))
    for rule, per_set in by_rule.items():
        wss = [statistics.mean(d for d, _ in per_set[name]) for name in sets]
        recall = [statistics.mean(r for _, r in per_set[name]) for name in sets]
        below = ", ".join(f"{s} {w:+.3f}" for s, w in zip(short, wss, strict=True) if w < -0.01) or "none"
        print(f"| {rule} | {statistics.mean(wss):+.4f} | {statistics.mean(recall):+.4f} | {below} | "
              + " | ".join(f"{w:+.3f}" for w in wss) + " |")


if __name__ == "__main__":
    main()
