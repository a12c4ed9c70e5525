"""Issue 33's real files that still tripped the importers, each on a small file written for
the test (``samples/``): a short GBK BibTeX, an older Scopus CSV, Ovid files that are not
a tagged export, and an ASReview CSV with Python list literals."""
from __future__ import annotations

from pathlib import Path

import pytest

from screening.importers import ImportFormatError, decode, detect_format, parse

SAMPLES = Path(__file__).parent / "samples"


def _read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_a_short_gbk_bibtex_file_reads_as_chinese():
    data = _read("gbk_short.bib")
    # The detector alone is not sure of so little text; the file must still not turn into mojibake.
    citations = parse(data, "gbk_short.bib")
    assert [c.authors for c in citations] == [["李明"], ["周杰", "王五"]]
    assert citations[0].journal == "测试期刊"
    assert citations[1].title == "农村儿童营养状况的横断面调查"


def test_western_single_byte_text_is_not_mistaken_for_chinese():
    text = "TY  - JOUR\nTI  - Qualité de vie «Été» à Zürich\nAU  - Müller, Jürgen\nER  - \n"
    assert decode(text.encode("cp1252")) == text


def test_an_older_scopus_author_list_splits_into_its_authors():
    first, second, third = parse(_read("scopus_older.csv"), "scopus_older.csv")
    assert first.authors == ["Pan, Y.", "Yu, C.", "Zhang, X.", "Li, H.", "Wang, J.", "Chen, L."]
    assert second.authors == ["Lefèvre, É.", "Pan, Y.", "Yu, C.-W."]
    assert third.authors == ["Smith, J."]


@pytest.mark.parametrize("cell, expected", [
    ("Pan, Y, Yu, C, Zhang, XY", ["Pan, Y", "Yu, C", "Zhang, XY"]),
    ("Pan, Y., Yu, C., et al.", ["Pan, Y.", "Yu, C."]),
    ("Smith, John", ["Smith, John"]),
])
def test_scopus_author_cells_without_dots_or_cut_short(cell, expected):
    data = f'Authors,Title,Year\n"{cell}",A title,2015\n'.encode()
    (citation,) = parse(data, "scopus.csv")
    assert citation.authors == expected


def test_asreview_list_literals_become_authors_and_keywords():
    first, second = parse(_read("asreview_list_authors.csv"), "asreview.csv")
    assert first.authors == ["Marx, Karl", "Lindgren, Astrid"]
    assert first.keywords == ["economics", "childhood"]
    assert second.authors == ["Lindgren, Astrid"] and second.keywords == []


def test_a_cell_that_only_looks_like_a_list_is_not_evaluated_as_code():
    data = b'title,authors\nA title,"[__import__(\'os\').getcwd()]"\n'
    (citation,) = parse(data, "x.csv")
    # Kept as the text it is: literal_eval refuses calls instead of running them.
    assert citation.authors == ["[__import__('os').getcwd()]"]


@pytest.mark.parametrize("name", ["ovid_export.xml", "ovid_display_dotted.txt"])
def test_ovid_files_that_are_not_an_export_name_ovid_and_how_to_export(name):
    with pytest.raises(ImportFormatError) as caught:
        detect_format(_read(name), name)
    message = str(caught.value)
    assert "Ovid" in message and "Export" in message and "RIS" in message
