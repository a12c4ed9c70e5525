"""Priority screening side by side with ASReview LAB, both starting from the same two records.

For every labelled set in ../shared/data/screening and every seed, the start pair (one
included, one excluded record) is drawn as `manage.py simulate_screening --seed N` draws it.
Our prioritiser replays the set from that pair with the app's defaults; ASReview's own
`asreview simulate` replays it from the same pair (`--prior-idx`, `--seed N`, its default
model elas_u4). Both screening orders are scored by the same code
(`SimulationResult.summary`), so the only difference left is the ranking. One seed of one
tool is luck of the start pair (±0.01-0.03 WSS@95 on the small sets); the table gives the
mean over the seeds and the paired difference with its 95 % interval.

--cold-start: also one run per set from its topic alone (benchmarks/topics.json, or --topics: no start
records, the protocol ranks until the first inclusion, then fades, as `simulate_screening
--protocol FILE --cold-start` does; deterministic, so one run per set), reported beside our
random starts and ASReview's (the cold start counts all N records, a random start N - 2).
--ours-runs JSON reuses our random-start (and cold-start) runs from an earlier --json.
--options JSON runs ours with other ModelOptions / FeatureOptions (to judge a change on all 20 sets
against the stored ASReview runs); --orders DIR keeps our screening orders, which
benchmarks/bench_wordless.py replays with the records without words placed otherwise.

--held-out: the 13 other drug reviews of Cohen et al. (2006), on which the model was never
tuned. --asreview-start 535: ASReview draws its own start pair (`--prior-seed 535`, as for the
figures in ../shared/data/README.md, which this reproduces) and ours starts from the pair it drew.

ASReview is not a dependency of the project: it is the tool a user would otherwise pick,
installed in a virtualenv of its own, whose command is passed in:

    python3 -m venv /tmp/asr && /tmp/asr/bin/pip install asreview==3.0.8
    .venv/bin/python benchmarks/bench_vs_asreview.py --asreview /tmp/asr/bin/asreview \
        --seeds 1-10 --jobs 2 --json pairs.json
    .venv/bin/python benchmarks/bench_vs_asreview.py --asreview /tmp/asr/bin/asreview --held-out --seeds 1-5 --jobs 2
    .venv/bin/python benchmarks/bench_vs_asreview.py --asreview /tmp/asr/bin/asreview --asreview-start 535
    .venv/bin/python benchmarks/bench_vs_asreview.py --asreview-runs pairs.json --jobs 2   (ours again only)

ASReview's runs do not change between our commits (it is deterministic from a start pair), so
the ones behind BENCHMARKS.md are kept in benchmarks/asreview_runs.json (the seven sets x seeds
1-10 and the 13 held-out sets x seeds 1-5, ASReview LAB 3.0.8): rerunning ours against them
takes minutes instead of the hour ASReview's own runs take on two cores:

    .venv/bin/python benchmarks/bench_vs_asreview.py --asreview-runs benchmarks/asreview_runs.json --jobs 2
    .venv/bin/python benchmarks/bench_vs_asreview.py --asreview-runs benchmarks/asreview_runs.json --held-out \
        --seeds 1-5 --jobs 2
    .venv/bin/python benchmarks/bench_vs_asreview.py --asreview-runs benchmarks/asreview_runs.json --all \
        --seeds 1-3 --cold-start --jobs 2

The data are read from ../shared/data/screening, or from $SCREENING_DATA.
"""
from __future__ import annotations

import os

# One core for the numeric libraries, set before they load (ASReview's runs inherit it).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import shutil  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from screening.prioritise import (  # noqa: E402
    FeatureOptions,
    ModelOptions,
    SimulationOptions,
    SimulationResult,
    load_labelled_csv,
    simulate,
    start_records,
)
from screening.prioritise.features import has_words  # noqa: E402
from screening.prioritise.protocol import Protocol, protocol_scores  # noqa: E402

DATA = Path(os.environ.get("SCREENING_DATA", REPO.parent / "shared" / "data" / "screening"))
TOPICS = REPO / "benchmarks" / "topics.json"
SETS = ("Nagtegaal_2019.csv.gz", "van_de_Schoot_2017.csv.gz", "Kitchenham_2010.csv.gz",
        "Bannach-Brown_2019.csv.gz", "Kwok_2020_virus.csv.gz", "Appenzeller-Herzog_2020_wilson.csv.gz",
        "Cohen_2006/ACEInhibitors.csv.gz")
# The other 13 of Cohen's drug reviews: never used to choose the model (BENCHMARKS.md), so they
# show how it does on sets it was not tuned on.
HELD_OUT = tuple(sorted(f"Cohen_2006/{p.name}" for p in (DATA / "Cohen_2006").glob("*.csv*")
                        if not p.name.startswith("ACEInhibitors")))


def ours(name: str, seed: int, priors: tuple[int, int] | None = None, settings: dict | None = None,
         orders: Path | None = None) -> dict:
    """Our run; ``settings`` ({"model": {...}, "features": {...}}) replace the app's defaults, and
    ``orders`` keeps the screening order (record rows, the start records left out) for replays."""
    labelled = load_labelled_csv(DATA / name)
    settings = settings or {}
    features = FeatureOptions(**{k: tuple(v) if isinstance(v, list) else v
                                 for k, v in settings.get("features", {}).items()})
    run = simulate(labelled.texts, labelled.labels, seed, priors=priors, features=features,
                   model=ModelOptions(**settings.get("model", {})))
    if orders is not None:
        orders.mkdir(parents=True, exist_ok=True)
        wordless = np.fromiter((not has_words(t) for t in labelled.texts), dtype=bool, count=len(labelled.texts))
        np.savez(order_file(orders, name, seed), order=run.order, labels=run.labels,
                 n_included=run.n_included, wordless=wordless)
    return run.summary()


def order_file(orders: Path, name: str, seed: int) -> Path:
    return orders / f"{name.replace('/', '_')}-{seed}.npz"


def cold(name: str) -> dict:
    """Ours from the set's topic alone (benchmarks/topics.json), no start records."""
    labelled = load_labelled_csv(DATA / name)
    topic = Protocol(text=json.loads(TOPICS.read_text())[name])
    return simulate(labelled.texts, labelled.labels, 0, prior_scores=protocol_scores(labelled.texts, topic),
                    cold_start=True).summary()


def asreviews(name: str, seed: int, command: str, workdir: Path, own_start: bool = False) -> dict:
    """Run `asreview simulate` from the seed's start pair (or, ``own_start``, the pair ASReview
    draws with the seed); score its order as ours is scored."""
    labels = np.asarray(load_labelled_csv(DATA / name).labels, dtype=np.int64)
    plain = _plain(workdir, name)
    project = workdir / f"{plain.stem}-{seed}.asreview"
    if own_start:
        start = ["--n-prior-included", "1", "--n-prior-excluded", "1", "--prior-seed", str(seed)]
    else:
        start = ["--prior-idx", *map(str, start_records(labels, seed))]
    subprocess.run([command, "simulate", str(plain), *start, "--seed", str(seed), "-o", str(project)],
                   check=True, capture_output=True, cwd=workdir)  # cwd: it leaves a cache file there
    with tempfile.TemporaryDirectory() as unpacked:
        with zipfile.ZipFile(project) as archive:
            archive.extract("results.db", unpacked)
        db = sqlite3.connect(Path(unpacked) / "results.db")
        rows = [row for (row,) in db.execute(
            "SELECT record.dataset_row FROM results JOIN record USING (record_id) ORDER BY results.rowid")]
        db.close()
    project.unlink()
    priors = (rows[0], rows[1])
    if not own_start and priors != (wanted := start_records(labels, seed)):
        raise RuntimeError(f"{name} seed {seed}: ASReview started from rows {priors}, not {wanted}")
    # ASReview stops once every inclusion is found; the rest are exclusions, in any order.
    seen = set(rows)
    order = np.asarray(rows[2:] + [i for i in range(len(labels)) if i not in seen], dtype=np.int64)
    return SimulationResult(priors=priors, order=order, labels=labels[order], n_records=len(labels),
                            n_included=int(labels.sum()), n_retrains=len(rows) - 2,
                            options=SimulationOptions(), seed=seed).summary()


def _plain(workdir: Path, name: str) -> Path:
    """Where the set is kept uncompressed: ASReview reads plain CSV only."""
    return workdir / name.replace("/", "_").removesuffix(".gz")


def one_run(job: tuple[str, int, str, str, Path, dict, Path | None]) -> dict:
    name, seed, tool, command, workdir, settings, orders = job
    started = time.perf_counter()
    if tool == "cold":
        summary = cold(name)
    elif tool == "ours":
        summary = ours(name, seed, settings=settings, orders=orders)
    else:
        summary = asreviews(name, seed, command, workdir)
    return _done(summary, name, tool, started)


def from_asreviews_start(job: tuple[str, int, str, Path]) -> list[dict]:
    """ASReview with the start pair it draws itself, then ours from that pair."""
    name, seed, command, workdir = job
    started = time.perf_counter()
    theirs = _done(asreviews(name, seed, command, workdir, own_start=True), name, "asreview", started)
    started = time.perf_counter()
    return [theirs, _done(ours(name, seed, priors=tuple(theirs["start_records"])), name, "ours", started)]


def _done(summary: dict, name: str, tool: str, started: float) -> dict:
    summary.update(set=name, tool=tool, seconds=round(time.perf_counter() - started, 1))
    print(f"{name} seed {summary['seed']} {tool}: wss_95 {summary['wss_95']} in {summary['seconds']} s",
          file=sys.stderr, flush=True)
    return summary


def paired_table(runs: list[dict], key: str = "wss_95") -> str:
    lines = [f"| set | seeds | ours: mean {key} (sd) | ASReview: mean (sd) | paired difference, 95 % CI "
             "| seeds ours ≥ ASReview | seconds per run, ours / ASReview |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name in dict.fromkeys(run["set"] for run in runs):
        by_seed = {}
        for run in runs:
            if run["set"] == name:
                by_seed.setdefault(run["seed"], {})[run["tool"]] = run
        pairs = [v for v in by_seed.values() if len(v) == 2]
        if not pairs:
            continue
        a = [p["ours"][key] for p in pairs]
        b = [p["asreview"][key] for p in pairs]
        diff = [x - y for x, y in zip(a, b, strict=True)]
        mean = statistics.mean(diff)
        interval = "one seed"
        if len(diff) > 1:
            half = stats.t.ppf(0.975, len(diff) - 1) * statistics.stdev(diff) / math.sqrt(len(diff))
            interval = f"{mean - half:+.3f} to {mean + half:+.3f}"
        lines.append(
            f"| {name.removesuffix('.csv.gz')} | {len(pairs)} | {statistics.mean(a):.3f} ({_sd(a):.3f}) "
            f"| {statistics.mean(b):.3f} ({_sd(b):.3f}) | {mean:+.3f} ({interval}) "
            f"| {sum(d >= 0 for d in diff)} of {len(diff)} "
            f"| {statistics.mean(p['ours']['seconds'] for p in pairs):.0f} / "
            f"{statistics.mean(p['asreview']['seconds'] for p in pairs):.0f} |")
    return "\n".join(lines)


def cold_table(runs: list[dict]) -> str:
    """Cold start (one run) beside the means of our random starts and ASReview's, per set."""
    lines = ["| set | cold start from the topic: WSS@95 / recall@10 % | ours, random start: mean WSS@95 / recall@10 % "
             "| ASReview, same random starts: mean WSS@95 / recall@10 % | cold - ASReview, WSS@95 / recall@10 % |",
             "|---|---:|---:|---:|---:|"]
    diffs = []
    for name in dict.fromkeys(run["set"] for run in runs if run["tool"] == "cold"):
        by_tool = {tool: [r for r in runs if r["set"] == name and r["tool"] == tool]
                   for tool in ("cold", "ours", "asreview")}
        means = {tool: (statistics.mean(r["wss_95"] for r in rs), statistics.mean(r["recall_at_10pct"] for r in rs))
                 if rs else (math.nan, math.nan) for tool, rs in by_tool.items()}
        d = (means["cold"][0] - means["asreview"][0], means["cold"][1] - means["asreview"][1])
        diffs.append(d)
        short = name.removesuffix(".gz").removesuffix(".csv")
        lines.append(f"| {short} | {means['cold'][0]:.3f} / {means['cold'][1]:.3f} "
                     f"| {means['ours'][0]:.3f} / {means['ours'][1]:.3f} (n={len(by_tool['ours'])}) "
                     f"| {means['asreview'][0]:.3f} / {means['asreview'][1]:.3f} (n={len(by_tool['asreview'])}) "
                     f"| {d[0]:+.3f} / {d[1]:+.3f} |")
    if diffs:
        lines.append(f"| mean of {len(diffs)} sets | | | | {statistics.mean(x for x, _ in diffs):+.3f} / "
                     f"{statistics.mean(y for _, y in diffs):+.3f} |")
    return "\n".join(lines)


def _sd(values: list[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


def _seeds(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> None:
    global TOPICS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--asreview", help="the asreview command of ASReview's own virtualenv")
    parser.add_argument("--asreview-runs", type=Path, metavar="JSON",
                        help="take ASReview's runs from an earlier --json instead of running it again "
                             "(it does not change; ours does)")
    parser.add_argument("--seeds", type=_seeds, default=_seeds("1-10"), help="e.g. 1-10 (default)")
    parser.add_argument("--asreview-start", type=int, metavar="SEED",
                        help="start where ASReview's own draw with this prior seed starts (instead of --seeds)")
    parser.add_argument("--sets", nargs="*", default=list(SETS), help="default: the seven of the bar")
    parser.add_argument("--held-out", action="store_true", help="the other 13 Cohen sets instead")
    parser.add_argument("--all", action="store_true", help="all 20 sets (the seven and the 13)")
    parser.add_argument("--cold-start", action="store_true",
                        help="also one run per set from its topic alone (benchmarks/topics.json)")
    parser.add_argument("--topics", type=Path, default=TOPICS, metavar="JSON",
                        help="the cold start's topics (default benchmarks/topics.json; "
                             "benchmarks/topics_class_sentence.json: the Cohen sets' earlier one-sentence topics)")
    parser.add_argument("--ours-runs", type=Path, metavar="JSON",
                        help="take our random-start runs from an earlier --json instead of running them again")
    parser.add_argument("--options", type=json.loads, default={}, metavar="JSON",
                        help='our runs with other settings, e.g. \'{"model": {"C": 0.2}, "features": '
                             '{"embedding_scale": 0}}\' (ModelOptions, FeatureOptions)')
    parser.add_argument("--orders", type=Path, metavar="DIR",
                        help="keep our runs' screening orders here (for benchmarks/bench_wordless.py)")
    parser.add_argument("--jobs", type=int, default=1, help="simulations run side by side (each on one core)")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    args = parser.parse_args()
    TOPICS = args.topics  # read by cold() in the worker processes (forked after this)
    earlier = []
    if args.asreview_runs:
        earlier = [run for run in json.loads(args.asreview_runs.read_text()) if run["tool"] == "asreview"]
    elif args.asreview is None or shutil.which(args.asreview) is None:
        parser.error(f"{args.asreview} is not a command here; see the instructions at the top of this file")
    with tempfile.TemporaryDirectory() as workdir:
        if args.held_out:
            args.sets = list(HELD_OUT)
        if args.all:
            args.sets = list(SETS) + list(HELD_OUT)
        for name in args.sets:
            with (gzip.open if name.endswith(".gz") else open)(DATA / name, "rb") as source:
                _plain(Path(workdir), name).write_bytes(source.read())
        with ProcessPoolExecutor(args.jobs) as pool:
            if args.asreview_start is not None:
                runs = [run for pair in pool.map(from_asreviews_start, [
                    (name, args.asreview_start, args.asreview, Path(workdir)) for name in args.sets]) for run in pair]
            else:
                if args.ours_runs:
                    earlier += [run for run in json.loads(args.ours_runs.read_text()) if run["tool"] != "asreview"]
                kept = [run for run in earlier if run["set"] in args.sets
                        and (run["seed"] in args.seeds or run["tool"] == "cold")]
                have_cold = {run["set"] for run in kept if run["tool"] == "cold"}
                tools = ("asreview",) if args.asreview is not None and not args.asreview_runs else ()
                tools += () if args.ours_runs else ("ours",)
                jobs = [(name, seed, tool, args.asreview, Path(workdir), args.options, args.orders)
                        for name in args.sets for seed in args.seeds for tool in tools]
                jobs += [(name, 0, "cold", args.asreview, Path(workdir), {}, None) for name in args.sets
                         if args.cold_start and name not in have_cold]
                runs = kept + list(pool.map(one_run, jobs))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1))
    print(paired_table(runs))
    print()
    print(paired_table(runs, "recall_at_10pct"))
    if args.cold_start:
        print()
        print(cold_table(runs))


if __name__ == "__main__":
    main()
