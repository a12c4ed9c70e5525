"""The import report lists what was read but not understood, per field, with counts and examples."""
from __future__ import annotations

import pytest
from django.urls import reverse

from screening.models import Record, SearchFile
from tests.support import shared_data

from .helpers import import_bytes, make_search

pytestmark = pytest.mark.django_db

FAULTY = (b"TY  - JOUR\nTI  - Fine record\nPY  - 2019\nER  - \n\n"
          b"TY  - JOUR\nTI  - Year not understood\nPY  - 10 15\nDO  - see the publisher\nER  - \n")


def test_unread_values_are_stored_on_the_file_and_the_records_still_imported(review, people):
    search = make_search(review, people["lead"])
    search_file = import_bytes(search, people["lead"], FAULTY, "faulty.ris")
    assert search_file.status == SearchFile.Status.DONE, search_file.error
    assert search_file.records_imported == 2
    assert Record.objects.get(title="Year not understood").year is None
    rows = {row["field"]: row for row in search_file.warnings}
    assert rows["year"]["count"] == 1
    assert rows["year"]["examples"] == [{"value": "10 15", "line": 8}]
    assert rows["doi"]["examples"][0]["value"] == "see the publisher"


def test_asreview_faulty_year_file_reports_its_year(review, people):
    path = shared_data("imports", "asreview_demo_data", "faulty_year.ris")
    search = make_search(review, people["lead"])
    search_file = import_bytes(search, people["lead"], path.read_bytes(), path.name)
    assert search_file.status == SearchFile.Status.DONE, search_file.error
    assert [(row["field"], row["count"], row["examples"][0]) for row in search_file.warnings] == [
        ("year", 1, {"value": "10 15", "line": 3})]


def test_a_clean_file_has_no_warnings_and_a_failed_one_keeps_none(review, people):
    search = make_search(review, people["lead"])
    clean = import_bytes(search, people["lead"], b"TY  - JOUR\nTI  - Clean\nPY  - 2019\nER  - \n", "clean.ris")
    assert clean.status == SearchFile.Status.DONE and clean.warnings == []
    broken = import_bytes(search, people["lead"], FAULTY + b"TY  - JOUR\nTI  - cut off\n", "broken.ris")
    assert broken.status == SearchFile.Status.FAILED
    assert broken.warnings == []
    assert Record.objects.filter(search_file=broken).count() == 0


def test_the_import_report_page_shows_the_table(client_for, review, people):
    search = make_search(review, people["lead"])
    search_file = import_bytes(search, people["lead"], FAULTY, "faulty.ris")
    url = reverse("search_file_report", args=[review.pk, search_file.pk])
    page = client_for(people["viewer"]).get(url).content.decode()
    assert "Read but not understood" in page
    assert "<th scope=\"col\">Field</th><th scope=\"col\">Count</th><th scope=\"col\">Examples</th>" in page
    assert "line 8: <code>10 15</code>" in page


def test_the_report_page_of_a_clean_import_has_no_table(client_for, review, people):
    search = make_search(review, people["lead"])
    search_file = import_bytes(search, people["lead"], b"TY  - JOUR\nTI  - Clean\nPY  - 2019\nER  - \n", "c.ris")
    page = client_for(people["lead"]).get(reverse("search_file_report", args=[review.pk, search_file.pk]))
    assert "Read but not understood" not in page.content.decode()


def test_import_search_command_prints_what_it_did_not_understand(review, people, tmp_path, capsys):
    from django.core.management import call_command

    search = make_search(review, people["lead"])
    path = tmp_path / "faulty.ris"
    path.write_bytes(FAULTY)
    call_command("import_search", review.pk, str(path), "--search", search.pk)
    out = capsys.readouterr().out
    assert "2 records imported" in out
    assert "year: 1 x value present but not understood" in out and "line 8: '10 15'" in out
