"""Blocking: which records are worth comparing at all.

Comparing every pair of 100,000 records is 5e9 comparisons. Instead each
record gets a few keys, and only records sharing a key are compared. The keys
are chosen so that a duplicate with a typo, a missing DOI or a changed year
still shares at least one key with its twin: identifiers, the start and the
end of the title (a typo rarely hits both), first author with year, and volume
with first page (which survives a year given as epub vs print).
"""
from __future__ import annotations

from .normalise import Prepared

TITLE_KEY_CHARS = 32
# A block larger than this (e.g. every "editorial" of a year, or a common
# surname) is split by the first characters of the title before comparing.
MAX_BLOCK = 60


def block_keys(p: Prepared) -> list[str]:
    keys = []
    if p.doi:
        keys.append("d:" + p.doi)
    if p.pmid:
        keys.append("p:" + p.pmid)
    compact = p.compact
    if len(compact) >= 12:
        keys.append("t:" + compact[:TITLE_KEY_CHARS])
        keys.append("e:" + compact[-TITLE_KEY_CHARS:])
    first = p.authors[0] if p.authors else ""
    if first and p.year is not None:
        keys.append(f"a:{first}|{p.year}")
    if p.volume and p.page:
        keys.append(f"v:{p.volume}|{p.page}")
    return keys


def refine(p: Prepared) -> str:
    """Sub-key used inside an oversized block."""
    return p.compact[:8]
