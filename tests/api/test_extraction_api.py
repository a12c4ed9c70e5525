"""The extraction API: an extractor saves their entry as JSON and reads it back; bad answers are
refused with the field at fault and change nothing; the other extractor's answers stay hidden until
both are done; a settler settles, finalises and reopens; the final data reach the outcome data list
analyses pool; every change is in the audit trail."""
from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from extraction import services
from extraction.models import Entry, Extraction
from reviewapp import services as review_services
from reviewapp.models import AuditEvent
from tests.api.conftest import auth
from tests.extraction import conftest as extraction_fixtures

extractors, outcomes, studies, builtin = (extraction_fixtures.extractors, extraction_fixtures.outcomes,
                                          extraction_fixtures.studies, extraction_fixtures.builtin)

pytestmark = pytest.mark.django_db

ROW = {"outcome": "Parental depression", "instrument": "EPDS", "higher_is_better": "No", "timepoint": "post",
       "data_type": "Means (two groups)", "i_n": 50, "i_mean": 8.1, "i_sd": 4.2, "c_n": 48, "c_mean": 10.3,
       "c_sd": 4.5}
ANSWERS = {"design": "Randomised controlled trial", "intervention_category": "Contemporary mentalization-based",
           "programme": "Minding the Baby", "started_in_pregnancy": "Yes", "participants": "Mothers",
           "setting": ["Home", "Clinic"], "format": "Individual", "country": "United States", "n_caregivers": 105,
           "arms": [{"name": "Minding the Baby", "role": "Intervention"}, {"name": "Usual care", "role": "Comparator"}],
           "outcome_data": [ROW]}


def token(user) -> dict:
    return auth(review_services.api_token_create(user=user, name="tests", scope="read-write")[1])


def entry_url(template, study) -> str:
    return reverse("api_extraction_entry", args=[template.review_id, template.pk, study.pk])


def put(client, template, study, user, answers, done=False):
    return client.put(entry_url(template, study), data={"answers": answers, "done": done},
                      content_type="application/json", **token(user))


def extraction_of(template, study) -> Extraction:
    return Extraction.objects.get(template=template, study=study)


def both_done(client, template, study, extractors, b_changes=None):
    a, b = extractors
    assert put(client, template, study, a, ANSWERS, done=True).status_code == 200
    response = put(client, template, study, b, {**ANSWERS, **(b_changes or {})}, done=True)
    assert response.status_code == 200, response.json()
    return extraction_of(template, study)


def test_an_extractor_saves_an_entry_and_reads_it_back(client, builtin, studies, extractors):
    a = extractors[0]
    assert client.get(entry_url(builtin, studies[0]), **token(a)).json()["started"] is False
    response = put(client, builtin, studies[0], a, ANSWERS)
    assert response.status_code == 200, response.json()
    saved = response.json()
    assert saved["started"] and not saved["done"] and saved["answers"] == ANSWERS and saved["version"] == 1
    assert client.get(entry_url(builtin, studies[0]), **token(a)).json()["answers"] == ANSWERS
    entry = Entry.objects.get(user=a)
    assert entry.answers == ANSWERS
    extraction = client.get(reverse("api_extraction", args=[builtin.review_id, saved["extraction"]]),
                            **token(a)).json()
    assert extraction["status"] == "in_progress" and extraction["my_entry"]["answers"] == ANSWERS
    assert extraction["consensus"] is None
    event = AuditEvent.objects.filter(object_type="extraction.Entry", object_id=str(entry.pk),
                                      action="update").get()
    assert event.actor == a and event.after["answers"] == ANSWERS
    # Marking done: the list shows it, and a done entry changes only after reopening.
    assert put(client, builtin, studies[0], a, ANSWERS, done=True).json()["done"] is True
    refused = put(client, builtin, studies[0], a, {**ANSWERS, "programme": "Other"})
    assert refused.status_code == 400 and "reopen" in refused.json()["detail"]
    listed = client.get(reverse("api_extractions", args=[builtin.review_id]), {"study": studies[0].pk},
                        **token(a)).json()
    assert listed["count"] == 1 and listed["results"][0]["mine"]["done"] is True
    reopen = reverse("api_extraction_entry_reopen", args=[builtin.review_id, builtin.pk, studies[0].pk])
    assert client.post(reopen, **token(a)).json()["done"] is False
    assert put(client, builtin, studies[0], a, {**ANSWERS, "programme": "Other"}).status_code == 200


@pytest.mark.parametrize("change, field, words", [
    ({"n_caregivers": "many"}, "answers.n_caregivers", "whole number expected"),
    ({"n_caregivers": 0}, "answers.n_caregivers", "at least 1"),
    ({"country": "Atlantis"}, "answers.country", "not one of the choices"),
    ({"setting": "Home"}, "answers.setting", "a list"),
    ({"design": ["Randomised controlled trial"]}, "answers.design", "one value expected"),
    ({"colour": "blue"}, "answers.colour", "No such field"),
    ({"arms": {"name": "x"}}, "answers.arms", "a list of rows"),
    ({"arms": [{"name": "A", "shoe_size": 3}]}, "answers.arms.0.shoe_size", "No such field"),
    ({"outcome_data": [{**ROW, "i_sd": -1}]}, "answers.outcome_data.0.i_sd", "SD must be greater than 0"),
    ({"outcome_data": [{**ROW, "i_n": 50, "i_events": 60, "data_type": "Events (two groups)"}]},
     "answers.outcome_data.0.i_events", "cannot exceed"),
])
def test_a_bad_answer_is_refused_with_the_field_at_fault_and_changes_nothing(
        client, builtin, studies, extractors, change, field, words):
    a = extractors[0]
    assert put(client, builtin, studies[0], a, ANSWERS).status_code == 200
    events = AuditEvent.objects.count()
    response = put(client, builtin, studies[0], a, {**copy.deepcopy(ANSWERS), "programme": "Typed now", **change})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and words in body["detail"], body
    entry = Entry.objects.get(user=a)
    assert entry.answers == ANSWERS and entry.draft is None  # nothing kept of the refused save
    assert AuditEvent.objects.count() == events


def test_a_refused_first_save_leaves_no_entry_and_done_says_what_is_missing(client, builtin, studies, extractors):
    a = extractors[0]
    response = put(client, builtin, studies[0], a, {"n_caregivers": -3})
    assert response.status_code == 400 and response.json()["field"] == "answers.n_caregivers"
    assert not Entry.objects.exists() and not Extraction.objects.exists()
    missing = put(client, builtin, studies[0], a, {"design": "Randomised controlled trial"}, done=True)
    assert missing.status_code == 400
    # Each missing answer is named at its own path (here the first of the form's required fields).
    assert missing.json()["field"] == "answers.intervention_category"
    assert "required before marking done" in missing.json()["detail"]
    assert not Entry.objects.exists()
    bad_body = client.put(entry_url(builtin, studies[0]), data={"answers": "all of them"},
                          content_type="application/json", **token(a))
    assert bad_body.status_code == 400 and bad_body.json()["field"] == "answers"


def test_the_other_extractors_answers_stay_hidden_until_both_are_done(client, builtin, studies, extractors, people):
    a, b = extractors
    secret = "A programme only the first extractor typed"
    put(client, builtin, studies[0], a, {**ANSWERS, "programme": secret}, done=True)
    put(client, builtin, studies[0], b, ANSWERS)
    extraction = extraction_of(builtin, studies[0])
    urls = [reverse("api_extraction", args=[builtin.review_id, extraction.pk]),
            reverse("api_extractions", args=[builtin.review_id]),
            reverse("api_extraction_differences", args=[builtin.review_id, extraction.pk]),
            entry_url(builtin, studies[0])]
    for url in urls:
        response = client.get(url, **token(b))
        assert response.status_code == 200 and secret not in response.content.decode(), url
    detail = client.get(urls[0], **token(b)).json()
    assert [(e["user"], e["done"]) for e in detail["entries"]] == [(a.username, True), (b.username, False)]
    waiting = client.get(urls[2], **token(people["lead"])).json()
    assert waiting["comparable"] is False and waiting["rows"] == [] and waiting["entries"] == []
    # Once both are done the comparison opens to whoever settles; the two and the other extractors
    # see it once the consensus is final; a viewer never.
    assert put(client, builtin, studies[0], b, ANSWERS, done=True).status_code == 200
    for person in (b, a, people["extractor"]):
        blind = client.get(urls[2], **token(person))
        assert blind.status_code == 200 and secret not in blind.content.decode()
        assert blind.json()["comparable"] is False and "Blind until the differences are settled" in \
            blind.json()["blind_reason"]
    entry = client.get(entry_url(builtin, studies[0]), **token(b)).json()
    assert "Both entries are done and differ" in entry["frozen_reason"]
    compared = client.get(urls[2], **token(people["lead"])).json()
    assert compared["comparable"] is True and compared["may_settle"] is True
    row = next(r for r in compared["rows"] if r["path"] == "programme")
    assert (row["a"], row["b"], row["differs"]) == (secret, "Minding the Baby", True)
    for person in ("viewer", "reviewer"):
        refused = client.get(urls[2], **token(people[person]))
        assert refused.status_code == 403 and "role" in refused.json()["detail"]
    services.settlement_record(actor=people["lead"], extraction=extraction, path="programme", choice="a")
    services.consensus_finalise(actor=people["lead"], extraction=extraction)
    compared = client.get(urls[2], **token(b)).json()
    assert compared["comparable"] is True and compared["may_settle"] is False


def test_the_copy_attack_is_refused_through_the_api(client, builtin, studies, extractors):
    a, b = extractors
    extraction = both_done(client, builtin, studies[0], extractors, {"format": "Group"})
    reopen = client.post(reverse("api_extraction_entry_reopen", args=[builtin.review_id, builtin.pk, studies[0].pk]),
                         **token(b))
    assert reopen.status_code == 400 and "Both entries are done and differ" in reopen.json()["detail"]
    again = put(client, builtin, studies[0], b, ANSWERS, done=True)
    assert again.status_code == 400 and "Both entries are done and differ" in again.json()["detail"]
    assert {e.user: e.answers["format"] for e in extraction.entries.all()} == {a: "Individual", b: "Group"}


def test_a_lead_settles_finalises_and_reopens_and_the_data_reach_outcome_data(
        client, builtin, studies, extractors, people, review):
    extraction = both_done(client, builtin, studies[0], extractors,
                           {"format": "Group", "outcome_data": [{**ROW, "c_mean": 11.0}]})
    base = [review.pk, extraction.pk]
    lead, viewer = token(people["lead"]), token(people["viewer"])
    refused = client.post(reverse("api_extraction_settlements", args=base), data={"path": "format", "choice": "b"},
                          content_type="application/json", **token(extractors[0]))
    assert refused.status_code == 403 and "role" in refused.json()["detail"]
    differences = client.get(reverse("api_extraction_differences", args=base), **lead).json()
    assert differences["may_settle"] and differences["open"] == 2
    assert {r["path"] for r in differences["rows"] if r["differs"]} == {"format", "outcome_data[0].c_mean"}
    early = client.post(reverse("api_extraction_finalise", args=base), **lead)
    assert early.status_code == 400 and "2 differences still to settle" in early.json()["detail"]
    agree = client.post(reverse("api_extraction_settlements", args=base), data={"path": "design", "choice": "a"},
                        content_type="application/json", **lead)
    assert agree.status_code == 400 and agree.json()["field"] == "path"
    wrong = client.post(reverse("api_extraction_settlements", args=base),
                        data={"path": "outcome_data[0].c_mean", "choice": "other", "other": "ten"},
                        content_type="application/json", **lead)
    assert wrong.status_code == 400 and wrong.json()["field"] == "other"
    for path, choice in (("format", "b"), ("outcome_data[0].c_mean", "a")):
        settled = client.post(reverse("api_extraction_settlements", args=base),
                              data={"path": path, "choice": choice, "note": "checked the paper"},
                              content_type="application/json", **lead)
        assert settled.status_code == 200 and settled.json()["settled_by"] == "lead"
    final = client.post(reverse("api_extraction_finalise", args=base), **lead).json()
    assert final["status"] == "done" and final["finalised_by"] == "lead"
    assert final["consensus"]["format"] == "Group" and final["consensus"]["outcome_data"][0]["c_mean"] == 10.3
    assert client.get(reverse("api_extraction", args=base), **viewer).json()["consensus"] == final["consensus"]
    assert AuditEvent.objects.filter(object_type="extraction.Settlement").count() == 2
    assert AuditEvent.objects.filter(object_type="extraction.Extraction", object_id=str(extraction.pk),
                                     after__consensus__format="Group").exists()
    # The final data are what analyses pool: the outcome data list carries the row and its effect.
    data = client.get(reverse("api_outcome_data", args=[review.pk]), {"outcome": "Parental depression"},
                      **viewer).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["study"] == studies[0].pk and row["values"]["c_mean"] == 10.3 and row["design"] == ANSWERS["design"]
    effect = row["effect"]
    assert effect["complete"] and effect["measure"] == "SMD" and effect["ci_lb"] < effect["yi"] < effect["ci_ub"]
    # Fewer EPDS points in the intervention arm, on an outcome where lower favours the intervention.
    assert effect["yi"] < 0 and effect["favours"] == "below 0 favours the intervention" and not effect["flipped"]
    assert client.get(reverse("api_outcome_data", args=[review.pk]), {"outcome": "Parental reflective functioning"},
                      **viewer).json()["count"] == 0
    reopened = client.post(reverse("api_extraction_reopen", args=base), **lead).json()
    assert reopened["status"] == "awaiting_consensus" and reopened["consensus"] is None
    assert client.get(reverse("api_outcome_data", args=[review.pk]), **viewer).json()["count"] == 0


def test_the_settler_a_lead_names_settles_as_on_the_pages(client, builtin, studies, extractors, people, make_user):
    extraction = both_done(client, builtin, studies[0], extractors, {"format": "Group"})
    third = make_user("third")
    review_services.member_roles_set(actor=people["lead"], review=builtin.review, user=third, roles=["extractor"])
    url = reverse("api_extraction_settlements", args=[builtin.review_id, extraction.pk])
    body = {"path": "format", "choice": "a"}
    assert client.post(url, data=body, content_type="application/json", **token(third)).status_code == 403
    services.template_settler_set(actor=people["lead"], template=builtin, settler=third)
    assert client.post(url, data=body, content_type="application/json", **token(third)).status_code == 200


def test_forms_list_their_versions_and_definitions(client, builtin, people):
    viewer = token(people["viewer"])
    forms = client.get(reverse("api_extraction_forms", args=[builtin.review_id]), **viewer).json()["results"]
    assert [(f["name"], f["current_version"]) for f in forms] == [(builtin.name, 1)]
    detail = client.get(reverse("api_extraction_form", args=[builtin.review_id, builtin.pk]), **viewer).json()
    keys = {s["key"] for s in detail["definition"]["sections"]}
    assert {"arms", "outcome_data"} <= keys
    version = client.get(reverse("api_extraction_form_version", args=[builtin.review_id, builtin.pk, 1]),
                         **viewer).json()
    assert version["definition"] == detail["definition"]
    assert client.get(reverse("api_extraction_form_version", args=[builtin.review_id, builtin.pk, 2]),
                      **viewer).status_code == 404


def test_the_list_of_extractions_takes_as_many_queries_for_three_studies_as_for_one(
        client, builtin, studies, extractors):
    url = reverse("api_extractions", args=[builtin.review_id])
    headers = token(extractors[0])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, **headers).status_code == 200
        return len(captured)

    put(client, builtin, studies[0], extractors[0], ANSWERS)
    queries()  # the token's first use is recorded once; count from the second request on
    one = queries()
    for study in studies[1:]:
        put(client, builtin, study, extractors[0], ANSWERS)
        put(client, builtin, study, extractors[1], ANSWERS)
    assert queries() == one


def test_a_lead_builds_and_publishes_a_form_that_an_extractor_then_fills(
        client, review, people, outcomes, studies, extractors):
    lead = token(people["lead"])
    forms = reverse("api_extraction_forms", args=[review.pk])
    unnamed = client.post(forms, data={}, content_type="application/json", **lead)
    assert unnamed.status_code == 400 and unnamed.json()["field"] == "name"
    made = client.post(forms, data={"name": "Short form"}, content_type="application/json", **lead)
    assert made.status_code == 201 and made.json()["current_version"] is None
    form_id = made.json()["id"]
    sections = reverse("api_extraction_form_sections", args=[review.pk, form_id])
    section = client.post(sections, data={"title": "Funding"}, content_type="application/json", **lead).json()
    key = section["draft"]["sections"][0]["key"]
    fields = reverse("api_extraction_form_fields", args=[review.pk, form_id, key])
    one_choice = client.post(fields, data={"label": "Funder", "type": "single", "choices": ["Industry"]},
                             content_type="application/json", **lead)
    assert one_choice.status_code == 400 and "at least two choices" in one_choice.json()["detail"]
    added = client.post(fields, data={"label": "Funder", "type": "single", "choices": ["Industry", "Public"],
                                      "required": True}, content_type="application/json", **lead)
    assert added.status_code == 201
    assert client.post(sections, data={"outcome_data": True}, content_type="application/json",
                       **lead).status_code == 201
    versions = reverse("api_extraction_form_versions", args=[review.pk, form_id])
    published = client.post(versions, data={"note": "First"}, content_type="application/json", **lead)
    assert published.status_code == 201 and published.json()["number"] == 1
    again = client.post(versions, data={}, content_type="application/json", **lead)
    assert again.status_code == 400 and "nothing to publish" in again.json()["detail"]
    assert AuditEvent.objects.filter(object_type="extraction.FormVersion", actor=people["lead"]).count() == 1
    template = review.form_templates.get(pk=form_id)
    saved = put(client, template, studies[0], extractors[0], {"funder": "Public", "outcome_data": [ROW]}, done=True)
    assert saved.status_code == 200 and saved.json()["answers"]["funder"] == "Public"
    # Who else may settle: an extractor of the review, not someone outside it.
    detail = reverse("api_extraction_form", args=[review.pk, form_id])
    outsider = client.patch(detail, data={"settler": people["outsider"].pk}, content_type="application/json", **lead)
    assert outsider.status_code == 400 and outsider.json()["field"] == "settler"
    named = client.patch(detail, data={"settler": extractors[1].pk}, content_type="application/json", **lead)
    assert named.status_code == 200 and named.json()["settler"] == extractors[1].username


def test_a_lead_changes_and_removes_draft_sections_and_fields(client, builtin, people):
    lead = token(people["lead"])
    section = reverse("api_extraction_form_section", args=[builtin.review_id, builtin.pk, "sample"])
    field = reverse("api_extraction_form_field", args=[builtin.review_id, builtin.pk, "sample", "n_caregivers"])
    renamed = client.patch(section, data={"title": "Participants"}, content_type="application/json", **lead)
    assert renamed.status_code == 200
    sample = next(s for s in renamed.json()["draft"]["sections"] if s["key"] == "sample")
    assert sample["title"] == "Participants" and sample["fields"]  # the rest of the section is kept
    not_an_object = client.patch(section, data=["title"], content_type="application/json", **lead)
    assert not_an_object.status_code == 400 and not_an_object.json()["detail"]
    changed = client.patch(field, data={"max": 5000}, content_type="application/json", **lead).json()
    n = next(f for s in changed["draft"]["sections"] for f in s["fields"] if f["key"] == "n_caregivers")
    assert n["max"] == 5000 and n["type"] == "integer" and n["label"]
    wrong = client.patch(field, data={"min": 10, "max": 5}, content_type="application/json", **lead)
    assert wrong.status_code == 400 and "smallest allowed value" in wrong.json()["detail"]
    builtin_group = reverse("api_extraction_form_field", args=[builtin.review_id, builtin.pk, "outcome_data", "i_n"])
    refused = client.delete(builtin_group, **lead)
    assert refused.status_code == 400 and "built in" in refused.json()["detail"]
    assert client.delete(field, **lead).status_code == 200
    assert client.patch(field, data={"max": 1}, content_type="application/json", **lead).status_code == 404
    removed = client.delete(section, **lead).json()
    assert "sample" not in {s["key"] for s in removed["draft"]["sections"]}
    assert removed["definition"] != removed["draft"]  # the published version is untouched until publishing
