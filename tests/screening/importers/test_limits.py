"""What one upload may make the importer read (issue 17): decompression bombs, endless sheets,
giant fields and NUL bytes are refused with the limit that was hit."""
from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest

from screening.importers import ImportFormatError, Limits, parse
from screening.importers.limits import MB

PLACEHOLDER = "PLACEHOLDER-TITLE"


def _xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewritten(data: bytes, change) -> bytes:
    """The workbook with each member's text passed through ``change`` (deflated again)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info.filename)))
    return out.getvalue()


def _one_cell_bomb(megabytes: int) -> bytes:
    """A valid workbook whose one record's title is ``megabytes`` MB of "A": tiny once zipped."""
    base = _xlsx([["Title", "Year"], [PLACEHOLDER, 2020]])
    return _rewritten(base, lambda name, body: body.replace(PLACEHOLDER.encode(), b"A" * (megabytes * MB)))


def test_the_one_cell_bomb_is_refused_before_it_is_inflated():
    bomb = _one_cell_bomb(24)
    assert len(bomb) < 100_000
    started = time.monotonic()
    with pytest.raises(ImportFormatError) as caught:
        parse(bomb, "bomb.xlsx", limits=Limits.for_upload_mb(2))
    assert time.monotonic() - started < 1
    message = str(caught.value)
    assert "bomb.xlsx" in message and "unpacks to 24 MB" in message and "limit for one part is 4 MB" in message


def test_a_member_compressed_beyond_any_real_sheet_is_refused_even_under_the_size_limit():
    with pytest.raises(ImportFormatError, match=r"compressed [\d,]+ to 1 \(the limit is 100 to 1\)"):
        parse(_one_cell_bomb(24), "bomb.xlsx", limits=Limits.for_upload_mb(200))


def test_the_same_workbook_at_a_normal_size_imports():
    [citation] = parse(_xlsx([["Title", "Year"], ["A real title", 2020]]), "ok.xlsx",
                       limits=Limits.for_upload_mb(2))
    assert citation.title == "A real title" and citation.year == 2020


def test_a_sheet_with_more_rows_than_allowed_is_refused():
    data = _xlsx([["Title", "Year"], *([f"Trial {n}", 2000] for n in range(300))])
    with pytest.raises(ImportFormatError, match=r"more than 200 records \(or rows\)") as caught:
        parse(data, "rows.xlsx", limits=Limits(max_records=200))
    assert caught.value.line == 201


def test_declared_dimensions_do_not_pad_a_tiny_sheet():
    """A sheet claiming A1:XFD1048576 would make every row 16,384 cells wide."""
    base = _xlsx([["Title", "Year"], ["Only record", 2020]])
    forged = _rewritten(base, lambda name, body: body.replace(b'<dimension ref="A1:B2"/>',
                                                              b'<dimension ref="A1:XFD1048576"/>'))
    assert forged != base
    started = time.monotonic()
    [citation] = parse(forged, "wide.xlsx")
    assert citation.title == "Only record" and time.monotonic() - started < 2


def test_a_too_wide_row_is_refused():
    data = _xlsx([["Title", *(f"c{n}" for n in range(60))], ["x"] * 61])
    with pytest.raises(ImportFormatError, match="61 columns; a table of records may have at most 50"):
        parse(data, "wide.xlsx", limits=Limits(max_columns=50))


def test_records_beyond_the_cap_are_refused_in_text_formats_too():
    rows = "Title,Year\n" + "".join(f"Trial {n},2001\n" for n in range(50))
    with pytest.raises(ImportFormatError, match="more than 10 records"):
        parse(rows.encode(), "many.csv", limits=Limits(max_records=10))


def test_an_over_long_field_is_refused_with_its_line():
    text = "Title,Year\nShort,2001\n" + "T" * 5000 + ",2002\n"
    with pytest.raises(ImportFormatError, match="title is 5,000 characters long; a field may hold at most 1,000") as c:
        parse(text.encode(), "long.csv", limits=Limits(max_field_chars=1000))
    assert c.value.line == 3


def _ris_with_nul_after(padding_records: int) -> tuple[bytes, int]:
    records = [f"TY  - JOUR\nTI  - Padding record number {n} " + "x" * 200 + "\nER  - \n"
               for n in range(padding_records)]
    text = "".join(records)
    line = text.count("\n") + 1
    return (text + "TY  - JOUR\nTI  - Poisoned\x00title\nER  - \n").encode(), line


def test_a_nul_byte_after_the_first_64_kb_is_refused_with_the_line():
    data, line = _ris_with_nul_after(400)
    assert data.index(b"\x00") > 65536
    with pytest.raises(ImportFormatError, match="title contains a NUL character") as caught:
        parse(data, "nul.ris")
    assert caught.value.line == line


def test_a_nul_byte_in_a_csv_cell_is_refused():
    text = "Title,Year\n" + "".join(f"Trial number {n} of many,2001\n" for n in range(3000))
    data = (text + "Bad\x00cell,2002\n").encode()
    assert data.index(b"\x00") > 65536
    with pytest.raises(ImportFormatError, match="NUL character") as caught:
        parse(data, "nul.csv")
    assert caught.value.line == 3002
