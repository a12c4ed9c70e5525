"""A living review's update: a search run again; only records never seen enter screening."""
from __future__ import annotations

import datetime

import pytest

from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from screening import prisma, services
from screening.models import Record, ScreeningItem, Search
from screening.reruns import query_difference, run_counts, search_runs

from .helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db


def _first_and_update(review, lead):
    first = make_search(review, lead, "MEDLINE", platform="Ovid", limits="2000-2021")
    import_bytes(first, lead, ris(*(record(n) for n in range(40))), "first.ris")
    update = services.search_rerun(actor=lead, search=first, date_run=datetime.date(2022, 3, 1),
                                   query="parent* AND (infant* OR baby)")
    # The second export overlaps the first by half: records 20-39 again, 40-59 never seen.
    search_file = import_bytes(update, lead, ris(*(record(n) for n in range(20, 60))), "update.ris")
    return first, update, search_file


def test_a_second_export_overlapping_the_first_by_half_screens_only_the_new_half(review, people):
    first, update, search_file = _first_and_update(review, people["lead"])
    assert update.repeats == first
    assert (update.database, update.platform, update.limits) == ("MEDLINE", "Ovid", "2000-2021")
    assert search_file.records_imported == 40 and search_file.duplicates_merged == 20
    queued = ScreeningItem.objects.filter(review=review, stage="ta")
    assert queued.count() == 60
    new_titles = set(queued.filter(record__search=update).values_list("record__title", flat=True))
    assert new_titles == {record(n)["title"] for n in range(40, 60)}
    counts = run_counts(update)
    assert (counts.imported, counts.new, counts.found_again) == (40, 20, 20)
    # Provenance: a record found again knows both searches that found it.
    kept = Record.objects.get(review=review, search=first, title=record(25)["title"])
    assert set(kept.duplicates.values_list("search", flat=True)) == {update.pk}


def test_every_run_is_listed_and_the_query_difference_is_shown(review, people):
    first, update, _ = _first_and_update(review, people["lead"])
    assert search_runs(first) == search_runs(update) == [first, update]
    assert query_difference(first.query, update.query) == [
        ("-", "parent* AND infant*"), ("+", "parent* AND (infant* OR baby)")]
    assert query_difference(first.query, first.query + "\n") == []
    rows = prisma.search_appendix(review=review)
    assert [r.search for r in rows] == [first, update]
    text = prisma.appendix_markdown(review=review, rows=rows)
    assert "run again of the search of 2021-09-30" in text


def test_a_run_is_audited_and_cannot_predate_the_run_it_repeats(review, people):
    first = make_search(review, people["lead"])
    with pytest.raises(ApplicationError, match="before the run it repeats"):
        services.search_rerun(actor=people["lead"], search=first, date_run=datetime.date(2020, 1, 1))
    update = services.search_rerun(actor=people["lead"], search=first, date_run=datetime.date(2022, 1, 1))
    assert update.query == first.query
    assert Search.objects.count() == 2
    events = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(update.pk))
    assert [e.after["repeats_id"] for e in events if "repeats_id" in (e.after or {})] == [first.pk]


def test_the_page_records_a_new_run_and_the_search_shows_its_runs_and_query_change(review, people, client_for):
    from django.urls import reverse

    first = make_search(review, people["lead"], "MEDLINE")
    import_bytes(first, people["lead"], ris(*(record(n) for n in range(10))), "first.ris")
    client = client_for(people["lead"])
    page = client.get(reverse("search_detail", args=[review.pk, first.pk]))
    assert reverse("search_rerun", args=[review.pk, first.pk]) in page.content.decode()
    form = client.get(reverse("search_rerun", args=[review.pk, first.pk]))
    assert "parent* AND infant*" in form.content.decode()  # the query repeated, ready to change
    response = client.post(reverse("search_rerun", args=[review.pk, first.pk]),
                           {"date_run": "2022-06-01", "query": "parent* AND <b>baby</b>", "limits": "", "notes": ""})
    update = Search.objects.get(repeats=first)
    assert response.status_code == 302 and response["Location"].endswith(f"/searches/{update.pk}/")
    import_bytes(update, people["lead"], ris(*(record(n) for n in range(5, 15))), "update.ris")
    html = client.get(reverse("search_detail", args=[review.pk, update.pk])).content.decode()
    assert "Every run of this search" in html and "&lt;b&gt;baby&lt;/b&gt;" in html and "<b>baby" not in html
    assert "- parent* AND infant*" in html
    # Found again: 5 (records 5-9); new: 5 (10-14).
    assert '<td class="num" data-label="Found again">5</td>' in html
    # A reviewer may not record a run.
    refused = client_for(people["reviewer"]).post(reverse("search_rerun", args=[review.pk, first.pk]),
                                                 {"date_run": "2022-06-01", "query": "x"})
    assert refused.status_code == 403 and Search.objects.count() == 2


def test_the_api_twin_records_a_run_and_lists_every_run_with_what_it_found(review, people, client):
    from django.urls import reverse

    from reviewapp import services as review_services

    first = make_search(review, people["lead"], "MEDLINE")
    import_bytes(first, people["lead"], ris(*(record(n) for n in range(10))), "first.ris")
    _, key = review_services.api_token_create(user=people["lead"], name="t", scope="read-write")
    url = reverse("api_search_runs", args=[review.pk, first.pk])
    made = client.post(url, {"date_run": "2022-06-01"}, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Token {key}")
    assert made.status_code == 201, made.content
    assert made.json()["repeats"] == first.pk and made.json()["query"] == first.query
    unknown = client.post(url, {"date_run": "2022-07-01", "database": "Embase"}, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Token {key}")
    assert unknown.status_code == 400 and Search.objects.count() == 2
    update = Search.objects.get(pk=made.json()["id"])
    import_bytes(update, people["lead"], ris(*(record(n) for n in range(5, 15))), "update.ris")
    runs = client.get(url, HTTP_AUTHORIZATION=f"Token {key}").json()
    assert [(r["id"], r["records_new"], r["records_found_again"]) for r in runs] == [
        (first.pk, 10, 0), (update.pk, 5, 5)]
    assert runs[1]["query_difference"] == []
