"""The ranking's cold build without the database: features and protocol scores of N records.

The costly part of a review's first ranking (``bench_retrain.py``'s "cold" step) is building the
features (TF-IDF of words and word pairs, word embeddings) and the protocol's scores (a second
TF-IDF fit, the embeddings again before #30's change). This times them alone, on the labelled
sets' texts tiled to --records as ``bench_retrain.py`` does, in wall and CPU seconds (CPU time is
what a busy machine does not inflate), with peak RSS (and the peak reached by the end of each
step); --save writes both results so two versions of the code can be compared bit for bit;
--root runs another checkout's code (say, an older one). Code that has ``streamed.py`` (#30) is
timed as the job runs it: the texts made a block of 10,000 at a time (never all held), the
features written to a file under --scratch and mapped, the protocol scored in the same read
(one step, "cold"); --in-memory times ``build_features`` and ``protocol_scores`` instead.

    nice -n 10 .venv/bin/python benchmarks/bench_cold_build.py --records 20000 --save /tmp/after
    nice -n 10 .venv/bin/python benchmarks/bench_cold_build.py --records 20000 --root /tmp/old --save /tmp/before
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROTOCOL = ("Antidepressants and anxiety drugs in adults: randomised trials\n"
            "Do drug treatments improve outcomes in adults compared with placebo?\n"
            "Randomised controlled trials of drug treatment in adults.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--root", default=str(HERE.parent), help="the checkout whose code runs")
    parser.add_argument("--save", help="path prefix for the features (.npz) and protocol scores (.npy)")
    parser.add_argument("--scratch", default="/tmp", help="where the streamed build writes its files")
    parser.add_argument("--in-memory", action="store_true", help="build_features and protocol_scores, as before #30")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.path.insert(0, str(HERE))
    import numpy as np
    import scipy.sparse as sp
    from bench_retrain import _texts  # puts this checkout first on the path: --root goes before it

    sys.path.insert(0, args.root)

    from screening.prioritise import embeddings
    from screening.prioritise.features import build_features, record_text
    from screening.prioritise.protocol import Protocol, protocol_scores

    base = _texts()

    def text(i: int) -> str:
        return record_text(f"{base[i % len(base)][0]} copy{i // len(base)}", base[i % len(base)][1])

    protocol = Protocol(text=PROTOCOL, include_keywords=("placebo", "random*"), exclude_keywords=("rats",))
    try:
        from screening.prioritise import streamed
    except ImportError:
        streamed = None
    if streamed is not None and not args.in_memory:
        _streamed(args, streamed, text, protocol)
        return
    texts = [text(i) for i in range(args.records)]
    once = "vectors" in inspect.signature(build_features).parameters  # the code embeds once
    laps: dict[str, list[float]] = {}
    peaks: dict[str, int] = {}
    load_before = os.getloadavg()[0]

    def lap(name: str, start: tuple[float, float]) -> tuple[float, float]:
        now = (time.perf_counter(), time.process_time())
        laps[name] = [round(now[0] - start[0], 1), round(now[1] - start[1], 1)]
        peaks[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # which step sets the peak
        return now

    mark = (time.perf_counter(), time.process_time())
    vectors = embeddings.embed(texts) if once else None
    mark = lap("embed", mark)
    features = build_features(texts, vectors=vectors) if once else build_features(texts)
    mark = lap("features", mark)
    scores = protocol_scores(texts, protocol, vectors) if once else protocol_scores(texts, protocol)
    lap("protocol", mark)
    print(json.dumps({"records": args.records, "embedded_once": once, "wall_cpu_seconds": laps,
                      "total_wall": round(sum(v[0] for v in laps.values()), 1),
                      "total_cpu": round(sum(v[1] for v in laps.values()), 1),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                      "peak_rss_mb_by_step": peaks,
                      "load": [load_before, os.getloadavg()[0]]}))
    if args.save:
        sp.save_npz(f"{args.save}.features.npz", features, compressed=False)
        np.save(f"{args.save}.protocol.npy", scores)


def _streamed(args: argparse.Namespace, streamed, text, protocol) -> None:  # noqa: ANN001
    import tempfile

    import numpy as np
    import scipy.sparse as sp

    from screening.prioritise.storage import load_mapped

    def blocks():  # noqa: ANN202
        for start in range(0, args.records, 10_000):
            yield [text(i) for i in range(start, min(start + 10_000, args.records))]

    load_before = os.getloadavg()[0]
    start = (time.perf_counter(), time.process_time())
    with tempfile.TemporaryDirectory(dir=args.scratch, prefix="bench-cold-") as folder:
        path = Path(folder) / "features.npz"
        scores = streamed.build(blocks(), folder, features_to=path, tag="bench", protocol=protocol)
        wall, cpu = round(time.perf_counter() - start[0], 1), round(time.process_time() - start[1], 1)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(json.dumps({"records": args.records, "streamed": True, "wall_cpu_seconds": {"cold": [wall, cpu]},
                          "total_wall": wall, "total_cpu": cpu, "peak_rss_mb": peak,
                          "features_file_mb": path.stat().st_size >> 20,
                          "load": [load_before, os.getloadavg()[0]]}))
        if args.save:
            saved = load_mapped(path)
            features = sp.csr_matrix((saved["data"], saved["indices"], saved["indptr"]), shape=tuple(saved["shape"]))
            sp.save_npz(f"{args.save}.features.npz", features, compressed=False)
            np.save(f"{args.save}.protocol.npy", scores)


if __name__ == "__main__":
    main()
