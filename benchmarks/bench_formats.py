"""Parse speed of every text format on the same records, against RIS.

The 100 records of shared/data/imports/.../RIS/_baseline.ris are read once with
our RIS reader and written out again in each format (our own small writers
below, enough for the fields a Citation carries), repeated to --records records.
Each format's bytes are then parsed with screening.importers.parse (format
detection included) and timed; the figure is the best of --runs runs, with the
ratio to RIS. DESIGN.md asks every format to stay within 3x of RIS's speed.

Each format is timed in its own process. --code DIR times the screening.importers
of another checkout (e.g. an older commit unpacked with git archive) on the same
files, for before/after figures.

Run from the repository root:
    .venv/bin/python benchmarks/bench_formats.py [--records 1000] [--runs 3] [--formats ris,bibtex] [--code DIR]
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASELINE = (ROOT.parent / "shared" / "data" / "imports" / "citation-file-formatting" / "Datasets" / "RIS"
            / "_baseline.ris")

from screening.importers import parse  # noqa: E402


def _bib_escape(text: str) -> str:
    # Real exports escape these; the accents stay as UTF-8, as Zotero and Scopus write them.
    return text.replace("\\", "").replace("{", "").replace("}", "").replace("%", "\\%").replace("&", "\\&")


def to_bibtex(records) -> str:
    out = []
    for n, c in enumerate(records):
        fields = [("title", c.title), ("author", " and ".join(c.authors)), ("journal", c.journal),
                  ("year", str(c.year or "")), ("volume", c.volume), ("number", c.issue), ("pages", c.pages),
                  ("doi", c.doi), ("issn", c.issn), ("abstract", c.abstract), ("keywords", "; ".join(c.keywords)),
                  ("url", c.url)]
        body = ",\n".join(f"  {k} = {{{_bib_escape(v)}}}" for k, v in fields if v)
        out.append(f"@article{{rec{n},\n{body}\n}}\n")
    return "\n".join(out)


def to_medline(records) -> str:
    out = []
    for n, c in enumerate(records):
        lines = [f"PMID- {n + 1}", f"TI  - {c.title or ''}"]
        lines += [f"FAU - {a}" for a in c.authors]
        lines += [f"DP  - {c.year or ''}", f"JT  - {c.journal or ''}", f"VI  - {c.volume or ''}",
                  f"IP  - {c.issue or ''}", f"PG  - {c.pages or ''}", f"AB  - {c.abstract or ''}"]
        if c.doi:
            lines.append(f"LID - {c.doi} [doi]")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def to_ovid(records) -> str:
    out = []
    for n, c in enumerate(records):
        lines = [f"<{n + 1}. >", "VN  - Ovid Technologies", "DB  - Embase", f"AN  - {600000000 + n}"]
        lines += [f"AU  - {a}" for a in c.authors]
        lines += [f"TI  - {c.title or ''}",
                  f"SO  - {c.journal or ''}. {c.volume or ''}({c.issue or ''}) (pp {c.pages or ''}), {c.year or ''}.",
                  f"IS  - {c.issn or ''}", f"AB  - {c.abstract or ''}", "LG  - English",
                  f"DO  - https://dx.doi.org/{c.doi or ''}", f"YR  - {c.year or ''}", f"JN  - {c.journal or ''}",
                  f"VO  - {c.volume or ''}", f"IP  - {c.issue or ''}", f"PG  - {c.pages or ''}"]
        lines += [f"KW  - {k}" for k in c.keywords]
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def to_refworks(records) -> str:
    out = []
    for c in records:
        lines = ["RT Journal Article", "SR Electronic(1)"]
        lines += [f"A1 {a}" for a in c.authors]
        lines += [f"T1 {c.title or ''}", f"JF {c.journal or ''}", f"YR {c.year or ''}", f"VO {c.volume or ''}",
                  f"IS {c.issue or ''}"]
        first, _, last = (c.pages or "").partition("-")
        lines += [f"SP {first}", f"OP {last}", f"AB {c.abstract or ''}", f"SN {c.issn or ''}", f"DO {c.doi or ''}"]
        lines += [f"K1 {k}" for k in c.keywords]
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def to_csv(records) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Authors", "Title", "Year", "Source title", "Volume", "Issue", "Pages", "DOI", "Abstract"])
    for c in records:
        writer.writerow(["; ".join(c.authors), c.title, c.year, c.journal, c.volume, c.issue, c.pages, c.doi,
                         c.abstract])
    return buffer.getvalue()


WRITERS = {"bibtex": (to_bibtex, "big.bib"), "medline": (to_medline, "big.nbib"), "ovid": (to_ovid, "big.txt"),
           "refworks": (to_refworks, "big.txt"), "csv": (to_csv, "big.csv")}


def build(records: int) -> dict[str, tuple[bytes, str]]:
    raw = BASELINE.read_bytes()
    base = parse(raw, "_baseline.ris")
    copies = records // len(base)
    files = {"ris": (raw * copies, "big.ris")}
    for name, (writer, filename) in WRITERS.items():
        files[name] = (writer(base * copies).encode("utf-8"), filename)
    return files


CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from screening.importers import parse
path, filename, runs = sys.argv[2], sys.argv[3], int(sys.argv[4])
data = open(path, "rb").read()
best = float("inf")
for _ in range(runs):
    start = time.perf_counter()
    count = len(parse(data, filename))
    best = min(best, time.perf_counter() - start)
print(json.dumps({"records": count, "seconds": best}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="")
    parser.add_argument("--code", default=str(ROOT), help="checkout whose screening.importers is timed")
    args = parser.parse_args()
    files = build(args.records)
    wanted = [f for f in args.formats.split(",") if f] or list(files)
    if "ris" not in wanted:
        wanted.insert(0, "ris")
    timings = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in wanted:
            data, filename = files[name]
            path = Path(folder) / filename
            path.write_bytes(data)
            result = subprocess.run([sys.executable, "-c", CHILD, args.code, str(path), filename, str(args.runs)],
                                    capture_output=True, text=True, check=True)
            row = json.loads(result.stdout)
            timings[name] = (row["records"], row["seconds"], len(data))
    ris = timings["ris"][1]
    print(f"{'format':10s} {'records':>8s} {'MB':>6s} {'seconds':>8s} {'records/s':>10s} {'x RIS':>6s}")
    for name, (count, seconds, size) in timings.items():
        print(f"{name:10s} {count:8,d} {size / 1e6:6.1f} {seconds:8.3f} {count / seconds:10,.0f} {seconds / ris:6.2f}")


if __name__ == "__main__":
    main()
