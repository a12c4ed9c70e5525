"""The API twins of page actions: each does what the page does, on the same service, with the same
rule and the same audit entry; and every writable operation refuses fields it does not know.

Each test does an action once through the page (the lead signed in) and once through the API (the
lead's token), then compares what each left behind.
"""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from analysis.sof.models import GradeAssessment
from reviewapp.api_base import UNKNOWN_FIELD
from reviewapp.models import AuditEvent, Outcome
from screening.models import ChecklistEntry, Claim, FullText, ScreeningItem, Search, SearchFile
from tests.api.conftest import FULLTEXT_PDF, auth
from tests.api.test_api_permissions import MULTIPART, TABLE, _body, _url
from tests.screening.helpers import make_search

pytestmark = pytest.mark.django_db


def _api(client, world, method: str, name: str, person: str = "lead", data=None, multipart=False, **kwargs):
    url = reverse(name, kwargs={"review_id": world.review.pk, **kwargs})
    if multipart:
        return getattr(client, method)(url, data=data, **auth(world.tokens[person]))
    return getattr(client, method)(url, data=data, content_type="application/json", **auth(world.tokens[person]))


def _page(client, world, name: str, data: dict, **kwargs):
    client.force_login(world.people["lead"])
    response = client.post(reverse(name, kwargs={"review_id": world.review.pk, **kwargs}), data=data)
    client.logout()
    assert response.status_code == 302, response.content[:500]
    return response


def _events_since(mark: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=mark).order_by("pk"))


def _mark() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _last_update(object_type: str, pk: int) -> AuditEvent:
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(pk), action="update").latest("pk")


def _shape(event: AuditEvent) -> tuple:
    """What the audit says happened, without which object or when."""
    return (event.action, event.object_type, event.actor_id, sorted(event.before or {}), sorted(event.after or {}))


# ---------------------------------------------------------------- outcomes

def test_outcomes_are_made_changed_and_deleted_through_the_api_as_on_the_page(client, world):
    mark = _mark()
    _page(client, world, "review_outcomes", {"name": "Infant sleep", "direction": "higher", "note": "Hours"})
    page_events = _events_since(mark)
    mark = _mark()
    response = _api(client, world, "post", "api_outcomes", data={"name": "Infant weight", "direction": "lower",
                                                                 "note": "Grams"})
    assert response.status_code == 201, response.json()
    api_events = _events_since(mark)
    made = Outcome.objects.get(pk=response.json()["id"])
    assert (made.name, made.direction, made.note) == ("Infant weight", "lower", "Grams")
    assert [_shape(e) for e in api_events] == [_shape(e) for e in page_events]
    listed = _api(client, world, "get", "api_outcomes", person="viewer").json()
    assert [o["name"] for o in listed][-2:] == ["Infant sleep", "Infant weight"]

    response = _api(client, world, "patch", "api_outcome", data={"direction": "higher"}, outcome_id=made.pk)
    assert response.json()["direction"] == "higher"
    event = _last_update("reviewapp.Outcome", made.pk)
    assert (event.before["direction"], event.after["direction"]) == ("lower", "higher")
    assert _api(client, world, "delete", "api_outcome", outcome_id=made.pk).status_code == 204
    assert not Outcome.objects.filter(pk=made.pk).exists()
    assert AuditEvent.objects.filter(object_type="reviewapp.Outcome", object_label="Infant weight",
                                     action="delete").exists()


def test_an_outcome_name_taken_in_another_case_is_refused_by_page_and_api_alike(client, world):
    before = Outcome.objects.count()
    response = _api(client, world, "post", "api_outcomes", data={"name": "parental DEPRESSION"})
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert "already has an outcome of that name" in response.json()["detail"]
    client.force_login(world.people["lead"])
    page = client.post(reverse("review_outcomes", args=[world.review.pk]), data={"name": "parental DEPRESSION",
                                                                                 "direction": "higher"})
    assert page.status_code == 200 and "already has an outcome of that name" in page.content.decode()
    assert Outcome.objects.count() == before


def test_an_outcome_used_by_an_analysis_is_not_deleted(client, world):
    response = _api(client, world, "delete", "api_outcome", outcome_id=world.ids["outcome"])
    assert response.status_code == 400
    assert "is used by" in response.json()["detail"]
    assert Outcome.objects.filter(pk=world.ids["outcome"]).exists()


def test_outcomes_are_changed_by_leads_only(client, world):
    for person in ("reviewer", "extractor", "viewer"):
        response = _api(client, world, "post", "api_outcomes", person=person, data={"name": "Sleep"})
        assert response.status_code == 403
        assert "role" in response.json()["detail"]
    assert not Outcome.objects.filter(name="Sleep").exists()


def test_a_review_patch_naming_outcomes_is_refused_not_dropped(client, world):
    question = world.review.question
    response = _api(client, world, "patch", "api_review", data={"question": "New?", "outcomes": ["Sleep"]})
    assert response.status_code == 400
    assert response.json()["field"] == "outcomes"
    assert response.json()["errors"] == {"outcomes": [UNKNOWN_FIELD]}
    world.review.refresh_from_db()
    assert world.review.question == question


# ---------------------------------------------------------------- every writable operation

WRITES = [(name, args, method, body) for name, args, method, _, body in TABLE
          if method != "get" and isinstance(body, dict) or body in MULTIPART]


@pytest.mark.parametrize(("name", "args", "method", "body"), WRITES,
                         ids=[f"{method.upper()} {name}" for name, _, method, _ in WRITES])
def test_every_writable_operation_names_the_fields_it_does_not_know(client, world, name, args, method, body):
    data = _body(world, body)
    data["colour"] = "blue"
    with transaction.atomic():
        mark = _mark()
        if body in MULTIPART:
            response = getattr(client, method)(_url(world, name, args), data=data, **auth(world.tokens["lead"]))
        else:
            response = getattr(client, method)(_url(world, name, args), data=data, content_type="application/json",
                                               **auth(world.tokens["lead"]))
        assert response.status_code == 400, response.content
        assert response.json()["errors"].get("colour") == [UNKNOWN_FIELD], response.json()
        assert _events_since(mark) == []
        transaction.set_rollback(True)


# ---------------------------------------------------------------- analyses

def test_an_analysis_is_defined_and_changed_through_the_api_as_on_the_page(client, world):
    outcome = world.ids["outcome"]
    mark = _mark()
    _page(client, world, "analysis_new", {"outcome": outcome, "name": "By page", "measure": "SMD", "method": "DL",
                                          "test": "z", "designs": ["Randomised controlled trial"], "level": "90",
                                          "timepoint": "first"})
    page_events = _events_since(mark)
    mark = _mark()
    response = _api(client, world, "post", "api_analyses", data={
        "outcome": outcome, "name": "By API", "measure": "SMD", "method": "DL", "test": "z",
        "designs": ["Randomised controlled trial"], "level": 90, "timepoint": "first"})
    assert response.status_code == 201, response.json()
    api_events = _events_since(mark)
    assert [_shape(e) for e in api_events] == [_shape(e) for e in page_events]
    by_page = world.review.analyses.get(name="By page")
    by_api = world.review.analyses.get(name="By API")
    assert {**by_api.spec(), "name": ""} == {**by_page.spec(), "name": ""}

    response = _api(client, world, "patch", "api_analysis", data={"level": 100}, analysis_id=by_api.pk)
    assert response.status_code == 400 and response.json()["field"] == "level"
    response = _api(client, world, "patch", "api_analysis", data={"method": "REML"}, analysis_id=by_api.pk)
    assert response.json()["method"] == "REML"
    event = _last_update("analysis.Analysis", by_api.pk)
    assert (event.before["method"], event.after["method"]) == ("DL", "REML")
    viewer = _api(client, world, "post", "api_analyses", person="viewer", data={"outcome": outcome, "name": "V"})
    assert viewer.status_code == 403


def test_an_analysis_of_an_outcome_in_another_review_is_refused(client, world, make_user):
    from reviewapp import services as review_services
    other = review_services.review_create(creator=world.people["lead"], title="Another review")
    foreign = review_services.outcome_create(actor=world.people["lead"], review=other, name="Elsewhere")
    response = _api(client, world, "post", "api_analyses", data={"outcome": foreign.pk})
    assert response.status_code == 400 and response.json()["field"] == "outcome"


# ---------------------------------------------------------------- full texts and mending

def _pdf(name="paper.pdf", content=FULLTEXT_PDF):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_a_full_text_goes_up_and_comes_back_through_the_api(client, world):
    record = ScreeningItem.objects.get(pk=world.ids["items"][7]).record
    mark = _mark()
    response = _api(client, world, "post", "api_record_fulltext", person="reviewer", data={"file": _pdf()},
                    multipart=True, record_id=record.pk)
    assert response.status_code == 201, response.json()
    assert response.json()["size"] == len(FULLTEXT_PDF)
    events = _events_since(mark)
    assert [e.object_type for e in events] == ["screening.FullText"]
    download = _api(client, world, "get", "api_record_fulltext", person="viewer", record_id=record.pk)
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == FULLTEXT_PDF


def test_a_file_that_is_not_a_pdf_is_refused_by_api_and_page_with_the_same_reason(client, world):
    record_id = ScreeningItem.objects.get(pk=world.ids["items"][8]).record_id
    response = _api(client, world, "post", "api_record_fulltext", data={"file": _pdf("x.pdf", b"<html>")},
                    multipart=True, record_id=record_id)
    assert response.status_code == 400
    assert response.json()["detail"] == "x.pdf is not a PDF file (its content does not start like one)."
    client.force_login(world.people["lead"])
    page = client.post(reverse("fulltext", args=[world.review.pk, record_id]), data={"file": _pdf("x.pdf", b"<html>")},
                       follow=True)
    assert response.json()["detail"] in page.content.decode().replace("&#x27;", "'")
    assert not FullText.objects.filter(record_id=record_id).exists()


def test_a_viewer_may_not_upload_a_full_text(client, world):
    record_id = ScreeningItem.objects.get(pk=world.ids["items"][8]).record_id
    response = _api(client, world, "post", "api_record_fulltext", person="viewer", data={"file": _pdf()},
                    multipart=True, record_id=record_id)
    assert response.status_code == 403


def test_a_title_is_mended_through_the_api_as_on_the_page_keeping_the_original(client, world):
    first, second = (ScreeningItem.objects.get(pk=world.ids["items"][i]).record for i in (8, 9))
    mark = _mark()
    _page(client, world, "record_mend", {"field": "title", "text": "Mended on the page"}, record_id=first.pk)
    page_events = _events_since(mark)
    original = second.title
    mark = _mark()
    response = _api(client, world, "post", "api_record_corrections", person="reviewer",
                    data={"field": "title", "text": "Mended by a client"}, record_id=second.pk)
    assert response.status_code == 201, response.json()
    assert response.json()["original"] == original
    second.refresh_from_db()
    assert second.title == "Mended by a client"
    shapes = [_shape(e)[:2] + _shape(e)[3:] for e in _events_since(mark)]
    assert shapes == [_shape(e)[:2] + _shape(e)[3:] for e in page_events]
    listed = _api(client, world, "get", "api_record_corrections", person="viewer", record_id=second.pk).json()
    assert [(c["original"], c["corrected"], c["corrected_by"]) for c in listed] == [
        (original, "Mended by a client", "reviewer")]
    assert _api(client, world, "post", "api_record_corrections", person="viewer",
                data={"field": "title", "text": "No"}, record_id=second.pk).status_code == 403


# ---------------------------------------------------------------- searches and imports

def test_an_empty_search_is_deleted_through_the_api_as_on_the_page(client, world):
    searches = [make_search(world.review, world.people["lead"], database=f"Empty {n}") for n in (1, 2)]
    mark = _mark()
    _page(client, world, "search_edit", {"delete": "1"}, search_id=searches[0].pk)
    page_events = _events_since(mark)
    assert _api(client, world, "delete", "api_search", person="reviewer", search_id=searches[1].pk).status_code == 403
    mark = _mark()
    assert _api(client, world, "delete", "api_search", search_id=searches[1].pk).status_code == 204
    assert [_shape(e)[:3] for e in _events_since(mark)] == [_shape(e)[:3] for e in page_events]
    assert not Search.objects.filter(pk__in=[s.pk for s in searches]).exists()
    refused = _api(client, world, "delete", "api_search", search_id=world.ids["search"])
    assert refused.status_code == 400 and "imported records" in refused.json()["detail"]


def test_a_failed_import_is_retried_or_removed_through_the_api(client, world):
    SearchFile.objects.filter(pk=world.ids["file"]).update(status=SearchFile.Status.FAILED, error="Worker lost")
    with transaction.atomic():
        mark = _mark()
        response = _api(client, world, "post", "api_import_retry", file_id=world.ids["file"])
        assert response.status_code == 202, response.json()
        assert response.json()["status"] == SearchFile.Status.QUEUED
        assert [e.object_type for e in _events_since(mark)] == ["screening.SearchFile"]
        transaction.set_rollback(True)
    assert _api(client, world, "post", "api_import_retry", person="viewer",
                file_id=world.ids["file"]).status_code == 403
    # A failed file whose records stay is removed; only the upload goes.
    mark = _mark()
    assert _api(client, world, "delete", "api_import", file_id=world.ids["file"]).status_code == 204
    assert not SearchFile.objects.filter(pk=world.ids["file"]).exists()
    assert [(e.action, e.object_type) for e in _events_since(mark)] == [("delete", "screening.SearchFile")]


# ---------------------------------------------------------------- claims

def test_a_lead_releases_the_records_a_screener_holds(client, world):
    reviewer = world.people["reviewer"]
    item = ScreeningItem.objects.get(pk=world.ids["fresh"])
    Claim.objects.create(review=world.review, stage=item.stage, reviewer=reviewer, item=item,
                         expires_at=timezone.now() + timedelta(minutes=30))
    assert _api(client, world, "post", "api_claims_release", person="reviewer",
                user_id=reviewer.pk).status_code == 403
    mark = _mark()
    response = _api(client, world, "post", "api_claims_release", user_id=reviewer.pk)
    assert response.json() == {"released": 1}
    assert not Claim.objects.filter(reviewer=reviewer).exists()
    assert [e.object_label for e in _events_since(mark)] == ["records held by reviewer released"]


# ---------------------------------------------------------------- the PRISMA checklist

def test_the_checklist_is_read_and_saved_through_the_api_as_on_the_page(client, world):
    items = _api(client, world, "get", "api_prisma_checklist", person="viewer").json()
    assert items[0]["item"] == "1" and items[0]["asks"]
    mark = _mark()
    page_data = {f"location-{row['item']}": row["location"] for row in items}
    page_data.update({f"note-{row['item']}": row["note"] for row in items if row["saved"]})
    page_data["location-1"] = "Title page"
    _page(client, world, "prisma_checklist", page_data)
    page_items = {e.item: (e.location, e.note) for e in ChecklistEntry.objects.filter(review=world.review)}
    page_shapes = [_shape(e) for e in _events_since(mark) if e.object_label.endswith(" 1")]
    ChecklistEntry.objects.filter(review=world.review).delete()

    mark = _mark()
    response = _api(client, world, "patch", "api_prisma_checklist", data={"items": [{"item": "1",
                                                                                     "location": "Title page"}]})
    assert response.status_code == 200, response.json()
    assert response.json()["changed"] == 1
    assert {e.item: (e.location, e.note) for e in ChecklistEntry.objects.filter(review=world.review)}["1"] == \
        page_items["1"]
    assert [_shape(e) for e in _events_since(mark)] == page_shapes
    refused = _api(client, world, "patch", "api_prisma_checklist", data={"items": [{"item": "99", "location": "x"}]})
    assert refused.status_code == 400 and "99" in refused.json()["detail"]
    assert _api(client, world, "patch", "api_prisma_checklist", person="reviewer",
                data={"items": []}).status_code == 403


# ---------------------------------------------------------------- the summary of findings

def test_the_summary_of_findings_is_read_and_its_settings_saved_through_the_api(client, world):
    rows = _api(client, world, "get", "api_sof", person="viewer").json()
    assert [r["outcome_name"] for r in rows] == ["Parental depression"]
    assert rows[0]["run"] is None and rows[0]["certainty"] == 0
    outcome = world.ids["outcome"]
    mark = _mark()
    response = _api(client, world, "patch", "api_sof_settings", data={"comment": "Few studies", "control_risk": 0.2},
                    outcome_id=outcome)
    assert response.status_code == 200, response.json()
    assessment = GradeAssessment.objects.get(outcome_id=outcome)
    assert (assessment.comment, assessment.control_risk) == ("Few studies", 0.2)
    assert {e.object_type for e in _events_since(mark)} == {"analysis.GradeAssessment"}
    refused = _api(client, world, "patch", "api_sof_settings", data={"control_risk": 2}, outcome_id=outcome)
    assert refused.status_code == 400 and "proportion" in refused.json()["detail"]
    assert _api(client, world, "patch", "api_sof_settings", person="reviewer", data={"comment": "x"},
                outcome_id=outcome).status_code == 403
    assert _api(client, world, "get", "api_sof", person="viewer").json()[0]["settings"]["comment"] == "Few studies"
