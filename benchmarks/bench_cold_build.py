"""The ranking's cold build without the database: features and protocol scores of N records.

The costly part of a review's first ranking (``bench_retrain.py``'s "cold" step) is building the
features (TF-IDF of words and word pairs, word embeddings) and the protocol's scores (a second
TF-IDF fit, the embeddings again before #30's change). This times them alone, on the labelled
sets' texts tiled to --records as ``bench_retrain.py`` does, in wall and CPU seconds (CPU time is
what a busy machine does not inflate), with peak RSS (and the peak reached by the end of each
step); --save writes both results so two versions of the code can be compared bit for bit;
--root runs another checkout's code (say, an older one).

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
    texts = [record_text(f"{base[i % len(base)][0]} copy{i // len(base)}", base[i % len(base)][1])
             for i in range(args.records)]
    protocol = Protocol(text=PROTOCOL, include_keywords=("placebo", "random*"), exclude_keywords=("rats",))
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


if __name__ == "__main__":
    main()
