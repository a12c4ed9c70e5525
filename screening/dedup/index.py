"""An index of prepared records that new records are matched against.

One code path serves both uses: deduplicating a whole set (each record is
matched against those before it, then added) and a living review's new
search (the review's records are indexed once, each new record is matched).
Both therefore find the same pairs, and both cost about one block lookup per
key per record.
"""
from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any

from .blocking import MAX_BLOCK, block_keys, refine
from .match import compare
from .normalise import Prepared, prepare


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two records that may be one report.

    ``i`` and ``j`` are positions in the input (for ``find_duplicates_between``
    ``i`` is in the new records and ``j`` in the existing ones); ``sure`` pairs
    may be merged automatically, the others wait for a reviewer.
    """

    i: int
    j: int
    score: float
    sure: bool
    reasons: tuple[str, ...]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while indexing.

    Indexing creates hundreds of thousands of small tuples and no cycles; the
    collector would otherwise rescan the growing heap again and again (a
    third of the run time at 100,000 records).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Block keys are kept as 60-bit hashes of their strings, and a block of one record (most of them) as
# the bare id instead of a list: at a million records the strings and one-element lists were over
# half of the index (see BENCHMARKS.md, #30). Two keys whose hashes collide only share a block: their
# records become candidates of each other and ``compare`` still decides every pair. (A collision
# could in principle push a block past MAX_BLOCK; at a million records, about six million keys, the
# chance of any collision is about 1 in 60,000.) The hash is blake2b, not Python's ``hash()``, which
# is salted per process: a collision, however rare, must happen in every run alike, so that two
# runs over the same records always find the same pairs (about 0.7 µs a key, 2% of an import).
_KEY_BITS = (1 << 60) - 1  # two 30-bit digits: a 32-byte int, where a full 64-bit hash takes 48


def _slot(key: str) -> int:
    return int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "little") & _KEY_BITS


# A block: the id of its only record, or the ids of its records in insertion order.
Block = int | list[int]


def _extend(found: set[int], block: Block) -> None:
    if isinstance(block, int):
        found.add(block)
    else:
        found.update(block)


def _size(block: Block) -> int:
    return 1 if isinstance(block, int) else len(block)


def _append(blocks: dict[int, Block], slot: int, ident: int) -> int:
    """Add ``ident`` to the block at ``slot``; returns the block's new size."""
    block = blocks.get(slot)
    if block is None:
        blocks[slot] = ident
        return 1
    if isinstance(block, int):
        blocks[slot] = [block, ident]
        return 2
    block.append(ident)
    return len(block)


class DuplicateIndex:
    """Records indexed by their blocking keys; ids are positions in insertion order."""

    def __init__(self, citations: Iterable[Any] = ()) -> None:
        self._records: list[Prepared] = []
        self._blocks: dict[int, Block] = {}
        # Oversized blocks are also kept split by a title prefix (see blocking.MAX_BLOCK).
        self._split: dict[int, Block] = {}
        self.add(citations)

    def __len__(self) -> int:
        return len(self._records)

    def add(self, citations: Iterable[Any]) -> range:
        """Index citations; returns the ids they were given."""
        start = len(self._records)
        with _gc_paused():
            for citation in citations:
                self._add_prepared(prepare(citation))
        return range(start, len(self._records))

    def match(self, citation: Any) -> list[DuplicatePair]:
        """Pairs (i=-1, j=indexed id) for every indexed record that may duplicate ``citation``."""
        return self._match_prepared(prepare(citation), -1)

    def record(self, ident: int) -> Prepared:
        return self._records[ident]

    def _candidates(self, p: Prepared, keys: list[str]) -> set[int]:
        found: set[int] = set()
        sub = None
        for key in keys:
            block = self._blocks.get(_slot(key))
            if block is None:
                continue
            if _size(block) <= MAX_BLOCK:
                _extend(found, block)
                continue
            sub = sub if sub is not None else refine(p)
            small = self._split.get(_slot(key + "|" + sub))
            # Still oversized (thousands of identical short titles): the other keys must do.
            if small is not None and _size(small) <= MAX_BLOCK:
                _extend(found, small)
        return found

    def _match_prepared(self, p: Prepared, i: int, keys: list[str] | None = None) -> list[DuplicatePair]:
        pairs = []
        for j in sorted(self._candidates(p, block_keys(p) if keys is None else keys)):
            result = compare(p, self._records[j])
            if result is not None:
                pairs.append(DuplicatePair(i, j, result.score, result.sure, result.reasons))
        return pairs

    def _add_prepared(self, p: Prepared, keys: list[str] | None = None) -> int:
        ident = len(self._records)
        self._records.append(p)
        for key in block_keys(p) if keys is None else keys:
            slot = _slot(key)
            size = _append(self._blocks, slot, ident)
            if size == MAX_BLOCK + 1:
                members = self._blocks[slot]
                for member in members if isinstance(members, list) else ():
                    _append(self._split, _slot(key + "|" + refine(self._records[member])), member)
            elif size > MAX_BLOCK + 1:
                _append(self._split, _slot(key + "|" + refine(p)), ident)
        return ident

    def match_and_add(self, citations: Sequence[Any]) -> list[DuplicatePair]:
        """Match each citation against everything indexed so far, then index it."""
        pairs: list[DuplicatePair] = []
        with _gc_paused():
            for citation in citations:
                p = prepare(citation)
                keys = block_keys(p)  # once for the lookup and the insertion
                ident = len(self._records)
                pairs.extend(
                    DuplicatePair(pair.j, ident, pair.score, pair.sure, pair.reasons)
                    for pair in self._match_prepared(p, ident, keys)
                )
                self._add_prepared(p, keys)
        return pairs
