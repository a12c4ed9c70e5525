"""Exports: RIS written back verbatim (or generated), CSV with sources; re-importing an export gives
the same records."""
from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from screening.importers import parse
from screening.models import Record
from tests.support import shared_data

from .helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db
FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid")


def _download(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def _fields(obj) -> tuple:
    return tuple(tuple(getattr(obj, f) or []) if f == "authors" else (getattr(obj, f) or None) for f in FIELDS)


@pytest.mark.parametrize("filename", ["_baseline_scopus.ris", "_baseline_pubmed.ris"])
def test_ris_export_reimports_to_the_same_records(client_for, review, people, filename):
    path = shared_data("imports", "citation-file-formatting", "Datasets", "RIS", filename)
    search = make_search(review, people["lead"])
    import_bytes(search, people["lead"], path.read_bytes(), path.name)
    response = client_for(people["viewer"]).get(reverse("record_export_ris", args=[review.pk]) + "?stage=all")
    assert response.status_code == 200 and response.streaming
    exported = parse(_download(response).encode(), "export.ris", format="ris")
    stored = list(Record.objects.filter(review=review).order_by("id"))
    assert [_fields(c) for c in exported] == [_fields(r) for r in stored]


def test_ris_from_a_ris_file_is_written_verbatim(client_for, review, people):
    data = ris(record(1)).replace(b"ER  - ", b"N1  - a note only the original has\nER  - ")
    search = make_search(review, people["lead"])
    import_bytes(search, people["lead"], data, "a.ris")
    text = _download(client_for(people["lead"]).get(reverse("record_export_ris", args=[review.pk])))
    assert "N1  - a note only the original has" in text


def test_unique_stage_leaves_out_merged_duplicates_and_csv_lists_sources(client_for, review, people):
    lead = people["lead"]
    import_bytes(make_search(review, lead, "Scopus"), lead, ris(record(1), record(2)), "s.ris")
    import_bytes(make_search(review, lead, "EMBASE"), lead, ris(record(2), record(3)), "e.ris")
    client = client_for(lead)
    all_rows = list(csv.DictReader(io.StringIO(_download(
        client.get(reverse("record_export_csv", args=[review.pk]) + "?stage=all")).lstrip("\ufeff"))))
    unique_rows = list(csv.DictReader(io.StringIO(_download(
        client.get(reverse("record_export_csv", args=[review.pk]) + "?stage=unique")).lstrip("\ufeff"))))
    assert len(all_rows) == 4 and len(unique_rows) == 3
    two = next(r for r in unique_rows if "number 2 " in r["title"])
    assert two["sources"] == "EMBASE; Scopus"
    assert two["doi"] == "10.1000/pip.2"


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_download(response).lstrip("\ufeff"))))


def test_export_links_carry_the_filters_of_the_records_page_and_the_export_applies_them(client_for, review, people):
    import html
    import re

    lead = people["lead"]
    scopus = make_search(review, lead, "Scopus")
    import_bytes(scopus, lead, ris(record(1), record(2), record(3, year=1995)), "s.ris")
    import_bytes(make_search(review, lead, "EMBASE"), lead, ris(record(2), record(4)), "e.ris")
    client = client_for(people["viewer"])
    # Records found by Scopus from 2001 on: 1 and 2 (2 also found by EMBASE), not 3 (1995) nor 4 (EMBASE).
    query = f"search={scopus.pk}&year_from=2001"
    page = client.get(reverse("record_list", args=[review.pk]) + "?" + query).content.decode()
    links = [html.unescape(h) for h in re.findall(r'href="([^"]*records\.csv[^"]*)"', page)]
    assert links and all(f"search={scopus.pk}" in link and "year_from=2001" in link for link in links)
    for link in links:
        if "stage=all" not in link and "stage=unique" not in link:
            continue  # the screening stages: nothing screened here yet
        response = client.get(link)
        titles = sorted(r["title"].split("number ")[1].split()[0] for r in _csv_rows(response))
        assert titles == ["1", "2"]
        assert "filtered" in response["Content-Disposition"]
    # The RIS export of the same filters has the same two records.
    ris_text = _download(client.get(reverse("record_export_ris", args=[review.pk]) + "?stage=unique&" + query))
    assert ris_text.count("\nER  -") + ris_text.startswith("ER  -") == 2


def test_without_filters_the_records_page_exports_everything(client_for, review, people):
    lead = people["lead"]
    import_bytes(make_search(review, lead, "Scopus"), lead, ris(record(1), record(2)), "s.ris")
    page = client_for(lead).get(reverse("record_list", args=[review.pk])).content.decode()
    assert "?stage=all\"" in page and "?stage=unique\"" in page
    assert len(_csv_rows(client_for(lead).get(reverse("record_export_csv", args=[review.pk]) + "?stage=all"))) == 2
