"""The duplicate index's memory per record (#30: a million records must import in under 2 GB).

The index holds every record of a review while a search is imported, so its bytes per record
decide the import's peak: about 2,150 traced bytes a record before the index was made compact,
which at a million records and with Django's 200 MB put the import near 3 GB.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path

from screening.dedup import DuplicateIndex
from screening.importers.citation import Citation

ROOT = Path(__file__).resolve().parents[2]
RECORDS = 20_000
# Measured 1,100-1,250 bytes a record with this generator (2,150 before); the bound leaves room for
# Python's dict growing by doubling, which moves the figure by a tenth between sizes.
BOUND = 1_500


def citations(n: int) -> list[Citation]:
    """Distinct reports that look like a search export: titles of ten words, authors from a pool."""
    rng = random.Random(3)
    stems = ("cardi", "neur", "onc", "gastr", "nephr", "pulmon", "derm", "haemat", "endocrin", "immun")
    vocab = [stem + end for stem in stems for end in ("ology", "al", "itis", "ic", "osis", "oma", "ics")]
    surnames = [f"{a}{b}, A." for a in ("Smith", "Jones", "Brown", "Lee", "Garcia") for b in vocab]
    return [
        Citation(
            title=" ".join(rng.choice(vocab) for _ in range(10)),
            authors=rng.sample(surnames, 4),
            year=rng.randrange(1990, 2025),
            journal=f"Journal of {rng.choice(vocab)} and {rng.choice(vocab)}",
            volume=str(rng.randrange(1, 120)),
            issue=str(rng.randrange(1, 13)),
            pages=f"{1000 + i}-{1010 + i}",
            doi=f"10.1000/journal.{i}",
            pmid=str(20_000_000 + i),
        )
        for i in range(n)
    ]


def test_the_index_keeps_a_record_in_about_a_kilobyte():
    records = citations(RECORDS)
    tracemalloc.start()
    try:
        index = DuplicateIndex(records)
        traced, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(index) == RECORDS
    assert traced / RECORDS < BOUND, f"{traced / RECORDS:.0f} bytes a record"


def test_block_keys_hash_alike_in_every_process():
    # Python's hash() of a string changes with each process's seed; the index's key hash must not, or a
    # rare collision (two blocks sharing a slot) would find different pairs in different runs.
    script = "from screening.dedup.index import _slot; print(_slot('t|a title'))"
    seen = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}, cwd=ROOT).stdout.strip() for seed in ("1", "2")}
    assert seen == {"936758115043769277"}
