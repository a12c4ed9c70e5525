"""List mode through the API (#32): a batch of records held for you, decisions through the one
decisions endpoint, and your screening mode."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp.models import AuditEvent
from screening.models import Claim, Decision
from tests.api.conftest import auth

pytestmark = pytest.mark.django_db


def call(client, world, person, method, name, *args, query="", data=None):
    url = reverse(name, args=[world.review.pk, *args]) + query
    return getattr(client, method)(url, data, content_type="application/json", **auth(world.tokens[person]))


def test_a_batch_is_claimed_with_the_next_records_fields_and_decided_through_the_decisions_endpoint(client, world):
    answer = call(client, world, "reviewer_extractor", "get", "api_screening_batch", "ta", query="?size=5")
    assert answer.status_code == 200, answer.content
    items = answer.json()["items"]
    single = call(client, world, "reviewer", "get", "api_screening_next", "ta").json()["item"]
    assert len(items) == 5 and set(items[0]) == set(single)  # the same fields as the next-record endpoint
    assert all(i["values"] == ["include", "maybe", "exclude"] for i in items)
    person = world.people["reviewer_extractor"]
    assert set(Claim.objects.filter(reviewer=person).values_list("item_id", flat=True)) == {i["id"] for i in items}
    # Asked again: the same records while they wait for a decision.
    again = call(client, world, "reviewer_extractor", "get", "api_screening_batch", "ta", query="?size=5").json()
    assert [i["id"] for i in again["items"]] == [i["id"] for i in items]
    for item in items:
        response = call(client, world, "reviewer_extractor", "post", "api_decisions", data={"item": item["id"],
                                                                                          "value": "exclude"})
        assert response.status_code == 201
    decisions = Decision.objects.filter(reviewer=person, item_id__in=[i["id"] for i in items])
    assert decisions.count() == 5
    assert AuditEvent.objects.filter(object_type="screening.Decision",
                                     object_id__in=[str(d.pk) for d in decisions]).count() == 5
    following = call(client, world, "reviewer_extractor", "get", "api_screening_batch", "ta", query="?size=5").json()
    assert not {i["id"] for i in following["items"]} & {i["id"] for i in items}


def test_a_batch_is_blind(client, world):
    items = call(client, world, "reviewer_extractor", "get", "api_screening_batch", "ta",
                 query="?size=25").json()["items"]
    waiting = [i for i in items if i["id"] == world.ids["waiting"]]
    assert waiting and waiting[0]["decisions"] == []  # the reviewer's decision on it stays hidden


def test_a_batch_refuses_full_texts_and_odd_sizes(client, world):
    refused = call(client, world, "reviewer", "get", "api_screening_batch", "ft")
    assert refused.status_code == 400 and "one at a time" in refused.json()["detail"]
    for size in ("2", "100", "ten"):
        assert call(client, world, "reviewer", "get", "api_screening_batch", "ta",
                    query=f"?size={size}").status_code == 400


def test_the_mode_is_read_and_changed(client, world):
    assert call(client, world, "reviewer", "get", "api_screener_preference").json() == {"mode": "single",
                                                                                       "batch_size": 10}
    changed = call(client, world, "reviewer", "patch", "api_screener_preference", data={"mode": "list",
                                                                                       "batch_size": 15})
    assert changed.status_code == 200 and changed.json() == {"mode": "list", "batch_size": 15}
    # Without a size, the batch is as long as the person's list.
    assert len(call(client, world, "reviewer", "get", "api_screening_batch", "ta").json()["items"]) <= 15
    assert call(client, world, "reviewer", "patch", "api_screener_preference",
                data={"mode": "grid"}).status_code == 400
    assert call(client, world, "reviewer", "patch", "api_screener_preference",
                data={"batch_size": 3}).status_code == 400
    assert call(client, world, "reviewer", "patch", "api_screener_preference",
                data={"colour": "red"}).status_code == 400
