"""BibTeX (.bib): bibtexparser 2.x splits the entries, this module reads the values.

bibtexparser reads a whole file at once; .bib exports from databases are small
(thousands of entries at most), so iter_parse does not split them further.
Only its splitter is used (no middleware): the values are read here, because

- a field repeated in one entry (Scopus repeats ``funding_details``) makes
  bibtexparser set the entry aside as failed, and it must still be imported:
  the first value is kept and the repetition goes to the import report;
- ``#`` concatenation and ``@string`` macros (and the month macros) are
  resolved here, including in entries bibtexparser set aside;
- LaTeX is decoded only in the fields a Citation shows, and only when the
  value has a backslash, tilde or dollar sign: decoding every field of every
  entry through pylatexenc was over 90 % of the parse.

Entries with a key used twice (common in merged exports, and JabRef writes
empty keys) are kept: a repeated key is not a reason to drop a record. Names
in braces ("{World Health Organization and Partners}") are one corporate
author, never split at their "and".
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

import bibtexparser
from bibtexparser import model

from . import normalise as norm
from .citation import Citation
from .errors import ImportFormatError
from .registry import Format, Sniff, Source
from .report import ImportReport, check

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

_TYPES_WITH_BOOKTITLE = {"inproceedings", "incollection", "inbook", "conference"}
_MONTHS = {m[:3].lower(): m for m in ("January", "February", "March", "April", "May", "June", "July", "August",
                                      "September", "October", "November", "December")}
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def iter_citations(text: str, filename: str | None = None, report: ImportReport | None = None) -> Iterator[Citation]:
    # bibtexparser logs every failed block itself; we report them as errors instead.
    logger = logging.getLogger("bibtexparser")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text, parse_stack=[])
    except Exception as exc:  # the library raises assorted errors on malformed input
        raise ImportFormatError(f"could not read BibTeX ({exc})", filename=filename) from None
    finally:
        logger.setLevel(previous)
    macros = dict(_MONTHS)
    for string in library.strings:
        macros[string.key.lower()] = _evaluate(str(string.value), macros)
    entries: list[model.Entry] = list(library.entries)
    for block in library.failed_blocks:
        if isinstance(block, (model.DuplicateBlockKeyBlock, model.DuplicateFieldKeyBlock)) and isinstance(
            block.ignore_error_block, model.Entry
        ):
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
    entries.sort(key=lambda e: e.start_line or 0)
    for entry in entries:
        yield to_citation(entry, macros, report)


def _reason(block: model.Block) -> str:
    error = getattr(block, "error", None)
    text = str(error).strip() if error is not None else ""
    if not text:
        text = type(error).__name__ if error is not None else "syntax error"
    return f"{text}; unbalanced braces or quotes are the usual cause"


_SPECIALS = re.compile(r'[{}"#]')


def _split_top_level(value: str, separator: str = "#") -> list[str]:
    """Split at ``separator`` outside braces and quotes (visiting only the special characters)."""
    pieces, depth, quoted, start = [], 0, False, 0
    for match in _SPECIALS.finditer(value):
        ch = match.group()
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == separator and depth == 0 and not quoted:
            pieces.append(value[start:match.start()])
            start = match.end()
    pieces.append(value[start:])
    return pieces


def _evaluate(raw: str, macros: dict[str, str]) -> str:
    """A field's raw value as text: enclosing braces/quotes removed, macros and ``#`` resolved."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and "#" not in raw:
        return raw[1:-1]  # the usual case, settled without a scan
    pieces = _split_top_level(raw, "#") if "#" in raw else [raw]
    out = []
    for piece in pieces:
        piece = piece.strip()
        if len(piece) >= 2 and ((piece[0] == "{" and piece[-1] == "}") or (piece[0] == '"' and piece[-1] == '"')):
            out.append(piece[1:-1])
        elif piece.isdigit():
            out.append(piece)
        else:
            out.append(macros.get(piece.lower(), piece))
    return "".join(out)


@lru_cache(maxsize=1)
def _decoder() -> LatexNodes2Text:
    # pylatexenc comes with bibtexparser; loaded on the first value that needs it.
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    context = get_default_latex_context_db()
    context.add_context_category("reviewapp", prepend=True, macros=[MacroTextSpec("url", simplify_repl="%s")])
    return LatexNodes2Text(latex_context=context, math_mode="verbatim")


# The LaTeX pieces of a value: a brace group opening with a macro ("{\\"o}"), a named macro
# with its brace arguments ("\\emph{x}"), or a symbol macro with its letter ("\\'e", "\\&").
_LATEX_PIECE = re.compile(
    r"\{\\[^{}]*\}"
    r"|\\[A-Za-z]+\*?(?:\s*\{[^{}]*\})*"
    r"|\\[^A-Za-z](?:\{[^{}]*\}|[A-Za-z])?"
)


@lru_cache(maxsize=4096)
def _decode_piece(piece: str) -> str:
    try:
        return str(_decoder().latex_to_text(piece))
    except Exception:  # noqa: BLE001 - undecodable LaTeX is shown as written, less its braces
        return piece


def _decode_latex(value: str) -> str:
    """Replace each LaTeX piece by its text, jumping from backslash to backslash.

    Matching only where a backslash stands (or at the brace just before it) spares
    scanning long abstracts character by character for a rare piece.
    """
    out: list[str] = []
    pos = 0
    while (slash := value.find("\\", pos)) >= 0:
        start = slash - 1 if slash > pos and value[slash - 1] == "{" else slash
        match = _LATEX_PIECE.match(value, start) or (_LATEX_PIECE.match(value, slash) if start != slash else None)
        if match is None:
            out.append(value[pos:slash + 1])
            pos = slash + 1
            continue
        out.append(value[pos:match.start()])
        out.append(_decode_piece(match.group(0)))
        pos = match.end()
    out.append(value[pos:])
    return "".join(out)


# TeX's ligatures for dashes and quotes, as pylatexenc rendered them.
_LIGATURES = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"))


def _text(value: str, ligatures: bool = True) -> str | None:
    """LaTeX to plain text; the fast path (no backslash or tilde) only drops braces.

    Only the LaTeX pieces go through pylatexenc, each once (cached): decoding whole
    abstracts token by token cost some 12 ms each, and the pieces repeat ("\\&", "{\\"o}").
    Math ($...$) is kept as written, as before.
    """
    if "~" in value:
        value = value.replace("\\~", "\x00").replace("~", " ").replace("\x00", "\\~")
    if ligatures and ("--" in value or "``" in value or "''" in value):
        for tex, char in _LIGATURES:
            value = value.replace(tex, char)
    if "\\" in value:
        if "$" in value:  # math stays as written: decode only what lies outside $...$
            parts = value.split("$")
            parts[0::2] = [_decode_latex(part) for part in parts[0::2]]
            value = "$".join(parts)
        else:
            value = _decode_latex(value)
    return norm.clean(value.replace("{", "").replace("}", ""))


class _Fields:
    """An entry's raw values by lower-cased name, the first of repeated fields kept."""

    def __init__(self, entry: model.Entry, macros: dict[str, str], report: ImportReport | None):
        self.macros = macros
        self.raw: dict[str, str] = {}
        repeated: dict[str, int] = {}
        for field in entry.fields:
            key = field.key.lower()
            value = str(field.value)
            if key in self.raw:
                repeated[key] = repeated.get(key, 1) + 1
                if not self.raw[key].strip("{}\" "):  # an empty first value gives way to a later one
                    self.raw[key] = value
            else:
                self.raw[key] = value
        if report is not None:
            for key, times in repeated.items():
                report.note(key, "field repeated in one entry; the first non-empty value was kept",
                            f"{entry.key}: {times} times", (entry.start_line or 0) + 1)

    def value(self, *names: str) -> str | None:
        """Evaluated text (LaTeX still in) of the first named field that is not empty."""
        for name in names:
            raw = self.raw.get(name)
            if raw is not None:
                value = _evaluate(raw, self.macros)
                if value.strip():
                    return value
        return None

    def text(self, *names: str, ligatures: bool = True) -> str | None:
        for name in names:
            value = self.value(name)
            if value is not None:
                shown = _text(value, ligatures)
                if shown:
                    return shown
        return None


def split_names(value: str | None) -> list[str]:
    """Authors split at "and" outside braces; a name wholly in braces is corporate and kept as written."""
    if not value:
        return []
    pieces = _AND.split(value) if "{" not in value else _split_and_top_level(value)
    names = []
    for piece in pieces:
        piece = piece.strip()
        if piece.startswith("{") and piece.endswith("}") and _encloses(piece):
            corporate = _text(piece[1:-1])
            if corporate:
                names.append(corporate)
            continue
        name = norm.author(_text(piece))
        if name:
            names.append(name)
    return names


def _split_and_top_level(value: str) -> list[str]:
    pieces, start = [], 0
    for match in _AND.finditer(value):
        prefix = value[:match.start()]
        if prefix.count("{") == prefix.count("}"):
            pieces.append(value[start:match.start()])
            start = match.end()
    pieces.append(value[start:])
    return pieces


def _encloses(piece: str) -> bool:
    """True when the first brace closes at the very end ("{A and B}", not "{A} and {B}")."""
    depth = 0
    for i, ch in enumerate(piece):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i == len(piece) - 1
    return False


def _locator(entry: model.Entry, names: tuple[str, ...]) -> Callable[[str], int | None]:
    """Finds the line of the first of the named fields in the entry (for the import report)."""
    def locate(_value: str) -> int | None:
        raw = entry.raw or ""
        for name in names:
            match = re.search(rf"(?<![\w-]){name}\s*=", raw, re.IGNORECASE)
            if match:
                return (entry.start_line or 0) + 1 + raw.count("\n", 0, match.start())
        return None
    return locate


def to_citation(entry: model.Entry, macros: dict[str, str] | None = None,
                report: ImportReport | None = None) -> Citation:
    fields = _Fields(entry, macros if macros is not None else dict(_MONTHS), report)
    entry_type = entry.entry_type.lower()
    journal = fields.text("journal", "journaltitle")
    if not journal and entry_type in _TYPES_WITH_BOOKTITLE:
        journal = fields.text("booktitle")
    doi_text = fields.text("doi", ligatures=False)
    url = fields.text("url", ligatures=False)
    doi = norm.doi(doi_text) or norm.doi(url)
    year_text = fields.text("year", "date")
    year = norm.year(year_text)
    pmid_text = fields.text("pmid")
    pmid = norm.pmid(pmid_text)
    line = (entry.start_line or 0) + 1
    if report is not None:
        check(report, "year", year_text, year, line, _locator(entry, ("year", "date")))
        check(report, "doi", doi_text, doi, line, _locator(entry, ("doi",)))
        check(report, "pmid", pmid_text, pmid, line, _locator(entry, ("pmid",)))
    return Citation(
        title=fields.text("title"),
        abstract=fields.text("abstract"),
        authors=split_names(fields.value("author")),
        year=year,
        journal=journal,
        volume=fields.text("volume"),
        issue=fields.text("number", "issue"),
        pages=norm.pages(fields.text("pages")),
        doi=doi,
        pmid=pmid,
        issn=norm.issn(fields.text("issn")),
        keywords=norm.split_list(fields.text("keywords", "keyword")),
        language=fields.text("language", "langid"),
        publication_type=entry_type,
        url=url,
        raw=entry.raw or "",
        line=line,
    )


_ENTRY = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE)


def read(source: Source) -> Iterator[Citation]:
    return iter_citations(source.text(), source.filename, source.report)


FORMAT = Format("bibtex", "BibTeX", (".bib", ".bibtex"), "BibTeX", read, sniffs=(
    Sniff(80, lambda head: bool(_ENTRY.search(head.text))),
    # No entry in the first 64 KiB (a long preamble), but the file says what it is.
    Sniff(110, lambda head: head.ext in (".bib", ".bibtex")),
))
