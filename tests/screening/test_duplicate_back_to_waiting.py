"""A pair un-merged or kept apart can go back to waiting for a decision: on the page, through the
API, and in the audit trail (issue 33)."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from screening import services
from screening.models import DuplicatePair, Record

from .helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db
Status = DuplicatePair.Status


@pytest.fixture
def pair(review, people):
    lead = people["lead"]
    import_bytes(make_search(review, lead, "Scopus"), lead, ris(record(2)), "scopus.ris")
    import_bytes(make_search(review, lead, "EMBASE"), lead, ris(record(2, doi="10.1000/another")), "embase.ris")
    return DuplicatePair.objects.get(review=review, status=Status.POSSIBLE)


def test_unmerge_can_send_the_pair_back_to_the_queue(client_for, review, people, pair):
    client = client_for(people["lead"])
    url = reverse("duplicate_pair", args=[review.pk, pair.pk])
    client.post(url, {"action": "merge"})
    assert Record.objects.get(pk=pair.record_b_id).duplicate_of_id == pair.record_a_id
    page = client.get(url).content.decode()
    assert 'value="unmerge_to_queue"' in page and 'value="unmerge"' in page
    client.post(url, {"action": "unmerge_to_queue"})
    pair.refresh_from_db()
    assert pair.status == Status.POSSIBLE and pair.decided_by is None
    assert Record.objects.get(pk=pair.record_b_id).duplicate_of_id is None
    queue = client.get(reverse("duplicate_queue", args=[review.pk])).content.decode()
    assert reverse("duplicate_pair", args=[review.pk, pair.pk]) in queue


def test_a_pair_kept_apart_goes_back_to_waiting(client_for, review, people, pair):
    client = client_for(people["lead"])
    url = reverse("duplicate_pair", args=[review.pk, pair.pk])
    client.post(url, {"action": "keep_apart"})
    assert 'value="reopen"' in client.get(url).content.decode()
    client.post(url, {"action": "reopen"})
    pair.refresh_from_db()
    assert pair.status == Status.POSSIBLE and pair.decided_at is None
    # Waiting again, it can be decided as any other pair.
    services.duplicate_merge(actor=people["lead"], pair=pair)
    assert Record.objects.get(pk=pair.record_b_id).duplicate_of_id == pair.record_a_id


def test_reopening_is_refused_where_it_means_nothing(people, pair):
    with pytest.raises(ApplicationError, match="already waiting"):
        services.duplicate_reopen(actor=people["lead"], pair=pair)
    services.duplicate_merge(actor=people["lead"], pair=pair)
    with pytest.raises(ApplicationError, match="un-merge them"):
        services.duplicate_reopen(actor=people["lead"], pair=pair)


def _token(user) -> str:
    from reviewapp import services as review_services

    return review_services.api_token_create(user=user, name="tests", scope="read-write")[1]


def test_the_api_offers_the_same_and_only_to_leads(client, review, people, pair):
    from tests.api.conftest import auth

    lead_key = _token(people["lead"])
    url = reverse("api_duplicate_decision", args=[review.pk, pair.pk])
    assert client.post(url, {"action": "keep_apart"}, content_type="application/json",
                       **auth(lead_key)).json()["status"] == Status.KEPT_APART
    reviewer = client.post(url, {"action": "reopen"}, content_type="application/json",
                           **auth(_token(people["reviewer"])))
    assert reviewer.status_code == 403
    body = client.post(url, {"action": "reopen"}, content_type="application/json", **auth(lead_key)).json()
    assert body["status"] == Status.POSSIBLE


def test_each_step_is_worded_in_the_audit_trail(client_for, review, people, pair):
    lead = people["lead"]
    services.duplicate_keep_apart(actor=lead, pair=pair)
    services.duplicate_reopen(actor=lead, pair=pair)
    services.duplicate_merge(actor=lead, pair=pair)
    services.duplicate_unmerge_to_queue(actor=lead, pair=pair)
    events = AuditEvent.objects.filter(review=review, object_type="screening.DuplicatePair").order_by("id")
    assert [e.after["status"] for e in events] == ["kept_apart", "possible", "merged", "possible"]
    text = client_for(lead).get(reverse("audit_log", args=[review.pk])).content.decode()
    records = f"Records #{pair.record_a.number} and #{pair.record_b.number}"
    assert f"{records} back to waiting for a decision" in text
    assert f"{records} un-merged (waiting for a decision)" in text
