"""Format rules and real-world deviations, on small synthetic inputs."""
from __future__ import annotations

import codecs
import io

import pytest

from screening.importers import FORMATS, detect_format, iter_parse, parse
from screening.importers import normalise as norm


def test_ris_tolerates_text_between_records_lf_and_er_without_space():
    data = (
        b"Record #1 of 2\nProvider: Ovid\n\n1.\nTY  - JOUR\nTI  - One\nER  -\n\n"
        b"2.\nTY  - JOUR\nTI  - Two\nER  -"
    )
    assert [c.title for c in parse(data, "x.ris")] == ["One", "Two"]


def test_ris_content_line_starting_with_er_is_continuation():
    data = b"TY  - JOUR\nTI  - A\nAB  - first line,\nER then second line\nER  - \n"
    (c,) = parse(data, "x.ris")
    assert c.abstract == "first line,\nER then second line"


def test_ris_repeated_single_tags_keep_first_and_join_titles():
    data = b"TY  - JOUR\nTY  - BOOK\nT1  - Part one\nT1  - part two\nPY  - 2001\nPY  - 1999\nER  - \n"
    (c,) = parse(data, "x.ris")
    assert (c.publication_type, c.title, c.year) == ("JOUR", "Part one part two", 2001)


def test_ris_missing_er_before_next_record_after_a_gap():
    data = b"TY  - JOUR\nTI  - One\n\nTY  - JOUR\nTI  - Two\nER  - \n"
    assert [c.title for c in parse(data, "x.ris")] == ["One", "Two"]


def test_ris_crlf_and_pages_and_doi_url():
    data = b"TY  - JOUR\r\nTI  - A\r\nSP  - 123\r\nEP  - 30\r\nDO  - https://doi.org/10.1000/ABC.1\r\nER  - \r\n"
    (c,) = parse(data, "x.ris")
    assert (c.pages, c.doi) == ("123-30", "10.1000/abc.1")


def test_medline_continuation_fau_lid_is_dp_pt_mh():
    data = (
        b"PMID- 123456\nOWN - NLM\nIS  - 1234-5678 (Electronic)\nIS  - 0000-1111 (Print)\n"
        b"DP  - 2019 Mar 5\nTI  - A long title that\n      wraps.\nAB  - Abstract.\n"
        b"FAU - Smith, John A\nAU  - Smith JA\nAD  - Somewhere.\nFAU - Doe, Jane\nAU  - Doe J\n"
        b"PT  - Journal Article\nPT  - Review\nMH  - Humans\nMH  - *Neoplasms/therapy\nOT  - cancer\n"
        b"LID - 10.1000/XYZ [doi]\nLID - S0001 [pii]\nJT  - Journal of Things\nPG  - 12-9\n\n"
        b"PMID- 654321\nTI  - Second\nAID - 10.2000/b [doi]\n"
    )
    first, second = parse(data, "pubmed.nbib")
    assert first.title == "A long title that wraps."
    assert first.authors == ["Smith, John A", "Doe, Jane"]
    assert (first.year, first.issn, first.doi, first.pmid) == (2019, "0000-1111", "10.1000/xyz", "123456")
    assert first.publication_type == "Journal Article; Review"
    assert first.keywords == ["cancer", "Humans", "*Neoplasms/therapy"]
    assert (first.journal, first.pages) == ("Journal of Things", "12-9")
    assert (second.doi, second.line) == ("10.2000/b", 24)


def test_wos_tab_delimited_utf16_with_bom():
    header = "PT\tAU\tAF\tTI\tSO\tDE\tAB\tPY\tVL\tIS\tBP\tEP\tDI\tPM\tUT\n"
    row = 'J\tSmith, J\tSmith, John\tA "quoted" title\tNATURE\tx; y\tAbs\t2020\t5\t2\t10\t19\t10.1000/Q\t99\tWOS:1\n'
    data = codecs.BOM_UTF16_LE + (header + row).encode("utf-16-le")
    assert detect_format(data, "savedrecs.txt") == "wos_tab"
    (c,) = parse(data, "savedrecs.txt")
    assert (c.title, c.authors, c.journal, c.year) == ('A "quoted" title', ["Smith, John"], "NATURE", 2020)
    assert (c.pages, c.doi, c.pmid, c.keywords) == ("10-19", "10.1000/q", "99", ["x", "y"])


def test_latin1_and_windows1252_fallback():
    data = "TY  - JOUR\nTI  - Caf\u00e9 \u2013 na\u00efve\nER  - \n".encode("cp1252")
    assert parse(data, "x.ris")[0].title == "Caf\u00e9 \u2013 na\u00efve"


def test_utf8_bom_and_utf16_be():
    text = "TY  - JOUR\nTI  - \u00c5ngstr\u00f6m\nER  - \n"
    assert parse(codecs.BOM_UTF8 + text.encode(), "x.ris")[0].title == "\u00c5ngstr\u00f6m"
    assert parse(codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "x.ris")[0].title == "\u00c5ngstr\u00f6m"


def test_column_map_for_unrecognised_headers():
    data = b"Paper name;Writers;When\nA study;Smith, J;2001\n"
    (c,) = parse(data, "x.csv", column_map={"title": "Paper name", "authors": "Writers", "year": "When"})
    assert (c.title, c.authors, c.year) == ("A study", ["Smith, J"], 2001)


def test_xlsx_round_trip():
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Article Title", "Authors", "Publication Year", "DOI"])
    sheet.append(["T1", "Smith AB; Jones C", 2018.0, "doi:10.5000/X"])
    buffer = io.BytesIO()
    book.save(buffer)
    (c,) = parse(buffer.getvalue(), "x.xlsx")
    assert (c.title, c.authors, c.year, c.doi) == ("T1", ["Smith, AB", "Jones, C"], 2018, "10.5000/x")


def test_iter_parse_streams_record_by_record():
    records = "".join(f"TY  - JOUR\nTI  - T{i}\nER  - \n" for i in range(5000)) + "TY  - JOUR\nTI  - cut"
    stream = iter_parse(records.encode(), "big.ris")
    first = [next(stream) for _ in range(3)]
    assert [c.title for c in first] == ["T0", "T1", "T2"]


def test_formats_registry_lists_labels_and_extensions():
    assert FORMATS["ris"].extensions[0] == ".ris"
    assert all(f.label and f.extensions for f in FORMATS.values())


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://doi.org/10.1000/ABC", "10.1000/abc"),
        ("doi:10.1000/abc.", "10.1000/abc"),
        ("http://dx.doi.org/10.1002/cpp.2398", "10.1002/cpp.2398"),
        ("10.1007%2Fs00068-018-0918-7", "10.1007/s00068-018-0918-7"),
        ("not a doi", None),
    ],
)
def test_doi_normaliser(value, expected):
    assert norm.doi(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("2012///", 2012), ("Start date: 20170812", 2017), ("2019 Mar 5", 2019), ("10 15", None), (2018.0, 2018)],
)
def test_year_normaliser(value, expected):
    assert norm.year(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("Smith JA", "Smith, JA"), ("Smith, John", "Smith, John"), ("John van der Berg", "van der Berg, John"),
     ("Brownstein C D", "Brownstein C, D"), ("WHO Collaborating Group", "WHO Collaborating Group")],
)
def test_author_normaliser(value, expected):
    assert norm.author(value) == expected


def test_pages_issn_pmid_normalisers():
    assert norm.pages("123\u2013130") == "123-130"
    assert norm.pages("123 -- 30") == "123-30"
    assert norm.issn("09374477") == "0937-4477"
    assert norm.issn("978-3-16-148410-0") is None
    assert norm.pmid("23690738[pmid]") == "23690738"
    assert norm.pmid("rayyan-123") is None
