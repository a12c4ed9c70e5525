"""The list of one's reviews: the stage each has reached (from its stages, not a status field),
its last change (from the audit trail), and a marker on copies imported from an archive (issue 33)."""
from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from reviewapp import services
from reviewapp.audit import audit_record
from reviewapp.dashboard import Stage, stage_reached
from reviewapp.models import AuditEvent, Review

pytestmark = pytest.mark.django_db


def _stages(*statuses: str) -> list[Stage]:
    names = ["Protocol", "Searches", "Screening", "Extraction", "Analysis"]
    return [Stage(key=n.lower(), name=n, status=st, order=i * 10)
            for i, (n, st) in enumerate(zip(names, statuses, strict=True))]


def test_the_stage_is_the_furthest_one_under_way():
    review = Review(status=Review.Status.SEARCHING)  # a status nobody updated
    assert stage_reached(review=review, stages=_stages("done", "done", "in progress", "in progress", "not started")) \
        == "Extraction"
    assert stage_reached(review=review, stages=_stages("done", "done", "not started", "waiting", "not started")) \
        == "Searches done"
    assert stage_reached(review=review, stages=_stages("done", "done", "done", "done", "done")) == "Complete"
    assert stage_reached(review=Review(status=Review.Status.COMPLETE),
                         stages=_stages("done", "in progress", "", "", "")) == "Complete"


def _row(client, review) -> str:
    page = client.get(reverse("home")).content.decode()
    link = reverse("review_dashboard", args=[review.pk])
    return page.split(f'href="{link}"', 1)[1].split("</tr>", 1)[0]


def test_the_list_follows_imports_and_screening(client_for, review, people):
    from screening import services as screening_services
    from tests.screening.helpers import import_bytes, make_search, record, ris

    lead = people["lead"]
    client = client_for(lead)
    import_bytes(make_search(review, lead), lead, ris(record(1), record(2)), "scopus.ris")
    assert "Searches done" in _row(client, review)
    item = review.screening_items.order_by("id").first()
    screening_services.decision_record(actor=lead, review=review, item_id=item.pk, value="include")
    assert "<td data-label=\"Stage\">Screening</td>" in _row(client, review)
    # Screening leaves the review row alone; the list's last change still moves with it.
    latest = AuditEvent.objects.filter(review=review).latest("created_at")
    later = latest.created_at + datetime.timedelta(days=3)
    AuditEvent.objects.filter(pk=latest.pk).update(created_at=later)
    Review.objects.filter(pk=review.pk).update(updated_at=later - datetime.timedelta(days=30))
    assert later.strftime("%-d %b %Y %H:%M") in _row(client, review)


def test_an_imported_copy_is_marked(client_for, review, people):
    lead = people["lead"]
    copy = services.review_create(creator=lead, title=review.title)
    audit_record(actor=lead, review=copy, action=AuditEvent.Action.CREATE, instance=copy,
                 after={"imported_from": {"review_id": review.pk}},
                 label=f"review imported from an archive: {copy.title}")
    client = client_for(lead)
    assert "imported copy" in _row(client, copy)
    assert "imported copy" not in _row(client, review)
