"""Memory of the duplicate index alone: a RIS file parsed and indexed in batches, no database.

What the import holds besides Django while a file streams in (#30). Build the file with
bench_import.py (``--repeat 1000`` for 100,000 records, ``10000`` for a million) or pass any RIS:

    .venv/bin/python benchmarks/bench_index_memory.py FILE [--records N]

Prints the resident memory before and after, the growth per record, the peak, wall and CPU
seconds, and the pairs found (the benchmark file has none: its copies are distinct reports).
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from screening.dedup import DuplicateIndex  # noqa: E402
from screening.importers import iter_parse  # noqa: E402

BATCH = 2_000  # as the import's batches


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--records", type=int, default=None, help="stop after this many records")
    args = parser.parse_args()
    index = DuplicateIndex()
    before = resident_mb()
    start, cpu = time.perf_counter(), time.process_time()
    pairs = 0
    with args.file.open("rb") as handle:
        citations = islice(iter_parse(handle, args.file.name), args.records)
        while batch := list(islice(citations, BATCH)):
            pairs += len(index.match_and_add(batch))
    after = resident_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(index)} records: RSS {before:.0f} -> {after:.0f} MB "
          f"({(after - before) * 1048576 / max(len(index), 1):.0f} B a record), peak {peak:.0f} MB, "
          f"{time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU, {pairs} pairs")


if __name__ == "__main__":
    main()
