"""Deduplication speed and accuracy on 100,000 generated records.

The reports come from the labelled bib-dedupe sets (one record per true
cluster). Distinct reports are added by changing title words, authors, volume
and pages, so they look alike without being duplicates. Some reports then get
duplicate records with the changes databases really make: case, punctuation,
markup, truncated author lists, abbreviated journal, missing DOI, a year one
off with the same volume, a typo in the title. Everything is seeded.

Run:  .venv/bin/python benchmarks/bench_dedup.py [--records 100000] [--seed 7]
      .venv/bin/python benchmarks/bench_dedup.py --labelled   (precision/recall per labelled set)
"""
from __future__ import annotations

import argparse
import random
import resource
import string
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from screening.dedup import find_duplicate_pairs, find_duplicates  # noqa: E402
from screening.dedup.labelled import (  # noqa: E402
    BIB_DEDUPE_SETS,
    group_pairs,
    load_all,
    load_bib_dedupe,
    score_pairs,
)
from screening.importers.citation import Citation  # noqa: E402

DATA = REPO / "tests" / "data" / "dedup" / "bib-dedupe"
STOP = {"the", "of", "and", "in", "for", "a", "an", "on", "with", "to", "by", "at", "from"}


def base_reports() -> list[Citation]:
    reports = []
    for name in BIB_DEDUPE_SETS:
        labelled = load_bib_dedupe(DATA / name)
        in_cluster = {i for c in labelled.clusters for i in c[1:]}
        reports.extend(c for i, c in enumerate(labelled.citations) if i not in in_cluster and c.title)
    return reports


def abbreviate(journal: str) -> str:
    words = [w for w in journal.replace("&", " ").split() if w.lower() not in STOP]
    return " ".join(w if len(w) <= 4 else w[:4] if len(w) < 8 else w[:5] for w in words)


def typo(rng: random.Random, text: str) -> str:
    if len(text) < 10:
        return text
    k = rng.randrange(1, len(text) - 1)
    op = rng.choice("sdi")
    if op == "s":
        return text[:k] + rng.choice(string.ascii_lowercase) + text[k + 1:]
    if op == "d":
        return text[:k] + text[k + 1:]
    return text[:k] + rng.choice(string.ascii_lowercase) + text[k:]


def distinct_from(rng: random.Random, report: Citation, vocab: list[str], surnames: list[str],
                  serial: int) -> Citation:
    """Another report on the same topic: some title words, authors and location change."""
    words = report.title.split()
    positions = [i for i, w in enumerate(words) if w.lower() not in STOP] or list(range(len(words)))
    for i in rng.sample(positions, min(len(positions), max(2, len(words) // 4))):
        words[i] = rng.choice(vocab)
    authors = [f"{rng.choice(surnames)}, {rng.choice(string.ascii_uppercase)}."
               for _ in range(rng.randint(1, 6))]
    return replace(
        report,
        title=" ".join(words),
        authors=authors,
        year=rng.randint(1980, 2024),
        volume=str(rng.randint(1, 400)),
        pages=f"{(p := rng.randint(1, 3000))}-{p + rng.randint(2, 15)}",
        doi=f"10.5555/bench.{serial}",
        pmid=str(30_000_000 + serial),
    )


def variant_of(rng: random.Random, report: Citation) -> Citation:
    """The same report as another database exports it."""
    title = report.title
    change = rng.random()
    if change < 0.25:
        title = title.upper() if rng.random() < 0.3 else title.lower()
    elif change < 0.45:
        title = title.replace(":", " -").replace(",", "") + rng.choice([".", "", " [Review]"])
    elif change < 0.6:
        title = f"<i>{title}</i>"
    elif change < 0.85:
        title = typo(rng, title)
    authors = list(report.authors)
    if authors and rng.random() < 0.3:
        authors = authors[: rng.randint(1, 3)]
    if authors and rng.random() < 0.2:
        authors = [a.replace(".", "").replace(" ", "") for a in authors]
    journal = report.journal
    if journal and rng.random() < 0.4:
        journal = abbreviate(journal)
    year = report.year
    if year and rng.random() < 0.1:
        year += rng.choice((-1, 1))  # epub vs print year; the volume stays
    return replace(
        report,
        title=title,
        authors=authors,
        journal=journal,
        year=year,
        doi=report.doi if rng.random() < 0.5 else None,
        pmid=report.pmid if rng.random() < 0.3 else None,
        pages=report.pages if rng.random() < 0.85 else None,
    )


def build(n_records: int, seed: int) -> tuple[list[Citation], list[list[int]]]:
    rng = random.Random(seed)
    seeds = base_reports()
    vocab = sorted({w for c in seeds for w in c.title.split() if len(w) > 4 and w.isalpha()})
    surnames = sorted({a.split(",")[0] for c in seeds for a in c.authors if "," in a})
    records: list[Citation] = []
    clusters: list[list[int]] = []
    serial = 0
    while len(records) < n_records:
        serial += 1
        template = seeds[serial % len(seeds)]
        report = template if serial <= len(seeds) else distinct_from(rng, template, vocab, surnames, serial)
        if serial <= len(seeds):
            report = replace(report, doi=f"10.5555/bench.{serial}", pmid=str(30_000_000 + serial))
        group = [len(records)]
        records.append(report)
        extra = 1 if rng.random() < 0.25 else 0
        extra += 1 if rng.random() < 0.06 else 0
        for _ in range(extra):
            if len(records) >= n_records:
                break
            group.append(len(records))
            records.append(variant_of(rng, report))
        if len(group) > 1:
            clusters.append(group)
    order = list(range(len(records)))
    rng.shuffle(order)  # databases do not list duplicates side by side
    position = {old: new for new, old in enumerate(order)}
    shuffled = [records[old] for old in order]
    return shuffled, [sorted(position[i] for i in g) for g in clusters]


def labelled_table() -> None:
    print("| set | records | true pairs | sure: precision | sure: recall | sure+possible: precision "
          "| sure+possible: recall | pairs queued as possible |")
    print("|---|---|---|---|---|---|---|---|")
    for labelled in load_all(REPO / "tests" / "data"):
        truth = group_pairs(labelled.clusters)
        sure = group_pairs(find_duplicates(labelled.citations))
        pairs = find_duplicate_pairs(labelled.citations)
        a = score_pairs(sure, truth)
        b = score_pairs({(p.i, p.j) for p in pairs} | sure, truth)
        print(f"| {labelled.name} | {len(labelled.citations)} | {a.true_pairs} | {a.precision:.4f} "
              f"| {a.recall:.4f} | {b.precision:.4f} | {b.recall:.4f} | {sum(not p.sure for p in pairs)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--labelled", action="store_true", help="score the labelled sets instead")
    args = parser.parse_args()
    if args.labelled:
        labelled_table()
        return

    records, clusters = build(args.records, args.seed)
    truth = group_pairs(clusters)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start, cpu_start = time.perf_counter(), time.process_time()
    groups = find_duplicates(records)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sure = score_pairs(group_pairs(groups), truth)

    start = time.perf_counter()
    pairs = find_duplicate_pairs(records)
    elapsed_pairs = time.perf_counter() - start
    both = score_pairs({(p.i, p.j) for p in pairs} | group_pairs(groups), truth)

    print(f"records: {len(records)}  true duplicate pairs: {len(truth)}  true clusters: {len(clusters)}")
    print(f"find_duplicates: {elapsed:.1f} s wall, {cpu:.1f} s CPU  groups: {len(groups)}")
    print(f"peak RSS: {rss_before:.0f} MB before, {rss_after:.0f} MB after")
    print(f"sure pairs: precision {sure.precision:.4f}  recall {sure.recall:.4f}  ({sure.found_pairs} found)")
    print(f"find_duplicate_pairs: {elapsed_pairs:.1f} s  pairs: {len(pairs)} "
          f"({sum(p.sure for p in pairs)} sure)")
    print(f"sure + possible: precision {both.precision:.4f}  recall {both.recall:.4f}")


if __name__ == "__main__":
    main()
