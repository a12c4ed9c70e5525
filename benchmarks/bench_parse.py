"""Parse speed and peak memory for a 100,000-record RIS file.

Builds the file by repeating tests/data/imports/.../RIS/_baseline.ris (100
records) 1,000 times in a temporary folder, then runs each variant in its own
subprocess and reports wall time, records per second and the peak resident
memory of that process (ru_maxrss), which includes the bytes of the file:

  rispy       rispy.loads() of the whole text (the baseline in DESIGN.md)
  parse       screening.importers.parse(): a list of all Citations
  iter_parse  screening.importers.iter_parse() consumed in batches of 2,000,
              each batch dropped as the import service would after storing it

Run from the repository root:
    .venv/bin/python benchmarks/bench_parse.py [--repeat 1000]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tests" / "data" / "imports" / "citation-file-formatting" / "Datasets" / "RIS" / "_baseline.ris"

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
variant, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
start = time.perf_counter()
if variant == "rispy":
    import rispy
    count = len(rispy.loads(data.decode("utf-8-sig")))
elif variant == "parse":
    from screening.importers import parse
    count = len(parse(data, "big.ris"))
else:
    from screening.importers import iter_parse
    count, batch = 0, []
    for citation in iter_parse(data, "big.ris"):
        batch.append(citation)
        if len(batch) == 2000:
            count += len(batch)
            batch = []
    count += len(batch)
elapsed = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"variant": variant, "records": count, "seconds": elapsed, "peak_mb": peak_mb}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1000)
    args = parser.parse_args()
    base = BASELINE.read_bytes()
    if base.startswith(b"\xef\xbb\xbf"):
        base = base[3:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.ris"
        with path.open("wb") as out:
            for _ in range(args.repeat):
                out.write(base)
                out.write(b"\r\n")
        size_mb = path.stat().st_size / 1e6
        # Baseline memory of an interpreter that only read the file.
        rows = []
        for variant in ("rispy", "parse", "iter_parse"):
            result = subprocess.run(
                [sys.executable, "-c", CHILD.format(root=str(ROOT)), variant, str(path)],
                capture_output=True, text=True, check=True,
            )
            rows.append(json.loads(result.stdout))
    print(f"file: {size_mb:.0f} MB, {args.repeat * 100:,} records")
    print(f"{'variant':12s} {'records':>9s} {'seconds':>8s} {'records/s':>10s} {'peak MB':>8s}")
    for row in rows:
        rate = row["records"] / row["seconds"]
        print(f"{row['variant']:12s} {row['records']:9,d} {row['seconds']:8.2f} {rate:10,.0f} {row['peak_mb']:8.0f}")


if __name__ == "__main__":
    main()
