"""Screening's notifications: a conflict tells those who may resolve it (and never who decided
what), an import tells the review's screeners of the new records; the webhooks hear the same."""
from __future__ import annotations

import pytest

from reviewapp import services as review_services
from reviewapp.models import Webhook, WebhookDelivery
from reviewapp.notifications.models import Kind, Notification
from reviewapp.notifications.texts import text_of
from screening import services
from tests.screening.helpers import import_bytes, make_search, record, ris
from tests.screening.screening.conftest import decide

pytestmark = pytest.mark.django_db


def _told(kind: str) -> dict[str, int]:
    return {n.recipient.username: n.count for n in Notification.objects.filter(kind=kind)}


def test_a_conflict_tells_the_leads_only(review, people, screeners, records_to_screen):
    a, b = screeners
    Notification.objects.all().delete()  # the import's notices
    decide(review, a, records_to_screen[0], "include")
    assert _told(Kind.CONFLICT) == {}  # one decision in: nothing to tell, and nothing about it
    decide(review, b, records_to_screen[0], "exclude")
    assert _told(Kind.CONFLICT) == {"lead": 1}
    notice = Notification.objects.get(kind=Kind.CONFLICT)
    text = text_of(notice)
    assert text.startswith("1 record is in conflict at title and abstract screening")
    # Blind-safe: no decision, no reviewer, no record title in what is told.
    for leak in ("include", "exclude", a.username, b.username, "trial number"):
        assert leak not in text.lower() and leak not in str(notice.params).lower()
    assert notice.link.endswith(f"/screening/conflicts/{records_to_screen[0].pk}/")


def test_more_conflicts_add_up_and_the_named_third_reviewer_is_told_unless_a_party(
        review, people, screeners, records_to_screen, make_user):
    a, b = screeners
    third = make_user("third")
    review_services.member_roles_set(actor=people["lead"], review=review, user=third, roles=["reviewer"])
    services.screening_settings_update(actor=people["lead"], review=review, conflict_resolver=third)
    for item in records_to_screen[:3]:
        decide(review, a, item, "include")
        decide(review, b, item, "exclude")
    assert _told(Kind.CONFLICT) == {"lead": 3, "third": 3}
    assert Notification.objects.get(kind=Kind.CONFLICT, recipient=third).link.endswith("/screening/conflicts/?stage=ta")
    # The third reviewer deciding a record themselves is a party to its conflict: not told of it.
    services.screening_settings_update(actor=people["lead"], review=review, conflict_resolver=b)
    decide(review, a, records_to_screen[3], "include")
    decide(review, b, records_to_screen[3], "exclude")
    assert _told(Kind.CONFLICT) == {"lead": 4, "third": 3}


def test_an_agreement_tells_nobody(review, screeners, records_to_screen):
    a, b = screeners
    Notification.objects.all().delete()
    decide(review, a, records_to_screen[0], "exclude")
    decide(review, b, records_to_screen[0], "exclude")
    assert not Notification.objects.exists()


def test_an_import_tells_the_screeners_of_the_new_records_and_nobody_else(review, people, screeners):
    hook = Webhook.objects.create(review=review, url="https://hooks.example.org/x", secret="s",
                                  events=[Webhook.Event.IMPORT_FINISHED])
    search = make_search(review, people["lead"])
    import_bytes(search, people["lead"], ris(*(record(n) for n in range(1, 6))), "scopus.ris")
    # Screeners: the lead and the reviewers; not the extractor, the viewer or the outsider.
    assert _told(Kind.NEW_RECORDS) == {"lead": 5, "reviewer": 5, "reviewer2": 5, "reviewer_extractor": 5}
    assert WebhookDelivery.objects.filter(webhook=hook, event=Webhook.Event.IMPORT_FINISHED).count() == 1
    notice = Notification.objects.get(kind=Kind.NEW_RECORDS, recipient=people["reviewer"])
    assert text_of(notice) == "5 new records are waiting for screening after an import."
    assert notice.link.endswith("/screening/ta/")
    # A second import adds to the unread notice; records merged as duplicates add nothing.
    import_bytes(search, people["lead"], ris(*(record(n) for n in range(4, 9))), "embase.ris")
    assert _told(Kind.NEW_RECORDS)["reviewer"] == 8


def test_a_failed_import_tells_no_screener(review, people):
    search = make_search(review, people["lead"])
    import_bytes(search, people["lead"], b"this is no bibliography at all\n", "broken.ris", fmt="ris")
    assert not Notification.objects.filter(kind=Kind.NEW_RECORDS).exists()
