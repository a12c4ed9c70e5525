"""Groups of records joined by sure duplicate pairs (union-find)."""
from __future__ import annotations

from collections.abc import Iterable


def connected_groups(n: int, edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Groups of two or more of the ``n`` items joined by ``edges``, each sorted, ordered by first item."""
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in range(n):
        groups.setdefault(root(x), []).append(x)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])
