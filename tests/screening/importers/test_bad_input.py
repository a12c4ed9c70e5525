"""Bad uploads: each is refused with an ImportFormatError that says why."""
from __future__ import annotations

import pytest

from screening.importers import ImportFormatError, parse

RIS_TWO = (
    "TY  - JOUR\nTI  - First\nAU  - Smith, J\nPY  - 2001\nER  - \n\n"
    "TY  - JOUR\nTI  - Second\nAU  - Jones, K\nPY  - 2002\nER  - \n"
)


def _refused(data: bytes, filename: str | None = "upload.ris", **kwargs) -> str:
    with pytest.raises(ImportFormatError) as caught:
        parse(data, filename, **kwargs)
    return str(caught.value)


def test_empty_file():
    assert "the file is empty" in _refused(b"")
    assert "the file is empty" in _refused(b"  \r\n\n ")


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
        (b'{"title": "a", "doi": "10.1/x"}', "JSON file"),
        (b"\x00\x01\x02\x03\xff\xfe\xfd" * 50, "binary"),
        (b"<html><body>Search results</body></html>", "web page"),
        (b"<?xml version='1.0'?><catalog><book/></catalog>", "root element <catalog>"),
    ],
)
def test_other_kinds_of_file(data, fragment):
    assert fragment in _refused(data, "upload.bin")


def test_ris_cut_mid_record_is_reported_as_truncated_at_the_record_start():
    cut = RIS_TWO[: RIS_TWO.index("AU  - Jones")].encode()
    message = _refused(cut)
    assert "upload.ris, line 7" in message and "truncated" in message and "ER  - " in message


def test_xml_cut_mid_record():
    xml = b"<?xml version='1.0'?><xml><records><record><titles><title>A</title></titles></record><record><titles>"
    message = _refused(xml, "export.xml")
    assert "export.xml" in message and "not well-formed" in message


def test_wos_without_closing_er():
    data = b"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Smith, J\nTI A title\n"
    assert "has no closing 'ER'" in _refused(data, "savedrecs.txt")


def test_files_without_records():
    assert "no RIS records" in _refused(b"Provider: X\nDatabase: Y\n\nnothing else\n", "x.ris", format="ris")
    assert "no <record> elements" in _refused(b"<xml><records></records></xml>", "x.xml")
    assert "no BibTeX entries" in _refused(b"% just a comment\n", "x.bib")
    assert "header row but no records" in _refused(b"Title,Abstract\n", "x.csv")


def test_table_without_title_column_lists_its_headers():
    message = _refused(b"Name,Colour,Size\nfoo,red,3\n", "things.csv")
    assert "no title column" in message and "Name, Colour, Size" in message
    assert "Title, Article Title or TI" in message


def test_unknown_format_name():
    assert "unknown format 'endnote8'" in _refused(RIS_TWO.encode(), format="endnote8")


def test_wrong_explicit_format():
    assert "no PubMed/MEDLINE records" in _refused(b"hello\nworld\n", "x.txt", format="medline")


def test_damaged_xlsx():
    data = b"PK\x03\x04" + b"\x00" * 100
    assert "damaged or incomplete" in _refused(data, "sheet.xlsx")


def test_bibtex_with_unbalanced_braces_names_the_entry_line():
    data = b"@article{a, title={Fine}}\n\n@article{b, title={Broken}, author={X\n"
    message = _refused(data, "refs.bib")
    assert "refs.bib, line 3" in message
