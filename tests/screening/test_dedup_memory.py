"""The duplicate index's memory per record (#30: a million records must import in under 2 GB).

The index holds every record of a review while a search is imported, so its bytes per record
decide the import's peak: about 2,150 traced bytes a record before the index was made compact,
which at a million records and with Django's 200 MB put the import near 3 GB.
"""
from __future__ import annotations

import random
import tracemalloc

from screening.dedup import DuplicateIndex
from screening.importers.citation import Citation

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
