"""Priority screening: WSS@95 on the labelled sets vs ASReview's default model, and retrain time.

Every labelled set in ../shared/data/screening is replayed with seeds 1-3 through the same
prioritiser and options the app uses (screening.prioritise defaults), exactly as
`manage.py simulate_screening --csv FILE --seed N` does. Prints a Markdown table for
BENCHMARKS.md, and the stopping rules' realised recall over all runs.

--retrain: tiles the sets to 100,000 records, labels 2 % and then 20 % of them, and times one
retrain + ranking (and, separately, building the features) on one core.

Run:  .venv/bin/python benchmarks/bench_prioritise.py [--jobs 2] [--json runs.json]
      .venv/bin/python benchmarks/bench_prioritise.py --options '{"model": {"classifier": "logistic",
          "C": 1, "include_weight": 1}, "features": {"char_ngrams": [3, 5]}}'   (another configuration)
      .venv/bin/python benchmarks/bench_prioritise.py --retrain [--records 100000]
"""
from __future__ import annotations

import os

# One core for the numeric libraries, set before they load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from screening.prioritise import (  # noqa: E402
    FeatureOptions,
    ModelOptions,
    Prioritiser,
    SimulationOptions,
    load_labelled_csv,
    simulate,
)
from screening.prioritise.embeddings import embed  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "screening"
# ASReview LAB's default model ("elas_u4"), one included + one excluded prior, seed 535,
# from ../shared/data/README.md.
ASREVIEW = {
    "Nagtegaal_2019.csv.gz": 0.742,
    "van_de_Schoot_2017.csv.gz": 0.917,
    "Kitchenham_2010.csv.gz": 0.675,
    "Bannach-Brown_2019.csv.gz": 0.412,
    "Kwok_2020_virus.csv.gz": 0.709,
    "Appenzeller-Herzog_2020_wilson.csv.gz": 0.812,
    "Cohen_2006/ACEInhibitors.csv.gz": 0.753,
}
SEEDS = (1, 2, 3)


def one_run(job: tuple[str, int, dict]) -> dict:
    name, seed, options = job
    labelled = load_labelled_csv(DATA / name)
    features = FeatureOptions(**{k: tuple(v) if isinstance(v, list) else v
                                 for k, v in options.get("features", {}).items()})
    started = time.perf_counter()
    result = simulate(labelled.texts, labelled.labels, seed, features=features,
                      model=ModelOptions(**options.get("model", {})),
                      options=SimulationOptions(**options.get("simulation", {})))
    summary = result.summary()
    summary.update(set=name, seconds=round(time.perf_counter() - started, 1))
    print(f"{name} seed {seed}: wss_95 {summary['wss_95']} in {summary['seconds']} s", file=sys.stderr, flush=True)
    return summary


def table(runs: list[dict]) -> str:
    lines = [("| set | records / included | WSS@95 seeds 1, 2, 3 | ours (mean) | ASReview | difference "
              "| recall@10 % | screened for 95 % | seconds per run |"),
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, bar in ASREVIEW.items():
        mine = [r for r in runs if r["set"] == name]
        if not mine:
            continue
        wss = [r["wss_95"] for r in mine]
        mean = statistics.mean(wss)
        label = name.removesuffix(".csv.gz")
        lines.append(
            f"| {label} | {mine[0]['n_records']} / {mine[0]['n_included']} | {', '.join(f'{w:.3f}' for w in wss)} "
            f"| **{mean:.3f}** | {bar:.3f} | {mean - bar:+.3f} "
            f"| {statistics.mean(r['recall_at_10pct'] for r in mine):.3f} "
            f"| {statistics.mean(r['screened_for_95'] for r in mine):.0f} "
            f"| {statistics.mean(r['seconds'] for r in mine):.0f} |")
    return "\n".join(lines)


def stopping_report(runs: list[dict]) -> str:
    target = 0.95
    lines = ["| rule | reached 95 % recall | mean recall at the stop | mean share of records screened at the stop |",
             "|---|---:|---:|---:|"]
    for key, label in (("stop", "hypergeometric test on the ranked records (the rule offered)"),
                       ("sample_stop", "heuristic, then a random sample until the hypergeometric test stops"),
                       ("heuristic_stop", "heuristic alone: 5 % of the records (at least 50) excluded in a row")):
        recalls = [r[f"{key}_recall"] for r in runs]
        share = [r[f"{key}_screened"] / (r["n_records"] - 2) for r in runs]
        reached = sum(x >= target for x in recalls)
        lines.append(f"| {label} | {reached} of {len(runs)} ({reached / len(runs):.0%}) "
                     f"| {statistics.mean(recalls):.3f} | {statistics.mean(share):.2f} |")
    return "\n".join(lines)


def retrain_timing(records: int) -> None:
    texts: list[str] = []
    for name in ASREVIEW:
        texts.extend(load_labelled_csv(DATA / name).texts)
    base = len(texts)
    # Tile to the size wanted; a copy number appended to each keeps the texts distinct.
    texts = [f"{texts[i % base]} copy{i // base}" for i in range(records)]
    wall, cpu = time.perf_counter(), time.process_time()
    embed(texts)
    print(f"{records} records: their mean word embeddings alone (part of the features below) "
          f"{time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU")
    wall, cpu = time.perf_counter(), time.process_time()
    prioritiser = Prioritiser(texts)
    print(f"{records} records ({base} distinct texts tiled), {prioritiser.features.shape[1]} features: "
          f"building the features (once per review) {time.perf_counter() - wall:.1f} s wall, "
          f"{time.process_time() - cpu:.1f} s CPU")
    # What a worker that starts afresh does instead of building them: read the file the app keeps.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "review.npz"
        wall, cpu = time.perf_counter(), time.process_time()
        prioritiser.save(path, key="bench")
        print(f"  saving the features: {time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU, "
              f"{path.stat().st_size / 1e6:.0f} MB on disk")
        wall, cpu = time.perf_counter(), time.process_time()
        loaded = Prioritiser.load(path, key="bench")
        assert loaded is not None and loaded.features.shape == prioritiser.features.shape
        print(f"  loading them in a fresh worker: {time.perf_counter() - wall:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU")
    rng = np.random.default_rng(7)
    for share in (0.02, 0.2):
        labelled = rng.choice(records, size=int(records * share), replace=False)
        labels = {int(i): int(rng.random() < 0.1) for i in labelled}
        timings = []
        for _ in range(3):
            wall, cpu = time.perf_counter(), time.process_time()
            ranking = prioritiser.rank(labels)
            timings.append((time.perf_counter() - wall, time.process_time() - cpu))
        print(f"  {len(labels)} labelled: retrain + rank the other {len(ranking)}: "
              f"best of 3 {min(w for w, _ in timings):.2f} s wall, {min(c for _, c in timings):.2f} s CPU "
              f"(all wall: {', '.join(f'{w:.2f}' for w, _ in timings)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=1, help="simulations run side by side (each on one core)")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    parser.add_argument("--retrain", action="store_true", help="time one retrain on --records records instead")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--options", type=json.loads, default={},
                        help="JSON with keys features / model / simulation: FeatureOptions, ModelOptions "
                             "and SimulationOptions fields to change (default: the app's own)")
    args = parser.parse_args()
    if args.retrain:
        retrain_timing(args.records)
        return
    jobs = [(name, seed, args.options) for name in ASREVIEW for seed in SEEDS]
    with ProcessPoolExecutor(args.jobs) as pool:
        runs = list(pool.map(one_run, jobs))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1))
    print(table(runs))
    print()
    print(stopping_report(runs))


if __name__ == "__main__":
    main()
