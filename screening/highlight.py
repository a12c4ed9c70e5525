"""Highlighting a review's include and exclude keywords in titles and abstracts (no Django: pure text).

Keywords are whole words or phrases, matched case-insensitively; a keyword ending in ``*``
matches every word that starts with it (``child*``: child, children, childhood).
"""
from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

# Every screening page compiles both lists into one pattern and runs it over the titles and
# abstracts it shows: 20,000 keywords took 13-17 s a page. At these bounds a page takes milliseconds.
MAX_KEYWORDS = 200
MAX_KEYWORD_CHARS = 100


def keyword_lines(text: str) -> list[str]:
    """The keywords of a list as the lead typed it: one per line, blank lines skipped."""
    return [w.strip() for w in (text or "").splitlines() if w.strip()]


def keyword_list_problem(text: str) -> str | None:
    """Why a keyword list is refused (too many keywords, or one too long), or None."""
    words = keyword_lines(text)
    if len(words) > MAX_KEYWORDS:
        return f"This list has {len(words):,} keywords; a list may hold at most {MAX_KEYWORDS}."
    for word in words:
        if len(word) > MAX_KEYWORD_CHARS:
            return (f"The keyword \u201c{word[:40]}\u2026\u201d has {len(word):,} characters; "
                    f"a keyword may have at most {MAX_KEYWORD_CHARS}.")
    return None


def _pattern(keyword: str) -> str:
    """The keyword after the word boundary that the whole alternation starts with."""
    keyword = keyword.strip()
    if keyword.endswith("*"):
        return re.escape(keyword.rstrip("*")) + r"\w*"
    return re.escape(keyword) + r"\b"


@lru_cache(maxsize=64)
def _compiled(include: tuple[str, ...], exclude: tuple[str, ...]) -> re.Pattern | None:
    parts = []
    # Longer keywords first, so a phrase wins over a word inside it.
    for group, words in (("inc", include), ("exc", exclude)):
        for word in sorted({w for w in words if w.strip().rstrip("*") and len(w) <= MAX_KEYWORD_CHARS},
                           key=len, reverse=True):
            parts.append((len(word), group, _pattern(word)))
    if not parts:
        return None
    parts.sort(key=lambda p: -p[0])
    # One alternation; the group name of the branch that matched says which colour. The word
    # boundary stands once before it, so positions inside words fail at once rather than once per
    # keyword (400 keywords over an abstract: 0.15-0.5 s with a boundary in each branch).
    alternatives = [f"(?P<{group}{i}>{pattern})" for i, (_, group, pattern) in enumerate(parts)]
    return re.compile(r"\b(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def highlight(text: str, include: Sequence[str], exclude: Sequence[str]) -> str:
    """``text`` as HTML-escaped markup with ``<mark class="kw-include">`` / ``kw-exclude`` around keywords."""
    # Lists stored before the limits (or brought in by an archive) are cut to them here.
    pattern = _compiled(tuple(include[:MAX_KEYWORDS]), tuple(exclude[:MAX_KEYWORDS]))
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
