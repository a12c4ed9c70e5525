"""Extraction exports go through the shared writer: formulas are neutralised, numbers stay numbers."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd

from extraction.exports import write_table


def test_a_formula_typed_into_a_field_is_not_run_by_the_spreadsheet():
    frame = pd.DataFrame({"study": ["=HYPERLINK(\"http://evil\",\"x\")", "Smith 2010"], "n": [12, None],
                          "effect": [-0.5, 0.25]})
    text = write_table(frame, "csv").decode()
    assert "'=HYPERLINK" in text and ",-0.5" in text and "Smith 2010,,0.25" in text
    sheet = openpyxl.load_workbook(io.BytesIO(write_table(frame, "xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0].startswith("'=") and rows[1][2] == -0.5 and rows[2][1] is None
