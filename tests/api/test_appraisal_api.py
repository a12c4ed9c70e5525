"""The appraisal API: RoB 2 appraised per result through JSON answers, whose proposals follow from
the answers; blind to the other appraiser until both are done; a bad answer refused with the field
at fault; consensus settled, finalised and reopened by the lead; the judgements readable by every
member once final, and every change in the audit trail."""
from __future__ import annotations

import pytest
from django.urls import reverse

from extraction.appraisal import services
from extraction.models import AppraisalTool, Entry, Extraction
from reviewapp import services as review_services
from reviewapp.models import AuditEvent
from tests.api.conftest import auth
from tests.extraction import conftest as extraction_fixtures

extractors, outcomes, studies = (extraction_fixtures.extractors, extraction_fixtures.outcomes,
                                 extraction_fixtures.studies)

pytestmark = pytest.mark.django_db

# RoB 2 answers giving low in every domain (effect of assignment).
ROB2 = {"q1_1": "Y", "q1_2": "Y", "q1_3": "N", "q2_1": "Y", "q2_2": "Y", "q2_3": "PN", "q2_6": "Y",
        "q3_1": "Y", "q4_1": "N", "q4_2": "N", "q4_3": "N", "q5_1": "Y", "q5_2": "N", "q5_3": "N"}
RESULT = {"outcome": "Parental depression", "effect": "assignment"}


@pytest.fixture
def rob2(review, people, outcomes):
    services.builtin_tools_load()
    return services.tool_form_add(actor=people["lead"], review=review,
                                  tool=AppraisalTool.objects.get(slug="rob2-parallel"))


def token(user) -> dict:
    return auth(review_services.api_token_create(user=user, name="tests", scope="read-write")[1])


def entry_url(template, study, **target) -> str:
    url = reverse("api_appraisal_entry", args=[template.review_id, template.pk, study.pk])
    return url + "?" + "&".join(f"{k}={v}" for k, v in (target or RESULT).items())


def put(client, template, study, user, answers, done=False, **target):
    return client.put(entry_url(template, study, **target), data={"answers": answers, "done": done},
                      content_type="application/json", **token(user))


def test_an_appraiser_saves_answers_and_reads_the_proposals_they_give(client, rob2, studies, extractors):
    a = extractors[0]
    blank = client.get(entry_url(rob2, studies[0]), **token(a))
    assert blank.status_code == 200 and blank.json()["started"] is False
    response = put(client, rob2, studies[0], a, {**ROB2, "q1_2": "NI", "q1_2_note": "Concealment not reported."})
    assert response.status_code == 200, response.json()
    saved = response.json()
    assert saved["answers"]["q1_2_note"] == "Concealment not reported."
    assert saved["answers"]["d1_proposed"] == saved["answers"]["overall_proposed"] == "Some concerns"
    detail = client.get(reverse("api_appraisal", args=[rob2.review_id, saved["extraction"]]), **token(a)).json()
    assert (detail["outcome"], detail["effect"], detail["status"]) == ("Parental depression", "assignment",
                                                                        "in_progress")
    mine = {j["key"]: j for j in detail["my_judgements"]["domains"]}
    assert mine["d1"]["proposed"] == "Some concerns" and mine["d1"]["proposal_reason"]
    assert detail["my_judgements"]["overall"]["final"] == "Some concerns"
    assert detail["judgements"] is None and detail["overall"] is None
    entry = Entry.objects.get(user=a)
    assert AuditEvent.objects.filter(object_type="extraction.Entry", object_id=str(entry.pk), action="update",
                                     actor=a).exists()
    # An override needs a reason before the appraisal is done.
    override = put(client, rob2, studies[0], a, {**ROB2, "d1_judgement": "High"}, done=True)
    assert override.status_code == 400 and "a reason for overriding" in override.json()["detail"]
    done = put(client, rob2, studies[0], a, {**ROB2, "d1_judgement": "High", "d1_reason": "Sealed envelopes."},
               done=True)
    assert done.status_code == 200 and done.json()["done"] is True


@pytest.mark.parametrize("answers, target, field", [
    ({**ROB2, "q1_1": "Maybe"}, RESULT, "answers.q1_1"),
    ({**ROB2, "q9_9": "Y"}, RESULT, "answers.q9_9"),
    ({**ROB2, "d1_judgement": "Dreadful"}, RESULT, "answers.d1_judgement"),
    (ROB2, {"outcome": "Sleep", "effect": "assignment"}, "outcome"),
    (ROB2, {"outcome": "Parental depression", "effect": "per protocol"}, "effect"),
])
def test_a_bad_answer_or_result_is_refused_with_the_field_and_nothing_is_saved(
        client, rob2, studies, extractors, answers, target, field):
    response = put(client, rob2, studies[0], extractors[0], answers, **target)
    assert response.status_code == 400 and response.json()["field"] == field, response.json()
    assert not Extraction.objects.filter(template=rob2).exists() and not Entry.objects.exists()


def _both_done(client, rob2, study, extractors, b_answers):
    a, b = extractors
    assert put(client, rob2, study, a, ROB2, done=True).status_code == 200
    assert put(client, rob2, study, b, b_answers).status_code == 200
    return Extraction.objects.get(template=rob2, study=study)


def test_appraisers_are_blind_to_each_other_and_only_they_and_the_lead_compare(
        client, rob2, studies, extractors, people):
    a, b = extractors
    secret = "Only the first appraiser wrote this."
    assert put(client, rob2, studies[0], a, {**ROB2, "q1_1_note": secret}, done=True).status_code == 200
    b_answers = {**ROB2, "q1_2": "NI"}
    assert put(client, rob2, studies[0], b, b_answers).status_code == 200
    appraisal = Extraction.objects.get(template=rob2, study=studies[0])
    differences = reverse("api_appraisal_differences", args=[rob2.review_id, appraisal.pk])
    for url in (reverse("api_appraisal", args=[rob2.review_id, appraisal.pk]), differences,
                reverse("api_appraisals", args=[rob2.review_id]), entry_url(rob2, studies[0])):
        response = client.get(url, **token(b))
        assert response.status_code == 200 and secret not in response.content.decode(), url
    assert client.get(differences, **token(people["lead"])).json()["comparable"] is False
    assert put(client, rob2, studies[0], b, b_answers, done=True).status_code == 200
    # Both done and differing: still blind to the two (and to other extractors) until settled.
    for person in (a, b, people["reviewer_extractor"]):
        blind = client.get(differences, **token(person))
        assert blind.status_code == 200 and secret not in blind.content.decode()
        assert blind.json()["comparable"] is False and blind.json()["domains"] == []
    refused = client.get(differences, **token(people["viewer"]))
    assert refused.status_code == 403 and "role" in refused.json()["detail"]
    compared = client.get(differences, **token(people["lead"])).json()
    assert compared["may_settle"] is True
    d1 = next(d for d in compared["domains"] if d["key"] == "d1")
    q = next(q for q in d1["questions"] if q["key"] == "q1_2")
    assert (q["a"], q["b"], q["differs"]) == ("Y", "NI", True)
    assert (d1["a"]["final"], d1["b"]["final"]) == ("Low", "Some concerns")
    reopen = client.post(reverse("api_appraisal_entry_reopen", args=[rob2.review_id, rob2.pk, studies[0].pk])
                         + "?" + entry_url(rob2, studies[0]).split("?", 1)[1], **token(b))
    assert reopen.status_code == 400 and "Both entries are done and differ" in reopen.json()["detail"]


def test_the_lead_settles_finalises_and_reopens_an_appraisal(client, rob2, studies, extractors, people, review):
    appraisal = _both_done(client, rob2, studies[0], extractors, {**ROB2, "q1_2": "NI"})
    assert put(client, rob2, studies[0], extractors[1], {**ROB2, "q1_2": "NI"}, done=True).status_code == 200
    base = [review.pk, appraisal.pk]
    lead, viewer = token(people["lead"]), token(people["viewer"])
    refused = client.post(reverse("api_appraisal_settlements", args=base), data={"path": "q1_2", "choice": "a"},
                          content_type="application/json", **token(extractors[0]))
    assert refused.status_code == 403
    compared = client.get(reverse("api_appraisal_differences", args=base), **lead).json()
    assert compared["open"] == 1
    early = client.post(reverse("api_appraisal_finalise", args=base), **lead)
    assert early.status_code == 400 and "1 difference still to settle" in early.json()["detail"]
    settled = client.post(reverse("api_appraisal_settlements", args=base),
                          data={"path": "q1_2", "choice": "b", "note": "Not reported in the trial."},
                          content_type="application/json", **lead)
    assert settled.status_code == 200 and settled.json()["value"] == "NI"
    final = client.post(reverse("api_appraisal_finalise", args=base), **lead)
    assert final.status_code == 200, final.json()
    body = final.json()
    assert body["status"] == "done" and body["overall"] == "Some concerns"
    # Every member reads the consensus judgements once final, as the figures and the CSV show them.
    seen = client.get(reverse("api_appraisal", args=base), **viewer).json()
    domains = {d["key"]: d["final"] for d in seen["judgements"]["domains"]}
    assert domains["d1"] == "Some concerns" and domains["d2"] == "Low"
    assert seen["judgements"]["overall"]["final"] == "Some concerns" and seen["consensus"]["q1_2"] == "NI"
    listed = client.get(reverse("api_appraisals", args=[review.pk]), {"outcome": "Parental depression",
                                                                      "status": "done"}, **viewer).json()
    assert [(r["id"], r["overall"]) for r in listed["results"]] == [(appraisal.pk, "Some concerns")]
    assert client.get(reverse("api_appraisals", args=[review.pk]), {"outcome": "Sleep"}, **viewer).json()["count"] == 0
    assert AuditEvent.objects.filter(object_type="extraction.Extraction", object_id=str(appraisal.pk),
                                     actor=people["lead"]).exists()
    reopened = client.post(reverse("api_appraisal_reopen", args=base), **lead).json()
    assert reopened["status"] == "awaiting_consensus" and reopened["judgements"] is None


def test_tools_list_their_levels_effects_and_questions(client, rob2, people):
    viewer = token(people["viewer"])
    listed = client.get(reverse("api_appraisal_tools", args=[rob2.review_id]), **viewer).json()["results"]
    assert [(t["tool"], t["level"], t["effects"]) for t in listed] == [("rob2-parallel", "result",
                                                                          ["assignment", "adhering"])]
    assert listed[0]["judgement_levels"][:3] == ["Low", "Some concerns", "High"]
    detail = client.get(reverse("api_appraisal_tool", args=[rob2.review_id, rob2.pk]), **viewer).json()
    first = detail["definition"]["domains"][0]
    assert first["key"] == "d1" and first["questions"][0]["key"] == "q1_1"


def test_a_lead_adds_tools_and_names_a_settler_who_then_settles(client, review, people, outcomes, studies,
                                                                   extractors, make_user):
    services.builtin_tools_load()
    lead = token(people["lead"])
    url = reverse("api_appraisal_tools", args=[review.pk])
    unknown = client.post(url, data={"tool": "rob3"}, content_type="application/json", **lead)
    assert unknown.status_code == 400 and unknown.json()["field"] == "tool"
    added = client.post(url, data={"tool": "robins-i"}, content_type="application/json", **lead)
    assert added.status_code == 201 and added.json()["level"] == "study"
    no_questions = client.post(url, data={"name": "Checklist", "domains": "Sample"}, content_type="application/json",
                               **lead)
    assert no_questions.status_code == 400 and "has no questions" in no_questions.json()["detail"]
    custom = client.post(url, data={"name": "Checklist", "scale": ["Good", "Poor"],
                                    "domains": "Sample\n- Representative?\nAnalysis\n- Adjusted? (NA)"},
                         content_type="application/json", **lead)
    assert custom.status_code == 201, custom.json()
    body = custom.json()
    assert [len(d["questions"]) for d in body["definition"]["domains"]] == [1, 1]
    assert body["judgement_levels"] == ["Good", "Poor"]
    template = review.form_templates.get(pk=body["id"])
    a, b = extractors
    for person, answer in ((a, "Yes"), (b, "No")):
        saved = client.put(reverse("api_appraisal_entry", args=[review.pk, template.pk, studies[0].pk]),
                           data={"answers": {"q1_1": answer, "d1_judgement": "Good", "d2_judgement": "Good"},
                                 "done": True}, content_type="application/json", **token(person))
        assert saved.status_code == 200, saved.json()
    appraisal = Extraction.objects.get(template=template)
    third = make_user("third")
    review_services.member_roles_set(actor=people["lead"], review=review, user=third, roles=["extractor"])
    settle = reverse("api_appraisal_settlements", args=[review.pk, appraisal.pk])
    body = {"path": "q1_1", "choice": "b"}
    assert client.post(settle, data=body, content_type="application/json", **token(third)).status_code == 403
    tool_url = reverse("api_appraisal_tool", args=[review.pk, template.pk])
    named = client.patch(tool_url, data={"settler": third.pk}, content_type="application/json", **lead)
    assert named.status_code == 200 and named.json()["settler"] == "third"
    assert client.post(settle, data=body, content_type="application/json", **token(third)).status_code == 200
    final = client.post(reverse("api_appraisal_finalise", args=[review.pk, appraisal.pk]), **token(third)).json()
    assert final["overall"] == "Good" and final["finalised_by"] == "third"
