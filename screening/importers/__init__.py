"""Read bibliographic search exports into Citation records.

    parse(data, filename=None, format=None) -> list[Citation]
    parse_with_report(data, filename=None, format=None) -> (list[Citation], ImportReport)
    iter_parse(data, filename=None, format=None, report=None) -> Iterator[Citation]
    detect_format(data, filename=None) -> format name
    FORMATS: key -> Format(key, label, extensions, name, read, sniffs) (formats.py, registry.py);
    format_name(key) -> what people call it

Pure Python (no Django). Every failure on bad input is an ImportFormatError
naming the file, the line where known, and what was expected.

Streaming: iter_parse yields record by record. RIS, MEDLINE, Web of Science,
EndNote tagged, Ovid direct export, RefWorks tagged and CSV/TSV are split line
by line by our own code; EndNote XML
and PubMed XML stream through lxml.iterparse (each record freed once read);
XLSX streams through openpyxl's read-only mode. Only BibTeX is read whole
(bibtexparser has no incremental API), and CSV/TSV decode the whole text first.
Given an open file instead of bytes, the streamed formats read it from disk
as they go, so memory does not grow with the file. An error found part-way raises after
the records before it were yielded, so callers storing in batches should do so
inside one transaction.

Values a parser found but could not use (a year "10 15", a field repeated in a
BibTeX entry) do not stop the import: they are noted, per field with a count
and a few examples, on the ImportReport passed as ``report`` (parse_with_report
makes one and returns it beside the citations).
"""
from __future__ import annotations

from collections.abc import Iterator

from .citation import Citation
from .decode import Data, decode  # noqa: F401  (the function, not the module of that name: tests and callers use it)
from .detect import detect_format
from .errors import ImportFormatError
from .formats import EXPECTED, FORMATS, format_name
from .limits import DEFAULT_LIMITS, Limits, check_citation, check_record_count
from .registry import Format, Source
from .report import ImportReport

__all__ = ["Citation", "FORMATS", "Format", "ImportFormatError", "ImportReport", "Limits", "detect_format",
           "format_name", "iter_parse", "parse", "parse_with_report"]

def iter_parse(
    data: Data,
    filename: str | None = None,
    format: str | None = None,
    column_map: dict[str, str] | None = None,
    report: ImportReport | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Citation]:
    """Yield the Citations of an export one at a time (see the module docstring).

    ``data`` is the export's bytes, or a seekable binary file open on it: the stored upload
    is then read from disk as it is parsed, so a large file is never held in memory whole
    (except by the formats read whole: BibTeX, CSV and TSV).

    ``limits`` bounds what the file may make us read (limits.py); every record is checked
    against it, and ZIP containers before they are opened.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if format is None:
        try:
            format = detect_format(data, filename)
        except ImportFormatError:
            raise
        except MemoryError:
            raise
        except Exception as exc:  # same promise as _guarded: one exception type for callers
            raise ImportFormatError(
                f"could not recognise the format ({type(exc).__name__}: {exc}); {EXPECTED}", filename=filename
            ) from exc
    elif format not in FORMATS:
        raise ImportFormatError(f"unknown format {format!r}; {EXPECTED} ({', '.join(FORMATS)})", filename=filename)
    return _guarded(_records(data, filename, format, column_map, report, limits), filename, format, limits)


def parse(
    data: Data,
    filename: str | None = None,
    format: str | None = None,
    column_map: dict[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[Citation]:
    """All Citations of an export; ImportFormatError on bad input."""
    return list(iter_parse(data, filename=filename, format=format, column_map=column_map, limits=limits))


def parse_with_report(
    data: Data,
    filename: str | None = None,
    format: str | None = None,
    column_map: dict[str, str] | None = None,
) -> tuple[list[Citation], ImportReport]:
    """All Citations and the report of values read but not understood; ImportFormatError on bad input."""
    report = ImportReport()
    citations = list(iter_parse(data, filename=filename, format=format, column_map=column_map, report=report))
    return citations, report


def _records(data: Data, filename: str | None, format: str, column_map: dict[str, str] | None,
             report: ImportReport | None, limits: Limits) -> Iterator[Citation]:
    yield from FORMATS[format].read(Source(data, filename, column_map, report, limits))


def _guarded(records: Iterator[Citation], filename: str | None, format: str, limits: Limits) -> Iterator[Citation]:
    """Re-raise anything unexpected as ImportFormatError: callers handle one exception."""
    count = 0
    try:
        for citation in records:
            count += 1
            check_record_count(count, filename, citation.line, limits)
            check_citation(citation, filename, limits)
            yield citation
    except ImportFormatError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # a parser bug must still reach the user as a readable refusal
        raise ImportFormatError(
            f"could not be read as {FORMATS[format].label} ({type(exc).__name__}: {exc}) "
            f"after {count} records",
            filename=filename,
        ) from exc
    if count == 0:
        raise ImportFormatError(f"no records found in this {FORMATS[format].label} file", filename=filename)
