"""Screening through the API: the queue, decisions (stored once), blindness as on the pages,
conflicts, uploads with their progress URL, and the records list's filters."""
from __future__ import annotations

import io

import pytest
from django.urls import reverse

from screening.models import Decision, Record, SearchFile
from tests.api.conftest import auth

pytestmark = pytest.mark.django_db


def get(client, world, person, name, *args, query=""):
    response = client.get(reverse(name, args=[world.review.pk, *args]) + query, **auth(world.tokens[person]))
    assert response.status_code == 200, response.content
    return response.json()


def post(client, world, person, name, *args, data=None):
    return client.post(reverse(name, args=[world.review.pk, *args]), data or {}, content_type="application/json",
                       **auth(world.tokens[person]))


def test_a_reviewer_screens_next_records_and_each_decision_is_stored_once(client, world):
    seen = []
    for _ in range(3):
        item = get(client, world, "reviewer_extractor", "api_screening_next", "ta")["item"]
        assert item["values"] == ["include", "maybe", "exclude"] and item["id"] not in seen
        seen.append(item["id"])
        for _ in range(2):  # a retried request
            response = post(client, world, "reviewer_extractor", "api_decisions",
                            data={"item": item["id"], "value": "exclude"})
            assert response.status_code == 201
    assert Decision.objects.filter(item_id__in=seen, reviewer=world.people["reviewer_extractor"]).count() == 3
    mine = get(client, world, "reviewer_extractor", "api_decisions", query="?stage=ta&value=exclude")
    assert {d["item"] for d in mine["results"]} >= set(seen)


def test_undo_gives_the_record_back(client, world):
    item = get(client, world, "viewer", "api_screening_progress")[0]
    assert item["stage"] == "ta"
    post(client, world, "lead", "api_decisions", data={"item": world.ids["fresh"], "value": "include"})
    response = post(client, world, "lead", "api_decision_undo", "ta")
    assert response.status_code == 200 and response.json()["id"] == world.ids["fresh"]
    assert not Decision.objects.filter(item_id=world.ids["fresh"], reviewer=world.people["lead"]).exists()


def test_a_full_text_exclusion_without_a_reason_names_the_problem(client, world):
    assert get(client, world, "lead", "api_records", query="?stage=ft")["count"] == 1
    post(client, world, "lead", "api_conflict_resolve", world.ids["conflict"], data={"value": "include"})
    assert get(client, world, "lead", "api_records", query="?stage=ft")["count"] == 2
    item = get(client, world, "lead", "api_screening_next", "ft")["item"]
    response = post(client, world, "lead", "api_decisions", data={"item": item["id"], "value": "exclude"})
    assert response.status_code == 400 and response.json()["detail"] == "Excluding a full text needs a reason."


def test_blind_screening_hides_others_decisions_on_a_waiting_record(client, world):
    waiting = world.ids["waiting"]
    own = get(client, world, "reviewer", "api_screening_item", waiting)["decisions"]
    assert [(d["reviewer"], d["value"]) for d in own] == [("reviewer", "exclude")]
    assert get(client, world, "reviewer_extractor", "api_screening_item", waiting)["decisions"] == []
    assert get(client, world, "lead", "api_screening_item", waiting)["decisions"] == []


def test_in_conflict_a_party_sees_only_their_own_decision_and_the_lead_sees_both(client, world):
    conflict = world.ids["conflict"]
    for party, own in (("reviewer", "include"), ("reviewer_extractor", "exclude")):
        item = get(client, world, party, "api_screening_item", conflict)
        assert item["status"] == "conflict" and [d["value"] for d in item["decisions"]] == [own]
        assert all(d["reviewer"] == party for d in item["decisions"])
        assert item["may_change"] is False and "in conflict" in item["frozen_reason"]
    both = get(client, world, "lead", "api_screening_item", conflict)["decisions"]
    assert sorted(d["value"] for d in both) == ["exclude", "include"]
    # Once resolved, everyone sees both.
    post(client, world, "lead", "api_conflict_resolve", conflict, data={"value": "include"})
    seen = get(client, world, "reviewer", "api_screening_item", conflict)["decisions"]
    assert sorted(d["value"] for d in seen) == ["exclude", "include"]


def test_probe_and_undo_is_refused_through_the_api(client, world):
    """Reviewer 2 decides against reviewer 1 and the record becomes a conflict: the item endpoint
    shows them nothing of reviewer 1's decision, and neither undo nor a new decision changes it."""
    probed = world.ids["waiting"]  # reviewer excluded it
    response = post(client, world, "reviewer_extractor", "api_decisions", data={"item": probed, "value": "include"})
    assert response.status_code == 201 and response.json()["item_status"] == "conflict"
    assert response.json()["may_change"] is False
    seen = get(client, world, "reviewer_extractor", "api_screening_item", probed)["decisions"]
    assert [(d["reviewer"], d["value"], d["note"]) for d in seen] == [("reviewer_extractor", "include", "")]
    undo = post(client, world, "reviewer_extractor", "api_decision_undo", "ta")
    assert undo.status_code == 400 and "in conflict" in undo.json()["detail"]
    again = post(client, world, "reviewer_extractor", "api_decisions", data={"item": probed, "value": "exclude"})
    assert again.status_code == 400 and "in conflict" in again.json()["detail"]
    assert sorted(Decision.objects.filter(item_id=probed).values_list("value", flat=True)) == ["exclude", "include"]
    assert probed in [c["id"] for c in get(client, world, "lead", "api_conflicts")["results"]]
    mine = get(client, world, "reviewer_extractor", "api_decisions", query="?status=conflict")["results"]
    assert {(d["item"], d["may_change"]) for d in mine} == {(probed, False), (world.ids["conflict"], False)}


def test_the_log_shows_leads_who_screened_what_but_not_blind_values(client, world):
    log = get(client, world, "lead", "api_decisions_log", query=f"?reviewer={world.people['reviewer'].pk}")
    waiting = [d for d in log["results"] if d["item"] == world.ids["waiting"]]
    assert waiting == [{**waiting[0], "hidden": True, "value": None, "reason": None}]
    settled = [d for d in log["results"] if d["item"] == world.ids["conflict"]]
    assert settled[0]["hidden"] is False and settled[0]["value"] == "include"


def test_with_blind_screening_off_others_decisions_show(client, world):
    response = client.patch(reverse("api_screening_settings", args=[world.review.pk]), {"blind": False},
                            content_type="application/json", **auth(world.tokens["lead"]))
    assert response.status_code == 200 and response.json()["blind"] is False
    seen = get(client, world, "reviewer_extractor", "api_screening_item", world.ids["waiting"])["decisions"]
    assert [d["value"] for d in seen] == ["exclude"]


def test_the_decision_filter_never_reveals_a_blind_decision(client, world):
    waiting_record = get(client, world, "lead", "api_screening_item", world.ids["waiting"])["record"]["id"]
    for person, expect in (("reviewer", True), ("reviewer_extractor", False), ("lead", False)):
        ids = {r["id"] for r in get(client, world, person, "api_records", query="?decision=exclude")["results"]}
        assert (waiting_record in ids) is expect, person


def test_the_decision_filter_reveals_nothing_of_a_conflict_to_its_parties(client, world):
    conflict_record = get(client, world, "lead", "api_screening_item", world.ids["conflict"])["record"]["id"]
    for person, value, expect in (("reviewer_extractor", "include", False), ("reviewer", "exclude", False),
                                  ("reviewer_extractor", "exclude", True), ("lead", "include", True)):
        found = get(client, world, person, "api_records", query=f"?stage=ta&decision={value}")["results"]
        ids = {r["id"] for r in found}
        assert (conflict_record in ids) is expect, (person, value)


def test_the_records_list_filters_by_search_stage_status_and_text_and_pages(client, world):
    all_ = get(client, world, "viewer", "api_records")
    assert all_["count"] == 10
    page = get(client, world, "viewer", "api_records", query="?limit=3&offset=3&ordering=-id")
    assert page["count"] == 10 and len(page["results"]) == 3 and page["next"]
    assert [r["id"] for r in page["results"]] == sorted((r["id"] for r in all_["results"]), reverse=True)[3:6]
    assert get(client, world, "viewer", "api_records", query="?q=number+7")["count"] == 1
    assert get(client, world, "viewer", "api_records", query=f"?search={world.ids['search']}")["count"] == 10
    assert get(client, world, "viewer", "api_records", query="?search=999999")["count"] == 0
    assert get(client, world, "viewer", "api_records", query="?stage=ta&status=conflict")["count"] == 1
    assert get(client, world, "viewer", "api_records", query="?status=included")["count"] == 1
    bad = client.get(reverse("api_records", args=[world.review.pk]) + "?stage=xx", **auth(world.tokens["viewer"]))
    assert bad.status_code == 400 and bad.json()["field"] == "stage"


def test_the_ids_filter_fetches_a_selection_with_the_other_filters_still_applied(client, world):
    everything = sorted(r["id"] for r in get(client, world, "viewer", "api_records")["results"])
    chosen = everything[2:5]
    found = get(client, world, "viewer", "api_records", query=f"?ids={chosen[0]},{chosen[1]}, {chosen[2]}")
    assert sorted(r["id"] for r in found["results"]) == chosen and found["count"] == 3
    # An id of no record of this review matches nothing; the text filter still narrows the selection.
    assert get(client, world, "viewer", "api_records", query=f"?ids={chosen[0]},999999")["count"] == 1
    number = Record.objects.get(pk=chosen[0]).number
    narrowed = get(client, world, "viewer", "api_records", query=f"?ids={','.join(map(str, chosen))}&q=number+{number}")
    assert [r["id"] for r in narrowed["results"]] == [chosen[0]]
    for bad_query, words in (("?ids=1,two", "not a record id"), ("?ids=" + ",".join(["1"] * 1001), "At most 1000")):
        bad = client.get(reverse("api_records", args=[world.review.pk]) + bad_query, **auth(world.tokens["viewer"]))
        assert bad.status_code == 400 and bad.json()["field"] == "ids" and words in str(bad.json()), bad.json()


def test_a_lead_resolves_a_conflict(client, world):
    conflicts = get(client, world, "lead", "api_conflicts")
    assert [c["id"] for c in conflicts["results"]] == [world.ids["conflict"]]
    response = post(client, world, "lead", "api_conflict_resolve", world.ids["conflict"], data={"value": "exclude"})
    assert response.status_code == 200 and response.json()["status"] == "excluded"
    assert get(client, world, "lead", "api_conflicts")["count"] == 0


def test_a_named_third_reviewer_resolves_conflicts_too_but_not_their_own(client, world, make_user):
    from reviewapp import services as review_services

    third = make_user("third")
    review_services.member_roles_set(actor=world.people["lead"], review=world.review, user=third, roles=["reviewer"])
    _, world.tokens["third"] = review_services.api_token_create(user=third, name="tests", scope="read-write")
    for person, expect in (("third", 1), ("reviewer_extractor", 0)):  # the second is a party to the conflict
        response = client.patch(reverse("api_screening_settings", args=[world.review.pk]),
                                {"conflict_resolver": world.people.get(person, third).pk},
                                content_type="application/json", **auth(world.tokens["lead"]))
        assert response.status_code == 200
        assert get(client, world, person, "api_conflicts")["count"] == expect
    refused = client.get(reverse("api_conflicts", args=[world.review.pk]), **auth(world.tokens["reviewer"]))
    assert refused.status_code == 403
    own = post(client, world, "reviewer_extractor", "api_conflict_resolve", world.ids["conflict"],
               data={"value": "include"})
    assert own.status_code == 403 and "decided on this record yourself" in own.json()["detail"]
    assert get(client, world, "reviewer_extractor", "api_screening_item", world.ids["conflict"])["status"] == "conflict"


def test_only_a_lead_or_reviewer_can_be_named_third_reviewer(client, world):
    response = client.patch(reverse("api_screening_settings", args=[world.review.pk]),
                            {"conflict_resolver": world.people["viewer"].pk}, content_type="application/json",
                            **auth(world.tokens["lead"]))
    assert response.status_code == 400 and response.json()["field"] == "conflict_resolver"
    assert get(client, world, "lead", "api_screening_settings")["conflict_resolver"] is None


def test_an_upload_answers_202_with_its_progress_url(client, world, django_capture_on_commit_callbacks):
    upload = io.BytesIO(b"TY  - JOUR\nTI  - A new trial of infant sleep\nPY  - 2019\nER  - \n")
    upload.name = "extra.ris"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api_search_files", args=[world.review.pk, world.ids["search"]]),
                               {"file": upload}, **auth(world.tokens["lead"]))
    assert response.status_code == 202
    body = response.json()
    assert body["progress_url"] == response["Location"]
    assert body["progress_url"].endswith(f"/api/v1/reviews/{world.review.pk}/imports/{body['id']}/progress/")
    progress = client.get(body["progress_url"], **auth(world.tokens["viewer"])).json()
    assert progress["finished"] is True and progress["records_imported"] == 1
    assert SearchFile.objects.get(pk=body["id"]).status == "done"
    assert Record.objects.filter(search_file_id=body["id"]).count() == 1


def test_an_empty_upload_is_refused_with_a_reason(client, world):
    upload = io.BytesIO(b"")
    upload.name = "empty.ris"
    response = client.post(reverse("api_search_files", args=[world.review.pk, world.ids["search"]]),
                           {"file": upload}, **auth(world.tokens["lead"]))
    assert response.status_code == 400 and response.json()["field"] == "file"


def test_studies_list_their_reports_and_prisma_counts_them(client, world):
    studies = get(client, world, "viewer", "api_studies")["results"]
    assert len(studies) == 1 and len(studies[0]["reports"]) == 1
    prisma = get(client, world, "viewer", "api_prisma")
    assert prisma["studies_included"] == 1 and prisma["identified_databases"] == 10


def test_a_lead_keeps_a_duplicate_pair_apart(client, world):
    assert get(client, world, "viewer", "api_duplicates", query="?status=possible")["count"] == 1
    response = post(client, world, "lead", "api_duplicate_decision", world.ids["pair"], data={"action": "keep_apart"})
    assert response.status_code == 200 and response.json()["status"] == "kept_apart"
    again = post(client, world, "lead", "api_duplicate_decision", world.ids["pair"], data={"action": "keep_apart"})
    assert again.status_code == 400 and "already kept apart" in again.json()["detail"]


def test_a_lead_follows_the_stopping_figures_and_stops_through_the_api(client, world,
                                                                       django_capture_on_commit_callbacks):
    from screening.models import ScreeningItem, StoppingDecision

    with django_capture_on_commit_callbacks(execute=True):  # the retraining the switch queues
        response = client.patch(reverse("api_screening_settings", args=[world.review.pk]),
                                {"prioritise": True, "reviewers_per_record": 1}, content_type="application/json",
                                **auth(world.tokens["lead"]))
    assert response.status_code == 200 and response.json()["prioritise"]
    state = get(client, world, "lead", "api_screening_stopping")
    assert state["prioritise"] and state["ranking"]["status"] == "done" and state["stops"] == []
    assert state["figures"]["found"] == 1 and not state["figures"]["stop"]
    refused = post(client, world, "lead", "api_screening_stopping", data={"rule": "hypergeometric"})
    assert refused.status_code == 400 and "does not allow stopping yet" in refused.json()["detail"]
    refused = post(client, world, "lead", "api_screening_stopping", data={"rule": "decay"})
    assert refused.status_code == 400 and "decay rule does not allow" in refused.json()["detail"]
    assert not state["figures"]["decay_stop"] and state["figures"]["decay_p"] == 0.4
    assert not StoppingDecision.objects.exists()
    # Exclusions in a row, then the test allows stopping at a low target.
    for _ in range(5):
        item = get(client, world, "lead", "api_screening_next", "ta")["item"]
        assert post(client, world, "lead", "api_decisions", data={"item": item["id"], "value": "exclude"}
                    ).status_code == 201
    figures = get(client, world, "lead", "api_screening_stopping", query="?target=0.6&confidence=0.6")["figures"]
    assert figures["stop"] and figures["run"] == 6 and figures["remaining_upper_bound"] is not None
    untouched = ScreeningItem.objects.filter(review=world.review, stage="ta", status="pending",
                                             decisions_count=0).count()
    stopped = post(client, world, "lead", "api_screening_stopping",
                   data={"target": 0.6, "confidence": 0.6, "rule": "hypergeometric"})
    assert stopped.status_code == 201, stopped.content
    assert stopped.json()["marked_excluded"] == untouched > 0 and stopped.json()["decided_by"] == "lead"
    assert get(client, world, "lead", "api_screening_stopping")["stops"][0]["id"] == stopped.json()["id"]


def test_stopping_figures_are_for_leads_and_bad_targets_are_refused(client, world):
    response = client.get(reverse("api_screening_stopping", args=[world.review.pk]), **auth(world.tokens["reviewer"]))
    assert response.status_code == 403
    response = client.get(reverse("api_screening_stopping", args=[world.review.pk]) + "?target=1.5",
                          **auth(world.tokens["lead"]))
    assert response.status_code == 400 and response.json()["field"] == "target"


def test_agreement_gives_kappa_with_a_bounded_interval_and_its_method(client, world):
    body = get(client, world, "lead", "api_screening_agreement")
    assert body["kappa_ci_level"] == 95 and "truncated to [-1, 1]" in body["kappa_ci_method"]
    # The world's two screeners both decided two records (one alike, one not) at title and abstract.
    ta = [p for p in body["pairs"] if p["stage"] == "ta"]
    assert [(p["reviewer_a"], p["reviewer_b"], p["n"]) for p in ta] == [("reviewer", "reviewer_extractor", 2)]
    for pair in body["pairs"]:
        if pair["kappa"] is not None:
            assert -1 <= pair["kappa_ci_lb"] <= pair["kappa"] <= pair["kappa_ci_ub"] <= 1
