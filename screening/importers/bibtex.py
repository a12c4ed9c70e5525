"""BibTeX (.bib) through bibtexparser 2.x, with LaTeX accents decoded.

bibtexparser reads a whole file at once; .bib exports from databases are small
(thousands of entries at most), so iter_parse does not split them further.
Entries with a key used twice (common in merged exports, and JabRef writes
empty keys) are kept: a repeated key is not a reason to drop a record.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares import LatexDecodingMiddleware

from . import normalise as norm
from .citation import Citation
from .errors import ImportFormatError

_TYPES_WITH_BOOKTITLE = {"inproceedings", "incollection", "inbook", "conference"}


def iter_citations(text: str, filename: str | None = None) -> Iterator[Citation]:
    # bibtexparser logs every failed block itself; we report them as errors instead.
    logger = logging.getLogger("bibtexparser")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    except Exception as exc:  # the library raises assorted errors on malformed input
        raise ImportFormatError(f"could not read BibTeX ({exc})", filename=filename) from None
    finally:
        logger.setLevel(previous)
    entries: list[model.Entry] = list(library.entries)
    for block in library.failed_blocks:
        if isinstance(block, model.DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, model.Entry):
            entries.append(block.ignore_error_block)
            continue
        line = (block.start_line or 0) + 1
        snippet = (block.raw or "").strip().splitlines()[0][:60] if (block.raw or "").strip() else ""
        raise ImportFormatError(
            f"this BibTeX entry could not be read ({_reason(block)}); "
            f"expected @type{{key, field = {{value}}, ...}} — found {snippet!r}",
            filename=filename,
            line=line,
        )
    if not entries:
        raise ImportFormatError(
            "no BibTeX entries found (expected entries such as '@article{key, title = {...}}')",
            filename=filename,
        )
    entries.sort(key=lambda e: e.start_line)
    for entry in entries:
        yield to_citation(entry)


def _reason(block) -> str:
    error = getattr(block, "error", None)
    text = str(error).strip() if error is not None else ""
    if not text:
        text = type(error).__name__ if error is not None else "syntax error"
    return f"{text}; unbalanced braces or quotes are the usual cause"


def _field(entry: model.Entry, *names: str) -> str | None:
    lowered = {k.lower(): v for k, v in entry.fields_dict.items()}
    for name in names:
        field = lowered.get(name)
        if field is not None:
            value = norm.clean(_strip_braces(str(field.value)))
            if value:
                return value
    return None


def _strip_braces(value: str) -> str:
    return value.replace("{", "").replace("}", "")


def _split_names(value: str | None) -> list[str]:
    if not value:
        return []
    return norm.authors(re.split(r"\s+and\s+", value, flags=re.IGNORECASE))


def to_citation(entry: model.Entry) -> Citation:
    entry_type = entry.entry_type.lower()
    journal = _field(entry, "journal", "journaltitle")
    if not journal and entry_type in _TYPES_WITH_BOOKTITLE:
        journal = _field(entry, "booktitle")
    doi = norm.doi(_field(entry, "doi")) or norm.doi(_field(entry, "url"))
    keywords = norm.split_list(_field(entry, "keywords", "keyword"))
    return Citation(
        title=_field(entry, "title"),
        abstract=_field(entry, "abstract"),
        authors=_split_names(_field(entry, "author")),
        year=norm.year(_field(entry, "year", "date")),
        journal=journal,
        volume=_field(entry, "volume"),
        issue=_field(entry, "number", "issue"),
        pages=norm.pages(_field(entry, "pages")),
        doi=doi,
        pmid=norm.pmid(_field(entry, "pmid")),
        issn=norm.issn(_field(entry, "issn")),
        keywords=keywords,
        language=_field(entry, "language", "langid"),
        publication_type=entry_type,
        url=_field(entry, "url"),
        raw=entry.raw or "",
        line=entry.start_line + 1,
    )
