"""The characteristics of included studies table: built from the consensus with the lead's choice of
columns (page and API), refused layouts change nothing, and the CSV, XLSX and Word files carry the
same cells."""
from __future__ import annotations

import io

import pytest
from django.urls import reverse

from extraction import characteristics
from extraction.models import CharacteristicsLayout, Extraction
from reviewapp.models import AuditEvent
from screening.models import Study
from tests.extraction.test_summaries import ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def table_review(review, builtin):
    version = builtin.current_version
    for label, answers in ANSWERS.items():
        study = Study.objects.create(review=review, label=label)
        Extraction.objects.create(review=review, template=builtin, study=study, version=version,
                                  status=Extraction.Status.DONE,
                                  consensus={**answers, "arms": [
                                      {"name": "MTB", "role": "Intervention", "n_randomised": 40},
                                      {"name": "TAU", "role": "Comparator"}]})
    return review


def _page(client, review):
    return reverse("extraction_characteristics", args=[review.pk])


def test_the_default_columns_place_the_builtin_fields(client_for, people, table_review):
    html = client_for(people["viewer"]).get(_page(client_for, table_review)).content.decode()
    assert "Design:</strong> Randomised controlled trial" in html
    assert "Arms:</strong> MTB, Intervention, 40; TAU, Comparator<" in html  # an empty value leaves no gap
    assert "Number of caregivers:</strong> not reported" in html  # Cole 2010 gave none
    assert "&lt;b&gt;Dix&lt;/b&gt; 2012" in html and "<b>Dix</b>" not in html
    assert "not appraised" in html


def test_the_lead_chooses_the_columns_and_the_table_follows(client_for, people, table_review):
    client = client_for(people["lead"])
    response = client.post(_page(client, table_review), {"place-design": "notes", "place-country": "methods"})
    assert response.status_code == 302
    layout = CharacteristicsLayout.objects.get(review=table_review)
    assert layout.columns["notes"] == ["design"] and layout.columns["methods"] == ["country"]
    assert AuditEvent.objects.filter(review=table_review, object_type__icontains="characteristicslayout").exists()
    body = client.get(reverse("api_extraction_characteristics", args=[table_review.pk])).json()
    ames = next(r for r in body["rows"] if r["study"]["label"] == "Ames 2001")
    assert ames["cells"]["methods"] == [{"label": "Country", "value": "United States"}]
    assert ames["cells"]["participants"] == [] and body["default"] is False


def test_a_layout_naming_what_the_form_lacks_is_refused_and_changes_nothing(client_for, people, table_review):
    client = client_for(people["lead"])
    url = reverse("api_extraction_characteristics", args=[table_review.pk])
    response = client.put(url, {"columns": {"methods": ["shoe_size"]}}, content_type="application/json")
    assert response.status_code == 400 and "shoe_size" in response.json()["detail"]
    response = client.put(url, {"columns": {"methods": ["design"], "notes": ["design"]}},
                          content_type="application/json")
    assert response.status_code == 400 and "two columns" in response.json()["detail"]
    response = client.post(_page(client, table_review), {"place-design": "results"})
    assert response.status_code == 400 and "results" in response.content.decode()
    assert not CharacteristicsLayout.objects.filter(review=table_review).exists()
    assert client_for(people["viewer"]).post(_page(client, table_review), {"place-design": "notes"}).status_code == 403


def test_the_files_carry_the_table(client_for, people, table_review):
    from docx import Document
    from openpyxl import load_workbook

    client = client_for(people["viewer"])
    url = lambda fmt: reverse("extraction_characteristics_download", args=[table_review.pk, fmt])  # noqa: E731
    csv = client.get(url("csv")).content.decode()
    assert csv.splitlines()[0] == ",".join(characteristics.header())
    assert "Ames 2001" in csv and "Design: Randomised controlled trial" in csv
    sheet = load_workbook(io.BytesIO(client.get(url("xlsx")).content)).active
    assert [c.value for c in sheet[1]] == characteristics.header() and sheet.max_row == 1 + len(ANSWERS)
    document = Document(io.BytesIO(client.get(url("docx")).content))
    grid = document.tables[0]
    assert len(grid.rows) == 1 + len(ANSWERS)
    assert [c.text for c in grid.rows[0].cells] == characteristics.header()
    assert {grid.rows[i].cells[0].text for i in range(1, len(grid.rows))} == set(ANSWERS)
    assert client.get(url("pdf")).status_code == 404


def test_the_risk_of_bias_summary_names_each_judgement():
    assert characteristics.risk_of_bias_text({"": "serious"}) == "overall: serious"
    assert characteristics.risk_of_bias_text({"Parental depression": "low", "Infant attachment": "high"}) == (
        "Infant attachment: high; Parental depression: low")
    assert characteristics.risk_of_bias_text({}) == "not appraised"
