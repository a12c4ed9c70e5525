"""How much one upload may make the importer read, and what text it may carry.

An upload's size is capped before it reaches us (MAX_UPLOAD_MB), but a compressed
upload is not: a 1 MB .xlsx can unpack to a 1 GB sheet (a "zip bomb"), and a small
sheet can declare a million rows. These checks run before and while reading, and
refuse with an ImportFormatError that names the limit that was hit:

- every member of a ZIP container (XLSX), and all of them together, may unpack to
  at most ``max_unpacked_bytes``, and no large member may be compressed more than
  ``max_ratio`` to one (real sheets compress 5-20:1, bombs 1000:1). The sizes come
  from the archive's directory and are checked before anything is inflated; Python's
  zipfile never inflates a member beyond its declared size (it stops there and fails
  the checksum), so a lying directory gains nothing;
- one text field of a record may hold at most ``max_field_chars`` characters;
- one file may hold at most ``max_records`` records (for sheets: rows);
- no text may contain a NUL character: PostgreSQL cannot store it in text, and no
  bibliographic export has a reason to carry one.

Django-free like the rest of the package: the import service derives the limits from
its settings with ``Limits.for_upload_mb``.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .decode import Data, as_file
from .errors import ImportFormatError

if TYPE_CHECKING:
    from .citation import Citation

MB = 1024 * 1024
# A sheet's XML is wordier than the same rows as CSV (tags around every cell), so an
# XLSX may unpack to twice the largest upload accepted as plain text.
UNPACK_FACTOR = 2
# Ratios are only judged for members big enough to matter.
RATIO_FLOOR_BYTES = 10 * MB


@dataclass(frozen=True)
class Limits:
    max_unpacked_bytes: int = UNPACK_FACTOR * 200 * MB
    max_ratio: int = 100
    # Far above any real abstract or author list (the longest in our test data is ~40,000
    # characters), far below what exhausts memory.
    max_field_chars: int = 1_000_000
    # Databases cap their exports well below this (Scopus 20,000, Web of Science 100,000).
    max_records: int = 1_000_000
    # Spreadsheet columns; real exports have under 200.
    max_columns: int = 2_000

    @classmethod
    def for_upload_mb(cls, max_upload_mb: int, **overrides: int) -> Limits:
        return cls(max_unpacked_bytes=UNPACK_FACTOR * max_upload_mb * MB, **overrides)


DEFAULT_LIMITS = Limits()


def check_zip(data: Data, filename: str | None, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a ZIP container whose members would unpack beyond the limits."""
    try:
        members = zipfile.ZipFile(as_file(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise ImportFormatError(f"this ZIP/XLSX archive is damaged or incomplete ({exc})", filename=filename) from None
    limit_mb = limits.max_unpacked_bytes / MB
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > limits.max_unpacked_bytes:
            raise ImportFormatError(
                f"the part {member.filename!r} of this archive unpacks to {member.file_size / MB:,.0f} MB; "
                f"the limit for one part is {limit_mb:,.0f} MB. Save the sheet as CSV, or split it",
                filename=filename)
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            raise ImportFormatError(
                f"the part {member.filename!r} of this archive is compressed "
                f"{member.file_size // max(member.compress_size, 1):,} to 1 (the limit is {limits.max_ratio} to 1); "
                "a spreadsheet of records never is, so this file is refused as a decompression bomb",
                filename=filename)
    if total > limits.max_unpacked_bytes:
        raise ImportFormatError(
            f"this archive unpacks to {total / MB:,.0f} MB in all; the limit is {limit_mb:,.0f} MB. "
            "Save the sheet as CSV, or split it", filename=filename)


def check_record_count(count: int, filename: str | None, line: int | None, limits: Limits = DEFAULT_LIMITS) -> None:
    if count > limits.max_records:
        raise ImportFormatError(
            f"the file holds more than {limits.max_records:,} records (or rows), the most one file may hold; "
            "split it into several files of the same search", filename=filename, line=line)


def check_columns(width: int, filename: str | None, line: int | None, limits: Limits = DEFAULT_LIMITS) -> None:
    if width > limits.max_columns:
        raise ImportFormatError(
            f"this row has {width:,} columns; a table of records may have at most {limits.max_columns:,}",
            filename=filename, line=line)


_FIELD_NAMES = {"raw": "text", "publication_type": "publication type"}


def check_citation(citation: Citation, filename: str | None, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a record with a NUL character or an over-long field (the record's first line is named)."""
    for name, value in citation.__dict__.items():
        if isinstance(value, list):
            texts = value
        elif isinstance(value, str):
            texts = [value]
        else:
            continue
        size = 0
        for text in texts:
            if "\x00" in text:
                raise ImportFormatError(
                    f"the record's {_FIELD_NAMES.get(name, name)} contains a NUL character (byte 0), which no "
                    "text export carries; the file is damaged or not a text export",
                    filename=filename, line=citation.line)
            size += len(text)
        if size > limits.max_field_chars:
            raise ImportFormatError(
                f"the record's {_FIELD_NAMES.get(name, name)} is {size:,} characters long; a field may hold at most "
                f"{limits.max_field_chars:,}", filename=filename, line=citation.line)
