"""The review's report as a Word document (python-docx writes every value as text): the same
sections, sentences, tables and figures as the page; figures as PNG (CairoSVG), or their caption
and where to find them when this machine cannot draw PNG."""
from __future__ import annotations

import io

from reviewapp.figures import FigureConversionUnavailable, svg_to_png

from . import builder

DEMO_NOTE = "Demo review: every record, decision and number in it is synthetic."


def _notices(document, report: builder.Report, changed: list[str]) -> None:
    lines = []
    if report.stale_outcomes:
        lines.append("Out of date: the pooled results of " + builder.listing(report.stale_outcomes)
                     + " come from runs made before the data changed; run those analyses again.")
    if report.missing_outcomes:
        lines.append("Not pooled yet: " + builder.listing(report.missing_outcomes) + ".")
    if changed:
        lines.append("Changed since the lead's paragraphs were saved: " + builder.listing(changed) + ".")
    for line in lines:
        document.add_paragraph().add_run(line).bold = True


def _table(document, block: builder.Table) -> None:
    from docx.shared import Pt

    document.add_paragraph(block.caption).runs[0].italic = True
    grid = document.add_table(rows=1, cols=len(block.header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, block.header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in block.rows:
        for cell, text in zip(grid.add_row().cells, row, strict=False):
            cell.text = text
    for grid_row in grid.rows:
        for cell in grid_row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)


def _figure(document, block: builder.Figure) -> None:
    from docx.shared import Inches

    try:
        png = svg_to_png(block.svg)
    except FigureConversionUnavailable:
        document.add_paragraph(f"[{block.caption}: shown on the report page; this server cannot draw PNG.]")
        return
    document.add_picture(io.BytesIO(png), width=Inches(6.2))
    document.add_paragraph(block.caption).runs[0].italic = True


def docx_bytes(report: builder.Report, *, title: str, changed: list[str], demo: bool = False,
               generated: str = "") -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(title, level=0)
    if generated:
        document.add_paragraph(f"Generated on {generated} from the review's data at that moment; the report page "
                               "links every number to its source.")
    if demo:
        document.add_paragraph(DEMO_NOTE)
    _notices(document, report, changed)
    for section in report.sections:
        document.add_heading(section.title, level=section.level)
        for block in section.blocks:
            if block.kind == "paragraph":
                document.add_paragraph(block.text)
            elif block.kind == "table":
                _table(document, block)
            else:
                _figure(document, block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
