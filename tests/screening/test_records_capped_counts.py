"""A filter that matches many records is counted up to a cap, and a list in id order goes on by id
(#30): the pages and the API still give every row of the list in order, and say honestly when the
count stopped at the cap."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from reviewapp import paging
from screening import selectors

from .helpers import import_bytes, make_search, record, ris


@pytest.fixture
def many(review, people):
    lead = people["lead"]
    import_bytes(make_search(review, lead, "Scopus"), lead,
                 ris(*(record(n, title=f"Trial {(n * 37) % 131:03d} of infants") for n in range(130))), "s.ris")


@pytest.fixture
def capped(monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 20)


def _walk(client, url: str, query: dict) -> tuple[list[int], list]:
    """Every row of the list, page after page by the pages' own "next" links; and the pages."""
    pages, shown = [], []
    page = client.get(url, query).context["page"]
    while True:
        pages.append(page)
        shown += [r.pk for r in page.object_list]
        if page.next_query is None:
            return shown, pages
        assert len(pages) < 20
        page = client.get(url, {**query, **dict(parse_qsl(page.next_query))}).context["page"]


@pytest.mark.parametrize("query", [{"q": "infants"}, {"q": "infants", "sort": "-title"},
                                   {"year_from": 2000, "year_to": 2030}])
def test_a_filter_matching_more_than_the_cap_says_so_and_pages_through_every_row(
        client_for, review, people, many, capped, query):
    client = client_for(people["lead"])
    url = reverse("record_list", args=[review.pk])
    response = client.get(url, query)
    assert not response.context["page"].paginator.exact
    assert "More than 20 records match" in response.content.decode()
    shown, pages = _walk(client, url, query)
    assert shown == [r.pk for r in selectors.records_list(review=review, **query)]
    assert len(pages) == 3


def test_a_filter_matching_fewer_than_the_cap_is_counted_exactly(client_for, review, people, many, capped):
    page = client_for(people["lead"]).get(reverse("record_list", args=[review.pk]), {"q": "Trial 005"}).context["page"]
    assert page.paginator.exact and page.paginator.count == len(page.object_list) == 1


def test_deep_into_a_list_in_id_order_next_goes_by_id_and_back(client_for, review, people, many, monkeypatch):
    monkeypatch.setattr(paging, "SHALLOW", 100)  # from the third page on, "next" goes by id
    client = client_for(people["lead"])
    url = reverse("record_list", args=[review.pk])
    wanted = [r.pk for r in selectors.records_list(review=review)]
    shown, pages = _walk(client, url, {})
    assert shown == wanted
    assert pages[0].next_query == "page=2"
    assert pages[1].next_query == f"after={wanted[99]}" and pages[2].number is None
    back = client.get(url, dict(parse_qsl(pages[2].previous_query))).context["page"]
    assert [r.pk for r in back.object_list] == wanted[50:100]
    first = client.get(url, {"before": wanted[50]}).context["page"]
    assert [r.pk for r in first.object_list] == wanted[:50] and first.previous_query is None
    # A sorted list keeps its page numbers (its order is not the ids').
    assert _walk(client, url, {"sort": "title"})[1][1].next_query == "page=3"


def test_the_records_api_counts_up_to_the_cap_and_its_next_links_give_every_row(
        client_for, review, people, many, capped, monkeypatch):
    monkeypatch.setattr(paging, "SHALLOW", 50)
    client = client_for(people["lead"])
    url = f"/api/v1/reviews/{review.pk}/records/"
    wanted = [r.pk for r in selectors.records_list(review=review, q="infants")]
    answer = client.get(url, {"q": "infants", "limit": 30}).json()
    assert answer["count"] == 21 and answer["count_exact"] is False
    shown = [r["id"] for r in answer["results"]]
    while answer["next"]:
        link = urlsplit(answer["next"])
        answer = client.get(link.path, dict(parse_qsl(link.query))).json()
        shown += [r["id"] for r in answer["results"]]
    assert shown == wanted
    assert "after=" in link.query and "offset" not in link.query
    exact = client.get(url, {"q": "Trial 005"}).json()
    assert exact["count"] == 1 and exact["count_exact"] is True and exact["next"] is None
    assert client.get(url, {"after": wanted[-2]}).json()["results"][0]["id"] == wanted[-1]
    assert client.get(url, {"after": 1, "sort": "title"}).status_code == 400
