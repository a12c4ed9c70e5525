"""A text search's count on the records page of a large review is kept until the records change
(#30): paging through a common word's results does not count its matches again on every page, and
every change to the records still shows at once; a screening decision cannot move it, but a filter
on screening is counted afresh."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening import services, views
from screening.models import DuplicatePair, ScreeningItem
from screening.selectors import counted

from .helpers import import_bytes, make_search, record, ris


@pytest.fixture
def large(monkeypatch, review, people):
    monkeypatch.setattr(counted, "LARGE_REVIEW", 10)  # this review of 30 records counts as large
    monkeypatch.setattr(views, "RECORDS_PER_PAGE", 5)  # a full first page: the list must be counted
    lead = people["lead"]
    import_bytes(make_search(review, lead, "Scopus"), lead, ris(*(record(n) for n in range(30))), "s.ris")
    return review


def _count(client, review, query: dict) -> tuple[int, bool]:
    """The list's count, and whether this request counted the records to say it."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("record_list", args=[review.pk]), query).context["page"]
    counting = any(q["sql"].startswith("SELECT COUNT(*)") and "screening_record" in q["sql"]
                   for q in queries.captured_queries)
    assert page.paginator.exact
    return page.paginator.count, counting


def test_the_same_search_and_its_next_page_are_not_counted_again(client_for, large, people):
    client = client_for(people["lead"])
    assert _count(client, large, {"q": "infant"}) == (30, True)
    assert _count(client, large, {"q": "infant"}) == (30, False)
    assert _count(client, large, {"q": "infant", "page": 2}) == (30, False)
    assert _count(client, large, {"q": "infant", "sort": "title"}) == (30, False)  # the order cannot move it
    assert _count(client, large, {"q": "trial", "year_from": 2010}) == (10, True)  # another search is counted


def test_an_import_or_a_merge_shows_at_once_and_a_decision_does_not_recount(client_for, large, people):
    client = client_for(people["lead"])
    lead = people["lead"]
    assert _count(client, large, {"q": "infant"})[0] == 30
    import_bytes(make_search(large, lead, "EMBASE"), lead, ris(*(record(n) for n in range(30, 40))), "e.ris")
    assert _count(client, large, {"q": "infant"}) == (40, True)

    pair = DuplicatePair.objects.filter(review=large, status=DuplicatePair.Status.POSSIBLE).order_by("id").first()
    services.duplicate_merge(actor=lead, pair=pair)  # the merged record leaves the unique records
    assert _count(client, large, {"q": "infant"}) == (39, True)

    item = ScreeningItem.objects.filter(review=large, stage="ta").order_by("id").first()
    services.decision_record(actor=people["reviewer"], review=large, item_id=item.pk, value="exclude")
    assert _count(client, large, {"q": "infant"}) == (39, False)


def test_a_search_with_a_screening_filter_follows_each_decision(client_for, large, people):
    client = client_for(people["lead"])
    query = {"q": "infant", "screening_stage": "ta", "status": "excluded"}
    assert _count(client, large, query)[0] == 0
    for item in ScreeningItem.objects.filter(review=large, stage="ta").order_by("id")[:6]:
        for who in ("reviewer", "reviewer_extractor"):
            services.decision_record(actor=people[who], review=large, item_id=item.pk, value="exclude")
    assert _count(client, large, query) == (6, True)
