"""Every change of review data leaves who, when, what, before and after in the audit trail."""
from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from reviewapp import audit, services
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Membership

pytestmark = pytest.mark.django_db


def test_creating_a_review_records_the_review_and_its_lead(review, people):
    events = AuditEvent.objects.filter(review=review, actor=people["lead"]).order_by("id")
    first = events[0]
    assert (first.action, first.object_type) == ("create", "reviewapp.Review")
    assert first.after["title"] == "Parent-infant psychotherapy"
    assert events.filter(object_type="reviewapp.Membership", after__role="lead").exists()


def test_a_change_keeps_the_values_before_and_after(review, people):
    services.review_update(actor=people["lead"], review=review, title="Dyadic therapy", question="Does it help?")
    event = AuditEvent.objects.filter(review=review, action="update").latest("id")
    assert event.actor_label == "lead"
    assert event.before["title"] == "Parent-infant psychotherapy"
    assert event.after["title"] == "Dyadic therapy"
    assert event.changed_fields == ["question", "title"]


def test_saving_without_changes_adds_no_event(review, people):
    count = AuditEvent.objects.count()
    services.review_update(actor=people["lead"], review=review, title=review.title)
    assert AuditEvent.objects.count() == count


def test_saving_the_protocol_as_a_browser_sends_it_adds_no_event(review, people):
    services.review_update(actor=people["lead"], review=review, planned_databases="MEDLINE\nEmbase")
    count = AuditEvent.objects.count()
    services.review_update(actor=people["lead"], review=review, planned_databases="MEDLINE\r\nEmbase")
    assert AuditEvent.objects.count() == count
    review.refresh_from_db()
    assert review.planned_databases == "MEDLINE\nEmbase"


def test_a_save_that_only_moves_the_updated_stamp_adds_no_event(review, people):
    # Seen in the browser walk: saving the summary of findings unchanged listed
    # "Updated at: 10:40 -> 10:40" as a change.
    count = AuditEvent.objects.count()
    before = audit.snapshot(review)
    review.save()
    after = dict(audit.snapshot(review), updated_at="2099-01-01T00:00:00+00:00")
    assert audit.audit_record(actor=people["lead"], review=review, action="update", instance=review,
                              before=before, after=after) is None
    assert AuditEvent.objects.count() == count
    after["title"] = "Changed"
    assert audit.audit_record(actor=people["lead"], review=review, action="update", instance=review,
                              before=before, after=after) is not None


def test_outcome_create_change_delete_are_audited(review, people):
    lead = people["lead"]
    outcome = services.outcome_create(actor=lead, review=review, name="Parenting stress", direction="lower")
    services.outcome_update(actor=lead, outcome=outcome, note="Parenting Stress Index")
    services.outcome_delete(actor=lead, outcome=outcome)
    actions = list(AuditEvent.objects.filter(object_type="reviewapp.Outcome").order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]
    deleted = AuditEvent.objects.filter(object_type="reviewapp.Outcome", action="delete").get()
    assert deleted.before["name"] == "Parenting stress" and deleted.after is None


def test_role_changes_are_audited_and_the_last_lead_stays(review, people):
    lead, viewer = people["lead"], people["viewer"]
    services.member_roles_set(actor=lead, review=review, user=viewer, roles=["viewer", "extractor"])
    assert set(Membership.objects.filter(review=review, user=viewer).values_list("role", flat=True)) == {
        "viewer", "extractor"}
    with pytest.raises(ApplicationError, match="at least one lead"):
        services.member_roles_set(actor=lead, review=review, user=lead, roles=["viewer"])
    assert Membership.objects.filter(review=review, user=lead, role="lead").exists()
    services.member_roles_set(actor=lead, review=review, user=viewer, roles=[])
    assert not Membership.objects.filter(review=review, user=viewer).exists()
    removed = AuditEvent.objects.filter(object_type="reviewapp.Membership", action="delete")
    assert {e.before["role"] for e in removed} == {"viewer", "extractor"}


def test_audit_survives_deleting_the_review(review, people):
    review_id = review.pk
    review.delete()
    assert AuditEvent.objects.filter(review__isnull=True, review_label="Parent-infant psychotherapy").count() >= 4
    assert not AuditEvent.objects.filter(review_id=review_id).exists()


def test_lead_filters_the_audit_trail(client_for, review, people):
    services.outcome_create(actor=people["lead"], review=review, name="Infant attachment")
    client = client_for(people["lead"])
    page = client.get(reverse("audit_log", args=[review.pk]), {"object_type": "reviewapp.Outcome"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Outcome “Infant attachment” added" in text and "1 event" in text
    assert '<option value="reviewapp.Outcome" selected>outcome</option>' in text


def test_lead_exports_the_audit_trail_as_csv(client_for, review, people):
    services.review_update(actor=people["lead"], review=review, title="Dyadic therapy")
    response = client_for(people["lead"]).get(reverse("audit_export", args=[review.pk]), {"action": "update"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["time (UTC)", "who", "action"]
    assert len(rows) == 2 and rows[1][1:3] == ["lead", "Changed"]
    assert rows[1][5] == "Protocol changed"
    assert rows[1][6] == "Title: Parent-infant psychotherapy -> Dyadic therapy"


def _audit_page(client_for, review, people, **filters) -> str:
    import html

    text = client_for(people["lead"]).get(reverse("audit_log", args=[review.pk]), filters).content.decode()
    return html.unescape(text)


def test_the_trail_speaks_the_users_words(client_for, review, people):
    from datetime import date

    lead = people["lead"]
    services.review_update(actor=lead, review=review, search_from=date(2000, 1, 1))
    services.review_update(actor=lead, review=review, search_from=None, status="screening")
    services.member_roles_set(actor=lead, review=review, user=people["reviewer"], roles=["reviewer", "viewer"])
    text = _audit_page(client_for, review, people)
    assert "Protocol changed" in text
    # Field by field, with the fields' names and the choices' words.
    assert "Searches cover from</span>: <del>2000-01-01</del> → <ins>—</ins>" in text
    assert "Status</span>: <del>Protocol</del> → <ins>Screening</ins>" in text
    assert "Role of reviewer changed: Viewer added" in text
    # No model paths and no stored dicts.
    assert "reviewapp.Review" not in text.split("<table", 1)[1]
    assert "{'" not in text and "search_from" not in text.split("<table", 1)[1]


def test_the_trail_words_imports_and_duplicate_decisions(client_for, review, people):
    from screening.models import DuplicatePair
    from screening.services import duplicate_merge, duplicate_unmerge
    from tests.screening.helpers import import_bytes, make_search, record, ris

    lead = people["lead"]
    import_bytes(make_search(review, lead, "Scopus"), lead, ris(record(1), record(2)), "scopus.ris")
    import_bytes(make_search(review, lead, "EMBASE"), lead, ris(record(1, doi="10.1000/x")), "embase.ris")
    pair = DuplicatePair.objects.get(review=review)
    duplicate_unmerge(actor=lead, pair=duplicate_merge(actor=lead, pair=pair))
    text = _audit_page(client_for, review, people)
    assert "Upload of EMBASE file embase.ris" in text
    assert "Import of EMBASE file embase.ris" in text
    assert "Records imported</span>: <del>0</del> → <ins>1</ins>" in text
    assert f"Records #{pair.record_a.number} and #{pair.record_b.number} merged as duplicates" in text
    assert f"Records #{pair.record_a.number} and #{pair.record_b.number} un-merged (kept apart)" in text
    assert "screening.SearchFile" not in text.split("<table", 1)[1]
