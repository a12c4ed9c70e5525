"""The normalised bibliographic record every importer produces."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Citation:
    """One bibliographic record as parsed from a search export.

    Every field is optional: exports differ in what they carry. ``raw`` keeps
    the record exactly as it stood in the file so that an export loses nothing;
    ``line`` is the 1-based line (or row) where the record starts.
    """

    title: str | None = None
    abstract: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None  # lower-case, without https://doi.org/ prefix
    pmid: str | None = None
    issn: str | None = None
    keywords: list[str] = field(default_factory=list)
    language: str | None = None
    publication_type: str | None = None
    url: str | None = None
    raw: str = ""
    line: int | None = None
