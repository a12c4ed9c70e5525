"""The records list and API read a page by its ids (#30): every page shows the rows of the filtered,
sorted list in order, the counts stay right, and the plain list does not count the records twice."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviewapp import paging
from screening import selectors

from .helpers import import_bytes, make_search, record, ris


@pytest.fixture(autouse=True)
def every_page_deep(monkeypatch):
    monkeypatch.setattr(paging, "SHALLOW", 0)  # 130 records: read every page as a deep one


@pytest.fixture
def many(review, people):
    lead = people["lead"]
    import_bytes(make_search(review, lead, "Scopus"), lead,
                 ris(*(record(n, title=f"Trial {(n * 37) % 131:03d} of infants") for n in range(130))), "s.ris")
    # 20 found again by a second search: merged as duplicates of the first ones.
    import_bytes(make_search(review, lead, "EMBASE"), lead,
                 ris(*(record(n, title=f"Trial {(n * 37) % 131:03d} of infants") for n in range(20))), "e.ris")


@pytest.mark.parametrize("query", [{}, {"sort": "-title"}, {"duplicates": "show", "sort": "year"},
                                   {"year_from": 2003, "year_to": 2012, "sort": "title"}])
def test_every_page_of_the_records_list_holds_the_rows_of_the_list_in_order(client_for, review, people, many,
                                                                             query):
    client = client_for(people["lead"])
    url = reverse("record_list", args=[review.pk])
    first = client.get(url, query).context["page"]
    wanted = [r.pk for r in selectors.records_list(review=review, **query)]
    shown = []
    for number in first.paginator.page_range:
        page = client.get(url, {**query, "page": number}).context["page"]
        shown += [r.pk for r in page.object_list]
    assert shown == wanted
    assert first.paginator.count == len(wanted)


def test_the_plain_records_list_takes_its_count_from_the_review_counts(client_for, review, people, many):
    client = client_for(people["lead"])
    url = reverse("record_list", args=[review.pk])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).context["page"]
    counts = [q["sql"] for q in queries.captured_queries
              if "COUNT(" in q["sql"].upper() and '"screening_record"' in q["sql"]]
    assert page.paginator.count == 130 and page.paginator.num_pages == 3
    assert len(counts) == 1  # the review's counts (imported and unique) and nothing else


def test_a_deep_offset_of_the_records_api_gives_the_rows_of_the_list(client_for, review, people, many):
    client = client_for(people["lead"])  # the API takes the session too
    url = f"/api/v1/reviews/{review.pk}/records/"
    everything = client.get(url, {"limit": 1000, "sort": "-title"}).json()
    deep = client.get(url, {"limit": 20, "offset": 100, "sort": "-title"}).json()
    assert everything["count"] == deep["count"] == 130
    assert [r["id"] for r in deep["results"]] == [r["id"] for r in everything["results"]][100:120]
    assert client.get(url, {"offset": 500}).json()["results"] == []


@pytest.mark.parametrize("typed", ["10.1000/pip.7", "https://doi.org/10.1000/PIP.7", "doi:10.1000/pip.7"])
def test_a_doi_typed_in_the_search_finds_its_record(client_for, review, people, many, typed):
    page = client_for(people["lead"]).get(reverse("record_list", args=[review.pk]), {"q": typed}).context["page"]
    assert [r.doi for r in page.object_list] == ["10.1000/pip.7"]


def test_the_records_api_without_filters_takes_its_count_from_the_review_counts(client_for, review, people, many):
    client = client_for(people["lead"])
    url = f"/api/v1/reviews/{review.pk}/records/"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"limit": 5}).json()["count"] == 130
    counts = [q["sql"] for q in queries.captured_queries
              if "COUNT(" in q["sql"].upper() and '"screening_record"' in q["sql"]]
    assert len(counts) == 1  # the review's counts, not a second count of the list
    assert client.get(url, {"duplicates": "show"}).json()["count"] == 150
    assert client.get(url, {"duplicates": "only"}).json()["count"] == 20
    assert client.get(url, {"year_from": 2003, "year_to": 2003}).json()["count"] == len(
        [r for r in client.get(url, {"limit": 1000}).json()["results"] if r["year"] == 2003])
