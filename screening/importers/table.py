"""Spreadsheets of records: CSV, TSV, XLSX and Web of Science tab-delimited.

Columns are matched to Citation fields by header name. The common headers of
Scopus, Embase, PubMed, Lens, CINAHL, Cochrane, Covidence, Rayyan, Zotero,
RefWorks, OpenAlex, IEEE, Springer and Web of Science (two-letter codes) are
recognised, also when written in camelCase ("PublicationName", as SyRF does);
anything else can be given as ``column_map`` (Citation field ->
header). Lines before the header row (Embase's "SEARCH QUERY" preamble, a
sheet title) are skipped. Rows are read one at a time.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from . import normalise as norm
from .citation import Citation
from .decode import Data, as_file, iter_lines
from .errors import ImportFormatError
from .limits import DEFAULT_LIMITS, Limits, check_columns, check_record_count, check_zip
from .registry import Format, Head, Sniff, Source
from .report import ImportReport, check

# Citation field -> recognised headers, best first (compared after _key()).
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "article title", "ti", "document title", "title primary", "item title",
              "primary title", "display name"),
    "abstract": ("abstract", "ab", "abstract note", "n2"),
    "authors": ("authors", "author", "af", "au", "author names", "author s", "authors primary",
                "first authors", "author full names", "creators",
                "authorships author display name", "authorships raw author name"),
    # Book records of Web of Science may name only the book authors.
    "book_authors": ("bf", "ba", "book authors", "book author full names"),
    "year": ("year", "publication year", "py", "pub year", "published year", "year published"),
    "date": ("publication date", "date published", "date of publication", "date", "pd",
             "pub date free from", "create date"),
    "journal": ("source title", "journal", "journal title", "journal name", "publication title",
                "publication", "journal book", "periodical full", "so", "source", "secondary title",
                "primary location source display name", "publication name"),
    "volume": ("volume", "vl", "journal volume", "biblio volume"),
    "issue": ("issue", "issue number", "number", "is", "journal issue", "biblio issue"),
    # Not "pg": in Web of Science that is the page count ("12"), not the pages.
    "pages": ("pages", "page", "page range"),
    "start_page": ("page start", "start page", "first page", "bp", "biblio first page"),
    "end_page": ("page end", "end page", "last page", "ep", "biblio last page"),
    "doi": ("doi", "di", "item doi", "article doi", "ids doi"),
    "pmid": ("pubmed id", "pmid", "pm", "medline pmid", "ids pmid"),
    "issn": ("issn", "issns", "sn", "issn isbn", "eissn", "ei"),
    "keywords": ("keywords", "author keywords", "kw", "de", "keyword", "manual tags", "index keywords"),
    "language": ("language", "la", "language of original document", "output language"),
    "publication_type": ("document type", "publication type", "dt", "type", "item type",
                         "reference type", "pt", "doctype", "content type", "type of reference"),
    "url": ("url", "link", "ur", "landing page url", "plink", "primary location landing page url",
            "external url", "source urls"),
}
_CITATION_FIELDS = {"title", "abstract", "authors", "year", "journal", "volume", "issue", "pages",
                    "doi", "pmid", "issn", "keywords", "language", "publication_type", "url"}
_HEADER_SCAN_ROWS = 30


def _key(header: object) -> str:
    text = str(header or "").replace("\ufeff", "").strip().lower()
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _camel_key(header: object) -> str:
    """"PublicationName" -> "publication name" (SyRF and other camelCase headers)."""
    return _key(_CAMEL_BOUNDARY.sub(" ", str(header or "")))


def _resolve(headers: list[Any], column_map: dict[str, str] | None, filename: str | None, line: int) -> dict[str, int]:
    """Citation field (and helper columns) -> column index for this header row."""
    keys = [_key(h) for h in headers]
    # Tried only after the plain keys, so that "PubMed ID" still reads as "pubmed id".
    camel_keys = [_camel_key(h) for h in headers]
    found: dict[str, int] = {}
    for field, names in FIELD_COLUMNS.items():
        for name in names:
            if name in keys:
                found[field] = keys.index(name)
                break
        else:
            for name in names:
                if name in camel_keys:
                    found[field] = camel_keys.index(name)
                    break
    for field, header in (column_map or {}).items():
        if field not in _CITATION_FIELDS and field not in FIELD_COLUMNS:
            raise ImportFormatError(
                f"column_map names an unknown field {field!r}; expected one of {sorted(_CITATION_FIELDS)}",
                filename=filename,
            )
        if _key(header) not in keys:
            raise ImportFormatError(
                f"column_map maps {field!r} to the column {header!r}, which is not in this file; "
                f"columns found: {', '.join(str(h) for h in headers if h not in (None, ''))}",
                filename=filename,
                line=line,
            )
        found[field] = keys.index(_key(header))
    return found


def _no_title_error(headers: list[Any], filename: str | None, line: int | None) -> ImportFormatError:
    shown = [str(h) for h in headers if h not in (None, "")][:40]
    return ImportFormatError(
        "no title column found in this table; columns found: "
        + (", ".join(shown) if shown else "(none)")
        + ". Expected a header such as Title, Article Title or TI (and optionally Abstract, Authors, "
        "Year, Journal/Source title, DOI, PMID), or a column_map naming the title column",
        filename=filename,
        line=line,
    )


def _cell(row: list[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    value = row[index]
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "year") and not isinstance(value, (int, float)):
        return value  # a spreadsheet date: norm.year reads it
    return str(value)


def row_to_citation(row: list[Any], columns: dict[str, int], raw: str, line: int,
                    report: ImportReport | None = None) -> Citation:
    def get(field: str) -> Any:
        return _cell(row, columns.get(field))

    year = norm.year(get("year")) or norm.year(get("date"))
    pages = norm.pages(get("pages")) or norm.pages(get("start_page"), get("end_page"))
    doi = norm.doi(get("doi"))
    pmid = norm.pmid(get("pmid"))
    if report is not None:
        check(report, "year", get("year") or get("date"), year, line)
        check(report, "doi", get("doi"), doi, line)
        check(report, "pmid", get("pmid"), pmid, line)
    names = get("authors") or get("book_authors") or ""
    return Citation(
        title=norm.clean(get("title")),
        abstract=norm.first(get("abstract")),
        authors=norm.split_authors(re.sub(r"\s*\(\d+\)", "", str(names))),
        year=year,
        journal=norm.clean(get("journal")),
        volume=norm.clean(get("volume")),
        issue=norm.clean(get("issue")),
        pages=pages,
        doi=doi,
        pmid=pmid,
        issn=norm.issn(get("issn")),
        keywords=norm.split_list(get("keywords")),
        language=norm.clean(get("language")),
        publication_type=norm.clean(get("publication_type")),
        url=(norm.clean(get("url")) or "").split(" ")[0] or None,
        raw=raw,
        line=line,
    )


def _has_title(columns: dict[str, int]) -> bool:
    return "title" in columns


def _delimiter_order(text: str) -> list[str]:
    head = text[:20000]
    counts = {d: head.count(d) for d in ("\t", ";", ",")}
    return sorted(counts, key=lambda d: -counts[d])


def iter_delimited(
    text: str,
    filename: str | None = None,
    delimiter: str | None = None,
    column_map: dict[str, str] | None = None,
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL,
    report: ImportReport | None = None,
) -> Iterator[Citation]:
    """CSV/TSV rows as Citations; the delimiter is guessed when not given."""
    if not text.strip():
        raise ImportFormatError("the table is empty", filename=filename)
    candidates = [delimiter] if delimiter else _delimiter_order(text)
    header_line = 0  # the header row's line, set with the delimiter chosen
    chosen = None
    fallback_headers: list[Any] = []
    for candidate in candidates:
        reader = csv.reader((line for _, line in iter_lines(text)), delimiter=candidate, quoting=quoting)
        try:
            for index, row in enumerate(reader):
                if index >= _HEADER_SCAN_ROWS:
                    break
                if len([c for c in row if c.strip()]) < 1:
                    continue
                if not fallback_headers:
                    fallback_headers = row
                columns = _resolve(row, None, filename, reader.line_num)
                if _has_title(columns) or (column_map and _mapped_here(row, column_map)):
                    header_line = reader.line_num
                    chosen = candidate
                    break
        except csv.Error:
            continue
        if chosen:
            break
    if not chosen:
        raise _no_title_error(fallback_headers, filename, 1)
    yield from _read_rows(text, filename, chosen, header_line, column_map, quoting, report)


def _mapped_here(row: list[Any], column_map: dict[str, str]) -> bool:
    keys = {_key(c) for c in row}
    return _key(column_map.get("title", "")) in keys if "title" in column_map else all(
        _key(h) in keys for h in column_map.values()
    )


def _read_rows(text: str, filename: str | None, delimiter: str, header_line: int,
               column_map: dict[str, str] | None, quoting: Literal[0, 1, 2, 3],
               report: ImportReport | None = None) -> Iterator[Citation]:
    pending: list[str] = []

    def feed() -> Iterable[str]:
        for _, line in iter_lines(text):
            pending.append(line)
            yield line

    reader = csv.reader(feed(), delimiter=delimiter, quoting=quoting)
    columns: dict[str, int] | None = None
    found_any = False
    start = 1
    try:
        for row in reader:
            line = start
            start = reader.line_num + 1
            raw = "\n".join(pending)
            pending.clear()
            if columns is None:
                if reader.line_num < header_line:
                    continue
                columns = _resolve(row, column_map, filename, line)
                if not _has_title(columns):
                    raise _no_title_error(row, filename, line)
                continue
            if not any(c.strip() for c in row) or _is_caption(row, columns):
                continue
            found_any = True
            yield row_to_citation(row, columns, raw, line, report)
    except csv.Error as exc:
        raise ImportFormatError(
            f"the table could not be read ({exc}); expected {_delimiter_name(delimiter)}-separated rows",
            filename=filename,
            line=reader.line_num,
        ) from None
    if not found_any:
        raise ImportFormatError("the table has a header row but no records", filename=filename, line=header_line)


def _is_caption(row: list[Any], columns: dict[str, int]) -> bool:
    # A one-cell line in a many-column table is a section caption (Abstrackr writes
    # "citations that are not yet labeled by anyone"), not a record.
    return len(row) == 1 and max(columns.values(), default=0) > 0


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tab", ";": "semicolon", ",": "comma"}.get(delimiter, repr(delimiter))


def iter_xlsx(data: Data, filename: str | None = None, column_map: dict[str, str] | None = None,
              limits: Limits = DEFAULT_LIMITS, report: ImportReport | None = None) -> Iterator[Citation]:
    """Rows of the first worksheet that has a recognised header row."""
    import openpyxl  # imported here: only spreadsheet uploads need it

    try:
        workbook = openpyxl.load_workbook(as_file(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error on damaged archives
        raise ImportFormatError(
            f"this is not a readable .xlsx workbook ({type(exc).__name__}: {exc}); "
            "expected an Excel 2007+ file",
            filename=filename,
        ) from None
    first_headers: list[Any] = []
    try:
        for sheet in workbook.worksheets:
            # The declared dimensions are not trusted: "A1:XFD1048576" would pad every row to
            # 16,384 cells and add a million empty rows to a tiny file.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True)
            columns = None
            found_any = False
            for number, row in enumerate(rows, start=1):
                check_record_count(number, filename, number, limits)
                check_columns(len(row), filename, number, limits)
                row = list(row)
                if columns is None:
                    if number > _HEADER_SCAN_ROWS:
                        break
                    if not any(c not in (None, "") for c in row):
                        continue
                    if not first_headers:
                        first_headers = row
                    candidate = _resolve(row, None, filename, number)
                    if _has_title(candidate) or (column_map and _mapped_here(row, column_map)):
                        columns = _resolve(row, column_map, filename, number)
                        if not _has_title(columns):
                            raise _no_title_error(row, filename, number)
                    continue
                if not any(c not in (None, "") for c in row):
                    continue
                found_any = True
                raw = "\t".join("" if c is None else str(c) for c in row)
                yield row_to_citation(row, columns, raw, number, report)
            if columns is not None:
                if not found_any:
                    raise ImportFormatError(
                        f"the sheet {sheet.title!r} has a header row but no records", filename=filename
                    )
                return
    finally:
        workbook.close()
    raise _no_title_error(first_headers, filename, 1)


_TABLE_EXTENSIONS = (".csv", ".tsv", ".tab", ".txt")


def table_kind(head: Head) -> str | None:
    """"tsv", "csv" or None: by the extension and the delimiters of the first line."""
    first_line, ext = head.first_line, head.ext
    tabs, commas, semis = first_line.count("\t"), first_line.count(","), first_line.count(";")
    if ext in _TABLE_EXTENSIONS:
        if ext in (".tsv", ".tab") or tabs >= max(1, commas, semis):
            return "tsv" if tabs else ("csv" if ext != ".tsv" else "tsv")
        if commas or semis or ext == ".csv":
            return "csv"
        return None
    # Without a table extension, only a plausible header row counts: several short cells.
    for delimiter, name in (("\t", "tsv"), (",", "csv"), (";", "csv")):
        cells = first_line.split(delimiter)
        if len(cells) >= 3 and all(len(c) <= 60 for c in cells):
            return name
    return None


def _read_csv(source: Source) -> Iterator[Citation]:
    return iter_delimited(source.text(), source.filename, None, source.column_map, report=source.report)


def _read_tsv(source: Source) -> Iterator[Citation]:
    return iter_delimited(source.text(), source.filename, "\t", source.column_map, report=source.report)


def _read_wos_tab(source: Source) -> Iterator[Citation]:
    # WoS tab-delimited never quotes fields, and its abstracts contain quote marks.
    return iter_delimited(source.text(), source.filename, "\t", source.column_map, quoting=csv.QUOTE_NONE,
                          report=source.report)


def _read_xlsx(source: Source) -> Iterator[Citation]:
    check_zip(source.data, source.filename, source.limits)  # before openpyxl inflates anything
    return iter_xlsx(source.data, source.filename, source.column_map, source.limits, report=source.report)


CSV = Format("csv", "CSV (comma or semicolon separated)", (".csv",), "CSV", _read_csv,
             sniffs=(Sniff(121, lambda head: table_kind(head) == "csv"),))
TSV = Format("tsv", "TSV (tab separated)", (".tsv", ".tab", ".txt"), "TSV", _read_tsv,
             sniffs=(Sniff(120, lambda head: table_kind(head) == "tsv"),))
WOS_TAB = Format("wos_tab", "Web of Science tab-delimited", (".txt", ".tsv", ".tab"), "Web of Science tab-delimited",
                 _read_wos_tab, sniffs=(Sniff(30, lambda head: head.first_line.startswith(("PT\t", "FN\t"))),))
XLSX = Format("xlsx", "Excel workbook (.xlsx)", (".xlsx",), "Excel workbook (XLSX)", _read_xlsx,
              sniffs=(Sniff(10, lambda head: any(n.startswith("xl/") for n in head.names or ()), on="zip"),))
