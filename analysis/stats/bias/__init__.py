"""Small-study effects and publication bias, as in metafor 3.8-1.

``regtest`` (Egger's regression test), ``ranktest`` (Begg and Mazumdar),
``trimfill`` (Duval and Tweedie) and ``fsn`` (fail-safe N) take the effect
sizes and sampling variances and reproduce metafor's results, including its
quirks (documented on each function).
"""
from __future__ import annotations

from .fsn import FsnResult, fsn
from .ranktest import RanktestResult, ranktest
from .regtest import RegtestResult, regtest
from .trimfill import TrimfillResult, trimfill

__all__ = [
    "RegtestResult", "RanktestResult", "TrimfillResult", "FsnResult",
    "regtest", "ranktest", "trimfill", "fsn",
]
