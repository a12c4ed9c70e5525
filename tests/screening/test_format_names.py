"""Formats are shown by the names people know, never by the importer's keys (issue 33)."""
from __future__ import annotations

import pytest
from django.urls import reverse

from screening.importers import FORMATS, format_name

from .helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db


def test_every_format_has_a_name_for_people():
    assert format_name("medline") == "PubMed/MEDLINE"
    assert format_name("endnote_xml") == "EndNote XML"
    assert format_name("bibtex") == "BibTeX"
    for key, known in FORMATS.items():
        assert known.name and "_" not in known.name and known.name != key


def test_the_import_report_the_search_page_and_the_api_name_the_format(client_for, review, people):
    lead = people["lead"]
    search = make_search(review, lead)
    search_file = import_bytes(search, lead, ris(record(1)), "scopus.ris")
    medline = import_bytes(search, lead, b"PMID- 123\nTI  - A title\nDP  - 2019\n", "pubmed.nbib")
    assert medline.format == "medline"
    client = client_for(people["viewer"])
    report = client.get(reverse("search_file_report", args=[review.pk, medline.pk])).content.decode()
    assert "<dt>Format read</dt><dd>PubMed/MEDLINE</dd>" in report
    detail = client.get(reverse("search_detail", args=[review.pk, search.pk])).content.decode()
    assert '<td data-label="Format">PubMed/MEDLINE</td>' in detail
    assert '<td data-label="Format">RIS</td>' in detail and ">medline<" not in detail
    assert search_file.format_name == "RIS"


def test_the_archive_page_describes_the_file_instead_of_pointing_at_source_code(client_for, review, people):
    page = client_for(people["lead"]).get(reverse("review_archive", args=[review.pk])).content.decode()
    assert "FORMAT.md" not in page and "reviewapp/" not in page
    assert "What is inside the file" in page and "manifest.json" in page
