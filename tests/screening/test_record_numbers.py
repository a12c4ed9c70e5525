"""Records are numbered #1..N within their review, at import, and shown so on pages, in exports
and through the API; the global id stays in URLs (issue 33)."""
from __future__ import annotations

import csv
import importlib
import io

import pytest
from django.apps import apps
from django.urls import reverse

from reviewapp import services as review_services
from screening.models import Record

from .helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db


def _numbers(review) -> list[int]:
    return list(Record.objects.filter(review=review).order_by("id").values_list("number", flat=True))


def test_numbers_run_from_one_within_each_review_across_files(review, people):
    lead = people["lead"]
    other = review_services.review_create(creator=lead, title="Another review")
    import_bytes(make_search(other, lead), lead, ris(*(record(n) for n in range(50, 55))), "other.ris")
    search = make_search(review, lead)
    import_bytes(search, lead, ris(record(1), record(2), record(3)), "first.ris")
    import_bytes(make_search(review, lead, "EMBASE"), lead, ris(record(1), record(4)), "second.ris")
    assert _numbers(review) == [1, 2, 3, 4, 5]
    assert _numbers(other) == [1, 2, 3, 4, 5]
    # A record merged as a duplicate keeps its own number.
    assert Record.objects.filter(review=review, duplicate_of__isnull=False).values_list("number", flat=True)[0] == 4


def test_a_failed_import_leaves_no_gap(review, people):
    lead = people["lead"]
    search = make_search(review, lead)
    import_bytes(search, lead, ris(record(1)), "first.ris")
    broken = import_bytes(search, lead, ris(record(2)) + b"TY  - JOUR\nTI  - cut off\n", "broken.ris")
    assert broken.status == "failed"
    import_bytes(search, lead, ris(record(3)), "third.ris")
    assert _numbers(review) == [1, 2]


def test_pages_exports_and_the_api_show_the_number(client, client_for, review, people):
    lead = people["lead"]
    other = review_services.review_create(creator=lead, title="Another review")
    import_bytes(make_search(other, lead), lead, ris(*(record(n) for n in range(50, 60))), "other.ris")
    import_bytes(make_search(review, lead), lead, ris(record(1), record(2)), "first.ris")
    second = Record.objects.get(review=review, number=2)
    assert second.pk > 10  # the global id differs from the number
    browser = client_for(lead)
    page = browser.get(reverse("record_list", args=[review.pk])).content.decode()
    assert '<td class="num" data-label="#">2</td>' in page
    assert f'<td class="num" data-label="#">{second.pk}</td>' not in page
    assert reverse("record_detail", args=[review.pk, second.pk]) in page  # URLs keep the id
    detail = browser.get(reverse("record_detail", args=[review.pk, second.pk])).content.decode()
    assert "<title>Record #2 ·" in detail
    rows = list(csv.DictReader(io.StringIO(b"".join(
        browser.get(reverse("record_export_csv", args=[review.pk])).streaming_content).decode().lstrip("\ufeff"))))
    assert [(int(r["record_id"]), int(r["number"])) for r in rows] == [(second.pk - 1, 1), (second.pk, 2)]
    from tests.api.conftest import auth

    key = review_services.api_token_create(user=lead, name="t", scope="read-write")[1]
    body = client.get(reverse("api_record", args=[review.pk, second.pk]), **auth(key)).json()
    assert (body["id"], body["number"]) == (second.pk, 2)


def test_the_migration_numbers_existing_records_by_id(review, people):
    lead = people["lead"]
    import_bytes(make_search(review, lead), lead, ris(record(1), record(2), record(3)), "first.ris")
    ids = list(Record.objects.filter(review=review).order_by("id").values_list("id", flat=True))
    for offset, pk in enumerate(reversed(ids)):  # numbers out of order, as if assigned otherwise
        Record.objects.filter(pk=pk).update(number=100 + offset)
    migration = importlib.import_module("screening.migrations.0007_record_number")
    migration.number_existing(apps, None)
    assert _numbers(review) == [1, 2, 3]
