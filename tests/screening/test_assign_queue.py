"""A lead assigns records to a reviewer's queue: they come first for that reviewer, one place on
each is kept for them, the other place of a dual screening still goes to someone else, and the
records list (page and API) finds them by "assigned to". One audited action per assignment."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp import services as review_services
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from screening import services
from screening.models import Record, ScreeningItem, ScreeningStage
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db
TA = ScreeningStage.TITLE_ABSTRACT


@pytest.fixture
def records(review, people):
    import_bytes(make_search(review, people["lead"]), people["lead"], ris(*(record(n) for n in range(1, 7))),
                 "scopus.ris")
    return {r.number: r for r in Record.objects.filter(review=review)}


def _screen_all(review, person) -> list[int]:
    """Numbers of the records the queue hands this person, deciding each (exclude) as it comes."""
    seen = []
    while (item := services.screening_next(reviewer=person, review=review, stage=TA)) is not None:
        seen.append(item.record.number)
        services.decision_record(actor=person, review=review, item_id=item.pk, value="exclude")
    return seen


def test_assigned_records_come_first_and_keep_a_place_for_their_reviewer(client, review, people, records):
    lead, first, second = people["lead"], people["reviewer"], people["reviewer_extractor"]
    client.force_login(lead)
    response = client.post(reverse("record_bulk", args=[review.pk]),
                           {"ids": [records[5].pk, records[4].pk], "action": "assign", "at": TA,
                            "reviewer": second.pk}, follow=True)
    assert "2 records assigned." in response.content.decode()
    event = AuditEvent.objects.filter(review=review, object_label__contains="assigned to").get()
    assert event.actor == lead and event.after["records"] == [4, 5] and "#4, #5" in event.object_label

    # The first reviewer decides #4 from the pool; the lead, screening too, never gets #4 (its second
    # place is kept for its assignee) but does get #5 (one place left besides the kept one).
    item4 = ScreeningItem.objects.get(record=records[4], stage=TA)
    services.decision_record(actor=first, review=review, item_id=item4.pk, value="include")
    lead_saw = _screen_all(review, lead)
    assert 4 not in lead_saw and 5 in lead_saw
    # The assignee's queue starts with the assigned records, ahead of lower numbers.
    assert services.screening_next(reviewer=second, review=review, stage=TA).record.number == 4
    item4.refresh_from_db()
    assert item4.status == ScreeningItem.Status.PENDING  # dual screening: two different reviewers still needed
    services.decision_record(actor=second, review=review, item_id=item4.pk, value="include")
    item4.refresh_from_db()
    assert item4.status == ScreeningItem.Status.INCLUDED

    page = client.get(reverse("record_list", args=[review.pk]) + f"?assigned_to={second.pk}").content.decode()
    assert "assigned to reviewer_extractor" in page
    _, key = review_services.api_token_create(user=lead, name="t", scope="read")
    found = client.get(reverse("api_records", args=[review.pk]) + f"?assigned_to={second.pk}",
                       HTTP_AUTHORIZATION=f"Token {key}").json()
    assert sorted(r["number"] for r in found["results"]) == [4, 5]


def test_only_a_lead_assigns_and_only_to_someone_who_screens(review, people, records):
    ids = [records[1].pk]
    with pytest.raises(ApplicationError, match="role Lead"):
        services.records_assign(actor=people["reviewer"], review=review, stage=TA, record_ids=ids,
                                reviewer_id=people["reviewer"].pk)
    with pytest.raises(ApplicationError, match="who screens"):
        services.records_assign(actor=people["lead"], review=review, stage=TA, record_ids=ids,
                                reviewer_id=people["viewer"].pk)
    assert not AuditEvent.objects.filter(object_label__contains="assigned to").exists()


def test_the_api_twin_assigns_and_names_what_it_left_out(client, review, people, records):
    lead, first = people["lead"], people["reviewer"]
    item1 = ScreeningItem.objects.get(record=records[1], stage=TA)
    services.decision_record(actor=first, review=review, item_id=item1.pk, value="include")
    _, key = review_services.api_token_create(user=lead, name="w", scope="read-write")
    response = client.post(reverse("api_records_assign", args=[review.pk]),
                           {"stage": TA, "records": [records[1].pk, records[2].pk], "reviewer": first.pk},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200, response.content
    assert response.json() == {"assigned": 1, "already": 0, "skipped": {"1": "the reviewer has decided it already"}}
