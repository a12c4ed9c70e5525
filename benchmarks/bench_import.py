"""Import speed and peak memory: 100,000 RIS records parsed, stored and deduplicated on PostgreSQL.

Builds a 100,000-record RIS file from tests/data/imports/.../RIS/_baseline.ris
(100 records) repeated 1,000 times; every copy gets a varied title (seeded random
words, as many as the original had), its own DOI, PMID and first page, so the
copies are distinct reports rather than 1,000-fold duplicates. Then, each in its own
subprocess so that peak memory (ru_maxrss) is that of the step alone:

  rispy    rispy.loads() of the whole text: the bare parse DESIGN.md compares against
  parse    screening.importers.iter_parse() alone, streamed (no database)
  import   screening.services: upload the file into a fresh review's search and run
           search_file_import (stream-parse, bulk insert in batches of 2,000 inside one
           transaction, deduplicate against the review and within the file)
  dedup    stream the 100,000 stored records from the database and find every duplicate
           pair among them with screening.dedup (what a re-deduplication of the whole review
           costs; the records are not held as a list, as the import does not hold them)

Needs PostgreSQL with trust auth on 127.0.0.1 (the bench database is dropped and
created afresh). Run from the repository root:

    .venv/bin/python benchmarks/bench_import.py [--repeat 1000] [--db reviewapp_bench] [--skip-rispy]
        [--steps import,dedup] [--file a file built before]

--skip-rispy leaves out the rispy step (at --repeat 10000, a million records, rispy alone
would need about 18 GB). The import step reads the stored upload from its file, as the
worker does, so its peak does not include the file.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tests" / "data" / "imports" / "citation-file-formatting" / "Datasets" / "RIS" / "_baseline.ris"

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
step, path = sys.argv[1], sys.argv[2]
result = {{"step": step}}
if step == "rispy":
    import rispy
    data = open(path, "rb").read()
    start = time.perf_counter()
    result["records"] = len(rispy.loads(data.decode("utf-8-sig")))
    result["seconds"] = time.perf_counter() - start
elif step == "parse":
    from screening.importers import iter_parse
    start = time.perf_counter()
    with open(path, "rb") as handle:
        result["records"] = sum(1 for _ in iter_parse(handle, "big.ris"))
    result["seconds"] = time.perf_counter() - start
else:
    import django
    django.setup()
    from django.contrib.auth import get_user_model
    from reviewapp import services as review_services
    from screening import services
    from screening.models import Record
    if step == "import":
        user = get_user_model().objects.create_user("bench")
        review = review_services.review_create(creator=user, title="Import benchmark")
        search = services.search_create(actor=user, review=review, database="Lens.org", date_run="2024-01-01",
                                        query="benchmark")
        with open(path, "rb") as handle:
            search_file = services.search_file_create(actor=user, search=search, upload=handle,
                                                      filename="big.ris", enqueue=False)
        start = time.perf_counter()
        search_file = services.search_file_import(search_file_id=search_file.pk)
        result["seconds"] = time.perf_counter() - start
        assert search_file.status == "done", search_file.error
        result["records"] = Record.objects.filter(search_file=search_file).count()
        result["merged"] = search_file.duplicates_merged
        result["possible"] = search_file.duplicates_possible
    else:
        from screening.dedup import find_duplicate_pairs
        from screening.services.importing import DEDUP_FIELDS
        start = time.perf_counter()
        # Streamed from the database into the index, as the import does (never a list of all records).
        count = [0]
        def counted(rows):
            for row in rows:
                count[0] += 1
                yield row
        pairs = find_duplicate_pairs(counted(Record.objects.only(*DEDUP_FIELDS).order_by("id")
                                             .iterator(chunk_size=5000)))
        result["seconds"] = time.perf_counter() - start
        result["records"] = count[0]
        result["sure_pairs"] = sum(p.sure for p in pairs)
        result["possible_pairs"] = sum(not p.sure for p in pairs)
usage = resource.getrusage(resource.RUSAGE_SELF)
result["peak_mb"] = usage.ru_maxrss / 1024
# CPU seconds of this process (not the database server's): less swayed by a loaded machine than wall time.
result["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
print(json.dumps(result))
"""

_RECORD_END = re.compile(r"^ER  -.*$", re.MULTILINE)


def build(path: Path, repeat: int, seed: int = 7) -> int:
    text = BASELINE.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    records = [r.strip("\n") + "\n" for r in re.split(r"(?<=\nER  - )\n|(?<=\nER  -)\n", text) if r.strip()]
    vocab = sorted({w for w in re.findall(r"[A-Za-z]{5,12}", text)})
    rng = random.Random(seed)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for copy in range(repeat):
            for n, rec in enumerate(records):
                def retitle(m):
                    # New words of the same count: each copy is its own report, as in a real search.
                    return "TI  - " + " ".join(rng.choice(vocab) for _ in m.group(1).split())
                rec2 = re.sub(r"^TI  - (.*)$", retitle, rec, count=1, flags=re.MULTILINE)
                rec2 = re.sub(r"^DO  - (.*)$", lambda m, copy=copy: f"DO  - {m.group(1)}.c{copy}", rec2,
                              flags=re.MULTILINE)
                rec2 = re.sub(r"^SP  - (.*)$", f"SP  - {copy * 1000 + n}", rec2, flags=re.MULTILINE)
                # The baseline's PubMed links carry PMIDs; copies must not share them.
                rec2 = re.sub(r"(pubmed(?:\.ncbi\.nlm\.nih\.gov)?/|/MED/)(\d+)",
                              lambda m, copy=copy, n=n: f"{m.group(1)}{copy * 100 + n + 1}", rec2)
                out.write(rec2 + "\n")
                count += 1
    return count


def run(step: str, path: Path, env: dict) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), step, str(path)],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"step {step} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1000)
    parser.add_argument("--db", default="reviewapp_bench")
    parser.add_argument("--skip-rispy", action="store_true", help="leave out the rispy step")
    parser.add_argument("--steps", help="comma-separated steps to run (default: all)")
    parser.add_argument("--file", type=Path,
                        help="a file an earlier run built with the same --repeat (building a million takes minutes)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "big.ris"
        n = sum(1 for line in path.open("rb") if line.startswith(b"ER  -")) if args.file else build(path, args.repeat)
        size_mb = path.stat().st_size / 1048576
        env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
               "DJANGO_SETTINGS_MODULE": "reviewapp.settings.base", "DEBUG": "0",
               "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdef", "MEDIA_ROOT": str(Path(tmp) / "media"),
               "MAX_UPLOAD_MB": "4000", "LOG_LEVEL": "WARNING"}
        for sql in (f"DROP DATABASE IF EXISTS {args.db}", f"CREATE DATABASE {args.db}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
        print(f"file: {n} records, {size_mb:.0f} MB")
        steps = ("parse", "import", "dedup") if args.skip_rispy else ("rispy", "parse", "import", "dedup")
        if args.steps:
            steps = tuple(step for step in steps if step in args.steps.split(","))
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        for step in steps:
            r = run(step, path, env)
            extra = {k: v for k, v in r.items() if k not in ("step", "records", "seconds", "peak_mb")}
            print(f"{step:7s} {r['records']:>7d} records  {r['seconds']:6.1f} s  "
                  f"{r['records'] / r['seconds']:>8.0f} records/s  peak RSS {r['peak_mb']:5.0f} MB  {extra}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
