"""The characteristics of included studies table as files: CSV and XLSX through the app's one
writer (reviewapp.tabular, which neutralises cells a spreadsheet would run) and Word (python-docx,
which writes every value as text)."""
from __future__ import annotations

import io

from reviewapp import tabular

from . import characteristics

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
TITLE = "Characteristics of included studies"


def table_cells(table) -> list[list[str]]:
    return [characteristics.header(), *([row.label, *row.texts()] for row in table.rows)]


def docx_bytes(table, *, review_title: str) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(TITLE, level=1)
    document.add_paragraph(review_title)
    header = characteristics.header()
    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        cells[0].text = row.label
        for cell, column in zip(cells[1:], characteristics.COLUMNS, strict=False):
            cell.text = ""
            paragraph = cell.paragraphs[0]
            for i, (label, value) in enumerate(row.cells[column]):
                if i:
                    paragraph = cell.add_paragraph()
                paragraph.add_run(f"{label}: ").bold = True
                paragraph.add_run(value)
        cells[-1].text = row.risk_of_bias
    for grid_row in grid.rows:
        for cell in grid_row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def file_bytes(table, fmt: str, *, review_title: str) -> bytes:
    if fmt == "csv":
        return tabular.csv_text(table_cells(table)).encode("utf-8")
    if fmt == "xlsx":
        return tabular.xlsx_bytes({"characteristics": table_cells(table)})
    if fmt == "docx":
        return docx_bytes(table, review_title=review_title)
    raise ValueError(f"unknown format {fmt!r}")
