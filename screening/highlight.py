"""Highlighting a review's include and exclude keywords in titles and abstracts (no Django: pure text).

Keywords are whole words or phrases, matched case-insensitively; a keyword ending in ``*``
matches every word that starts with it (``child*``: child, children, childhood).
"""
from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache


def _pattern(keyword: str) -> str:
    keyword = keyword.strip()
    if keyword.endswith("*"):
        return r"\b" + re.escape(keyword.rstrip("*")) + r"\w*"
    return r"\b" + re.escape(keyword) + r"\b"


@lru_cache(maxsize=64)
def _compiled(include: tuple[str, ...], exclude: tuple[str, ...]) -> re.Pattern | None:
    parts = []
    # Longer keywords first, so a phrase wins over a word inside it.
    for group, words in (("inc", include), ("exc", exclude)):
        for word in sorted({w for w in words if w.strip().rstrip("*")}, key=len, reverse=True):
            parts.append((len(word), group, _pattern(word)))
    if not parts:
        return None
    parts.sort(key=lambda p: -p[0])
    # One alternation; the group name of the branch that matched says which colour.
    alternatives = [f"(?P<{group}{i}>{pattern})" for i, (_, group, pattern) in enumerate(parts)]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def highlight(text: str, include: Sequence[str], exclude: Sequence[str]) -> str:
    """``text`` as HTML-escaped markup with ``<mark class="kw-include">`` / ``kw-exclude`` around keywords."""
    pattern = _compiled(tuple(include), tuple(exclude))
    if pattern is None or not text:
        return html.escape(text or "")
    out, last = [], 0
    for match in pattern.finditer(text):
        kind = "include" if match.lastgroup.startswith("inc") else "exclude"
        out.append(html.escape(text[last:match.start()]))
        out.append(f'<mark class="kw-{kind}">{html.escape(match.group())}</mark>')
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)
