"""The audit trail names people by name, fields by label, times in the reader's time zone,
and shows what a new object was created with (issue 33)."""
from __future__ import annotations

import html

import pytest
from django.urls import reverse

from reviewapp import services
from reviewapp.models import AuditEvent
from reviewapp.timezones import COOKIE

pytestmark = pytest.mark.django_db


def _trail(client, review) -> str:
    text = client.get(reverse("audit_log", args=[review.pk])).content.decode()
    return html.unescape(text.split("<table", 1)[1])


def test_people_in_the_trail_are_named_not_numbered(client_for, review, people):
    from screening.models import DuplicatePair
    from screening.services import duplicate_merge
    from tests.screening.helpers import import_bytes, make_search, record, ris

    lead = people["lead"]
    lead.first_name, lead.last_name = "Ada", "Lovelace"
    lead.save()
    import_bytes(make_search(review, lead, "Scopus"), lead, ris(record(1)), "scopus.ris")
    import_bytes(make_search(review, lead, "EMBASE"), lead, ris(record(1, doi="10.1000/x")), "embase.ris")
    duplicate_merge(actor=lead, pair=DuplicatePair.objects.get(review=review))
    text = _trail(client_for(lead), review)
    assert "→ <ins>Ada Lovelace</ins>" in text
    assert f"<ins>#{lead.pk}</ins>" not in text
    assert '<td data-label="Who">Ada Lovelace</td>' in text


def test_times_follow_the_readers_time_zone_and_say_which(client_for, review, people):
    event = AuditEvent.objects.filter(review=review).earliest("id")
    client = client_for(people["lead"])
    utc_text = _trail(client, review)
    assert event.created_at.strftime("%Y-%m-%d %H:%M") in utc_text
    client.cookies[COOKIE] = "Asia/Kolkata"  # UTC+5:30 all year
    page = client.get(reverse("audit_log", args=[review.pk])).content.decode()
    assert "When (Asia/Kolkata)" in page
    from datetime import timedelta
    assert (event.created_at + timedelta(hours=5, minutes=30)).strftime("%Y-%m-%d %H:%M") in page


def test_an_unknown_time_zone_falls_back_to_utc_and_says_so(client_for, review, people):
    client = client_for(people["lead"])
    client.cookies[COOKIE] = "Mars/Olympus_Mons"
    page = client.get(reverse("audit_log", args=[review.pk])).content.decode()
    assert "When (UTC)" in page


def test_stored_timestamps_are_shown_as_times_not_iso_text(client_for, review, people):
    from screening.models import SearchFile
    from tests.screening.helpers import import_bytes, make_search, record, ris

    lead = people["lead"]
    search_file = import_bytes(make_search(review, lead), lead, ris(record(1)), "scopus.ris")
    assert SearchFile.objects.get(pk=search_file.pk).finished_at is not None
    text = _trail(client_for(lead), review)
    assert search_file.finished_at.isoformat()[:16] not in text  # "2026-12-07T09:10"
    assert search_file.finished_at.strftime("%Y-%m-%d %H:%M UTC") in text


def test_a_new_object_shows_the_values_it_was_created_with(client_for, review, people):
    services.outcome_create(actor=people["lead"], review=review, name="Parenting stress", direction="lower")
    text = _trail(client_for(people["lead"]), review)
    row = text.split("Outcome “Parenting stress” added", 1)[1].split("</tr>", 1)[0]
    assert "<details" not in row
    assert "Values set:" in row and "Parenting stress" in row


def test_a_background_jobs_bookkeeping_is_not_shown_as_a_change(review, people):
    """An analysis run's end: its status and result are the reader's; which process took it, its
    progress and its inputs' hash are not, and an empty reason before and after is no change."""
    from reviewapp.audit_display import event_changes

    event = AuditEvent(review=review, action=AuditEvent.Action.UPDATE, object_type="analysis.AnalysisRun",
                       before={"status": "running"},
                       after={"status": "done", "claimed_by": "vm:8387", "progress": 100, "attempts": 1,
                              "input_hash": "ab12", "error": ""})
    assert [change.label for change in event_changes(event)] == ["Status"]
