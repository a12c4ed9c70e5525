"""A large review's counts are kept until the review changes (#30): the pages then read them without
counting every record again, and every change through the services shows at once."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening import services
from screening.models import ScreeningItem
from screening.selectors import counted

from .helpers import import_bytes, make_search, record, ris


@pytest.fixture
def large(monkeypatch, review, people):
    monkeypatch.setattr(counted, "LARGE_REVIEW", 10)  # this review of 30 records counts as large
    lead = people["lead"]
    import_bytes(make_search(review, lead, "Scopus"), lead, ris(*(record(n) for n in range(30))), "s.ris")
    return review


def _dashboard(client, review) -> dict:
    page = client.get(reverse("review_dashboard", args=[review.pk]))
    stages = {s.key: dict(s.counts) for s in page.context["stages"]}
    return {**stages["searches"], **stages["screening"]}


def _record_queries(client, review) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("review_dashboard", args=[review.pk]))
    return sum('FROM "screening_record"' in q["sql"] or 'FROM "screening_screeningitem"' in q["sql"]
               for q in queries.captured_queries)


def test_the_dashboard_reads_kept_counts_until_the_review_changes(client_for, large, people):
    client = client_for(people["lead"])
    first = _record_queries(client, large)
    again = _record_queries(client, large)
    assert again < first  # nothing changed: the counts were not taken again
    assert _dashboard(client, large)["Records imported"] == 30


def test_an_import_and_a_decision_show_at_once(client_for, large, people):
    client = client_for(people["lead"])
    assert _dashboard(client, large)["Records imported"] == 30
    lead = people["lead"]
    import_bytes(make_search(large, lead, "EMBASE"), lead, ris(*(record(n) for n in range(30, 40))), "e.ris")
    assert _dashboard(client, large)["Records imported"] == 40
    assert client.get(reverse("record_list", args=[large.pk])).context["page"].paginator.count == 40

    item = ScreeningItem.objects.filter(review=large, stage="ta").order_by("id").first()
    for who in ("reviewer", "reviewer_extractor"):
        services.decision_record(actor=people[who], review=large, item_id=item.pk, value="exclude")
    assert _dashboard(client, large)["Title/abstract settled"] == 1


def test_prisma_of_a_large_review_follows_each_decision(client_for, large, people):
    client = client_for(people["lead"])

    def excluded() -> int:
        text = client.get(reverse("prisma_csv", args=[large.pk])).content.decode()
        return int(dict(line.split(",") for line in text.splitlines()[1:])["records_excluded"])

    assert excluded() == 0
    item = ScreeningItem.objects.filter(review=large, stage="ta").order_by("id").first()
    for who in ("reviewer", "reviewer_extractor"):
        services.decision_record(actor=people[who], review=large, item_id=item.pk, value="exclude")
    assert excluded() == 1
