"""Every endpoint and method, for every role and a non-member: each answers as the rules of
`reviewapp.permissions` say. A non-member gets 404, a member without the capability 403, and a
member with it anything but those (the request itself is valid, so a success or, where the data
refuses it, a 400 with a reason).

The table names the capability of each operation; `test_the_table_covers_every_endpoint` fails
when an endpoint is added without a row here.
"""
from __future__ import annotations

import io

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reviewapp.permissions import can, may_resolve_conflicts, may_settle_consensus, roles_of
from tests.api.conftest import FULLTEXT_PDF, PEOPLE, auth

CONFLICTS = "resolve conflicts"  # the rule of may_resolve_conflicts (leads, or a named third reviewer)
SETTLE = "settle consensus"  # the rule of may_settle_consensus (leads, or a form's named settler)
# Who is answered about two entries side by side (extraction/rules.py `comparison_refusal`): the
# settlers, the two and the role Extractor; the values themselves only to settlers until the
# consensus is final (`comparable` false for the others).
COMPARE_EXTRACTION = "compare extractions"
COMPARE_APPRAISAL = "compare appraisals"
ENTRY = {"form_id": "form", "study_id": "study"}
APPRAISAL_ENTRY = {"tool_id": "tool", "study_id": "study"}


def _ris_upload():
    handle = io.BytesIO(b"TY  - JOUR\nTI  - An uploaded trial of parent-infant therapy\nPY  - 2020\nER  - \n")
    handle.name = "more.ris"
    return handle


# (url name, its arguments from the world's ids, method, capability, body, multipart)
TABLE = [
    ("api_review", {}, "get", "view", None),
    ("api_review", {}, "patch", "edit_review", {"question": "Does it help?"}),
    ("api_outcomes", {}, "get", "view", None),
    ("api_outcomes", {}, "post", "edit_review", {"name": "Infant sleep", "direction": "higher"}),
    ("api_outcome", {"outcome_id": "outcome"}, "get", "view", None),
    ("api_outcome", {"outcome_id": "outcome"}, "patch", "edit_review", {"note": "EPDS or BDI"}),
    ("api_outcome", {"outcome_id": "outcome"}, "delete", "edit_review", None),
    ("api_review_archives", {}, "get", "export_review", None),
    ("api_review_archives", {}, "post", "export_review", None),
    ("api_review_archive", {"export_id": "archive"}, "get", "export_review", None),
    ("api_review_archive_file", {"export_id": "archive"}, "get", "export_review", None),
    ("api_review_archive_cancel", {"export_id": "archive"}, "post", "export_review", None),
    ("api_review_archive_again", {"export_id": "archive"}, "post", "export_review", None),
    ("api_review_versions", {}, "get", "view", None),
    ("api_review_versions", {}, "post", "publish_versions", {"note": "An update"}),
    ("api_review_version", {"number": "review_version"}, "get", "view", None),
    ("api_review_version", {"number": "review_version"}, "post", "publish_versions", None),
    ("api_review_version_file", {"number": "review_version"}, "get", "export_review", None),
    ("api_members", {}, "get", "view", None),
    ("api_members", {}, "post", "manage_members", {"identifier": "newbie", "roles": ["viewer"]}),
    ("api_member", {"user_id": "viewer"}, "get", "view", None),
    ("api_member", {"user_id": "viewer"}, "put", "manage_members", {"roles": ["viewer", "extractor"]}),
    ("api_member", {"user_id": "viewer"}, "delete", "manage_members", None),
    ("api_invitations", {}, "get", "manage_members", None),
    ("api_invitations", {}, "post", "manage_members", {"email": "another@example.org", "roles": ["viewer"]}),
    ("api_invitation_revoke", {"invitation_id": "invitation"}, "post", "manage_members", None),
    ("api_audit", {}, "get", "read_audit", None),
    ("api_webhooks", {}, "get", "manage_webhooks", None),
    ("api_webhooks", {}, "post", "manage_webhooks", {"url": "http://127.0.0.1:9/other",
                                                    "events": ["import.finished"]}),
    ("api_webhook", {"webhook_id": "webhook"}, "get", "manage_webhooks", None),
    ("api_webhook", {"webhook_id": "webhook"}, "patch", "manage_webhooks", {"active": False}),
    ("api_webhook", {"webhook_id": "webhook"}, "delete", "manage_webhooks", None),
    ("api_webhook_deliveries", {"webhook_id": "webhook"}, "get", "manage_webhooks", None),
    ("api_searches", {}, "get", "view", None),
    ("api_searches", {}, "post", "manage_searches", {"database": "EMBASE", "date_run": "2021-10-01",
                                                     "query": "infant* AND parent*"}),
    ("api_search", {"search_id": "search"}, "get", "view", None),
    ("api_search", {"search_id": "search"}, "patch", "manage_searches", {"notes": "Run again later"}),
    ("api_search", {"search_id": "search"}, "delete", "manage_searches", None),
    ("api_search_runs", {"search_id": "search"}, "get", "view", None),
    ("api_search_runs", {"search_id": "search"}, "post", "manage_searches", {"date_run": "2030-01-01"}),
    ("api_search_files", {"search_id": "search"}, "get", "view", None),
    ("api_search_files", {"search_id": "search"}, "post", "manage_searches", "upload"),
    ("api_import", {"file_id": "file"}, "get", "view", None),
    ("api_import", {"file_id": "file"}, "delete", "manage_searches", None),
    ("api_import_retry", {"file_id": "file"}, "post", "manage_searches", None),
    ("api_import_progress", {"file_id": "file"}, "get", "view", None),
    ("api_records", {}, "get", "view", None),
    ("api_record", {"record_id": "record"}, "get", "view", None),
    ("api_record_corrections", {"record_id": "record"}, "get", "view", None),
    ("api_record_corrections", {"record_id": "record"}, "post", "screen", {"field": "title", "text": "A mended title"}),
    ("api_record_fulltext", {"record_id": "record"}, "get", "view", None),
    ("api_record_fulltext", {"record_id": "record"}, "post", "screen", "pdf"),
    ("api_fulltexts_bulk", {}, "post", "screen", "pdfs"),
    ("api_duplicates", {}, "get", "view", None),
    ("api_duplicate", {"pair_id": "pair"}, "get", "view", None),
    ("api_duplicate_decision", {"pair_id": "pair"}, "post", "resolve_duplicates", {"action": "keep_apart"}),
    ("api_screening_progress", {}, "get", "view", None),
    ("api_screening_settings", {}, "get", "view", None),
    ("api_screening_settings", {}, "patch", "edit_review", {"criteria": "Randomised trials only"}),
    ("api_screening_item", {"item_id": "waiting"}, "get", "screen", None),
    ("api_decisions", {}, "get", "screen", None),
    ("api_decisions", {}, "post", "screen", {"item": "fresh", "value": "include"}),
    ("api_decisions_log", {}, "get", "resolve_conflicts", None),
    ("api_claims_release", {"user_id": "viewer"}, "post", "resolve_conflicts", None),
    ("api_conflicts", {}, "get", CONFLICTS, None),
    ("api_conflict_resolve", {"item_id": "conflict"}, "post", CONFLICTS, {"value": "include"}),
    ("api_screening_agreement", {}, "get", "resolve_conflicts", None),
    ("api_screening_team", {}, "get", "resolve_conflicts", None),
    ("api_records_tags", {}, "post", "resolve_conflicts", {"records": ["record"], "tag": "to check"}),
    ("api_records_assign", {}, "post", "resolve_conflicts", {"stage": "ta", "records": ["record"],
                                                                 "reviewer": "screener"}),
    ("api_records_exclude", {}, "post", "resolve_conflicts", {"stage": "ta", "records": ["record"],
                                                                  "reason": "Not a trial"}),
    ("api_screening_stopping", {}, "get", "edit_review", None),
    ("api_screening_stopping", {}, "post", "edit_review", {"rule": "consecutive"}),
    ("api_screening_next", {"stage": "ta"}, "get", "screen", None),
    ("api_screening_batch", {"stage": "ta"}, "get", "screen", None),
    ("api_screener_preference", {}, "get", "screen", None),
    ("api_screener_preference", {}, "patch", "screen", {"mode": "list", "batch_size": 5}),
    ("api_decision_undo", {"stage": "ta"}, "post", "screen", None),
    ("api_studies", {}, "get", "view", None),
    ("api_study", {"study_id": "study"}, "get", "view", None),
    ("api_study", {"study_id": "study"}, "patch", "edit_review", {"label": "Renamed 2002"}),
    ("api_study_reports", {"study_id": "study"}, "post", "edit_review", {"record": "record"}),
    ("api_prisma", {}, "get", "view", None),
    ("api_prisma_checklist", {}, "get", "view", None),
    ("api_prisma_checklist", {}, "patch", "edit_review", {"items": [{"item": "1", "location": "Title page"}]}),
    ("api_analyses", {}, "get", "view", None),
    ("api_analyses", {}, "post", "run_analyses", {"outcome": "outcome", "name": "Depression, common effect",
                                                  "method": "EE"}),
    ("api_analyses_defaults", {}, "post", "run_analyses", None),
    ("api_analyses_run_all", {}, "post", "run_analyses", None),
    ("api_analysis", {"analysis_id": "analysis"}, "get", "view", None),
    ("api_analysis", {"analysis_id": "analysis"}, "patch", "run_analyses", {"level": 90}),
    ("api_analysis_runs", {"analysis_id": "analysis"}, "post", "run_analyses", None),
    ("api_analysis_run", {"analysis_id": "analysis", "run_id": "run"}, "get", "view", None),
    ("api_analysis_run_compare", {"analysis_id": "analysis", "run_id": "run"}, "get", "view", None),
    ("api_analysis_run_cancel", {"analysis_id": "analysis", "run_id": "run"}, "post", "run_analyses", None),
    ("api_analysis_run_again", {"analysis_id": "analysis", "run_id": "run"}, "post", "run_analyses", None),
    ("api_sof_ratings", {"outcome_id": "outcome"}, "put", "grade", {"ratings": {"imprecision": {"change": 0}}}),
    ("api_sof_accept", {"outcome_id": "outcome"}, "post", "grade", None),
    ("api_sof_accept_all", {}, "post", "grade", None),
    ("api_sof", {}, "get", "view", None),
    ("api_report", {}, "get", "view", None),
    ("api_report", {}, "patch", "edit_review", {"discussion": "Read the results with care."}),
    ("api_sof_settings", {"outcome_id": "outcome"}, "patch", "grade", {"comment": "Few studies"}),
    ("api_sof_rating_clear", {"outcome_id": "outcome", "domain": "imprecision"}, "delete", "grade", None),
    ("api_extraction_forms", {}, "get", "view", None),
    ("api_extraction_forms", {}, "post", "build_forms", {"name": "Another form"}),
    ("api_extraction_form", {"form_id": "form"}, "get", "view", None),
    ("api_extraction_form", {"form_id": "form"}, "patch", "build_forms", {"settler": "extractor_user"}),
    ("api_extraction_form_sections", {"form_id": "form"}, "post", "build_forms", {"title": "Funding"}),
    ("api_extraction_form_section", {"form_id": "form", "section_key": "section"}, "patch", "build_forms",
     {"title": "Participants"}),
    ("api_extraction_form_section", {"form_id": "form", "section_key": "section"}, "delete", "build_forms", None),
    ("api_extraction_form_fields", {"form_id": "form", "section_key": "section"}, "post", "build_forms",
     {"label": "Funded by industry", "type": "ynu"}),
    ("api_extraction_form_field", {"form_id": "form", "section_key": "section", "field_key": "field"}, "patch",
     "build_forms", {"required": True}),
    ("api_extraction_form_field", {"form_id": "form", "section_key": "section", "field_key": "field"}, "delete",
     "build_forms", None),
    ("api_extraction_form_versions", {"form_id": "form"}, "post", "build_forms", {"note": "A funder field"}),
    ("api_extraction_form_draft_discard", {"form_id": "form"}, "post", "build_forms", None),
    ("api_extraction_form_section_move", {"form_id": "form", "section_key": "section"}, "post", "build_forms",
     {"direction": "up"}),
    ("api_extraction_form_field_move", {"form_id": "form", "section_key": "section", "field_key": "field"}, "post",
     "build_forms", {"direction": "up"}),
    ("api_extraction_form_version", {"form_id": "form", "number": 1}, "get", "view", None),
    ("api_extraction_form_version_answers_schema", {"form_id": "form", "number": 1}, "get", "view", None),
    ("api_design_mapping", {}, "get", "view", None),
    ("api_design_mapping", {}, "put", "build_forms", {"field_key": "design", "values": {
        "Randomised controlled trial": "Randomised controlled trial"}}),
    ("api_extraction_entry", ENTRY, "get", "extract", None),
    ("api_extraction_entry", ENTRY, "put", "extract", {"answers": {"design": "Randomised controlled trial",
                                                                  "n_caregivers": 40}, "done": False}),
    ("api_extraction_entry_reopen", {"form_id": "form_extraction_settled", "study_id": "study"}, "post",
     "extract", None),
    ("api_extractions", {}, "get", "view", None),
    ("api_extraction", {"extraction_id": "extraction"}, "get", "view", None),
    ("api_extraction_differences", {"extraction_id": "extraction"}, "get", COMPARE_EXTRACTION, None),
    ("api_extraction_settlements", {"extraction_id": "extraction"}, "post", SETTLE, {"path": "n", "choice": "b"}),
    ("api_extraction_finalise", {"extraction_id": "extraction_settled"}, "post", SETTLE, None),
    ("api_extraction_reopen", {"extraction_id": "extraction_done"}, "post", SETTLE, None),
    ("api_outcome_data", {}, "get", "view", None),
    ("api_extraction_summaries", {}, "get", "view", None),
    ("api_extraction_characteristics", {}, "get", "view", None),
    ("api_extraction_characteristics", {}, "put", "build_forms", {"columns": {"methods": ["design"]}}),
    ("api_appraisal_tools", {}, "get", "view", None),
    ("api_appraisal_tools", {}, "post", "build_forms", {"tool": "rob2-parallel"}),
    ("api_appraisal_tool", {"tool_id": "tool"}, "get", "view", None),
    ("api_appraisal_tool", {"tool_id": "tool"}, "patch", "build_forms", {"settler": "extractor_user"}),
    ("api_appraisal_entry", APPRAISAL_ENTRY, "get", "extract", None),
    ("api_appraisal_entry", APPRAISAL_ENTRY, "put", "extract", {"answers": {"q1_1": "No"}}),
    ("api_appraisal_entry_reopen", {"tool_id": "tool_appraisal_settled", "study_id": "study"}, "post", "extract",
     None),
    ("api_appraisals", {}, "get", "view", None),
    ("api_appraisal", {"appraisal_id": "appraisal"}, "get", "view", None),
    ("api_appraisal_differences", {"appraisal_id": "appraisal"}, "get", COMPARE_APPRAISAL, None),
    ("api_appraisal_settlements", {"appraisal_id": "appraisal"}, "post", SETTLE, {"path": "q1_1", "choice": "a"}),
    ("api_appraisal_finalise", {"appraisal_id": "appraisal_settled"}, "post", SETTLE, None),
    ("api_appraisal_reopen", {"appraisal_id": "appraisal_done"}, "post", SETTLE, None),
]
# What the world refuses even the lead, with a reason (400): see the end of the test below.
LEAD_REFUSED = {("api_decision_undo", "post"), ("api_screening_stopping", "post"), ("api_sof_ratings", "put"),
                ("api_sof_accept", "post"), ("api_outcome", "delete"), ("api_search", "delete"),
                ("api_analysis_run_compare", "get"),
                ("api_import", "delete"), ("api_import_retry", "post"), ("api_review_archive_cancel", "post"),
                ("api_review_archive_again", "post"), ("api_analysis_run_again", "post"),
                ("api_review_version", "post")}
# Routes outside a review, tested on their own (test_api_tokens, test_api_schema, test_archive_import_job).
NOT_REVIEW_SCOPED = {"api_reviews", "api_review_import", "api_review_import_job", "api_review_import_again", "api_me",
                     "api_schema", "api_docs", "api_my_invitations", "api_my_invitation_accept",
                     "api_my_invitation_decline", "api_notifications", "api_notification_read",
                     "api_notifications_read_all", "api_notification_preferences"}
# Routes whose success is a file, not JSON (their refusals are JSON like every other).
FILE_ROUTES = {"api_review_archive_file": "application/zip", "api_review_version_file": "application/zip",
               "api_record_fulltext": "application/pdf"}
# Request bodies sent as multipart/form-data (a file upload).
MULTIPART = ("upload", "pdf", "pdfs")


def _url(world, name: str, args: dict) -> str:
    kwargs = {"review_id": world.review.pk}
    for key, value in args.items():
        kwargs[key] = world.ids[value] if value in world.ids else value
    return reverse(name, kwargs=kwargs)


def _body(world, body):
    if body == "upload":
        return {"file": _ris_upload()}
    if body == "pdf":
        handle = io.BytesIO(FULLTEXT_PDF)
        handle.name = "trial.pdf"
        return {"file": handle}
    if body == "pdfs":  # many full texts: one matches record #2 by its DOI, one matches none
        files = [io.BytesIO(FULLTEXT_PDF), io.BytesIO(FULLTEXT_PDF)]
        files[0].name, files[1].name = "10.1000_pip.2.pdf", "trial.pdf"
        return {"files": files}
    if isinstance(body, dict):
        # Names of the world's objects become their ids; in lists only for "records" (a role list
        # such as ["viewer"] stays words).
        def value(v, key):
            if isinstance(v, list):
                return [value(x, key) for x in v] if key == "records" else v
            return world.ids.get(v, v) if isinstance(v, str) else v
        return {k: value(v, k) for k, v in body.items()}
    return body


def _allowed(world, person: str, capability: str) -> bool:
    user = world.people[person]
    roles = roles_of(user=user, review=world.review)
    if capability == CONFLICTS:
        return may_resolve_conflicts(user=user, roles=roles, delegate_id=None)
    settles = may_settle_consensus(user=user, roles=roles, delegate_id=None)
    if capability == SETTLE:
        return settles
    if capability == COMPARE_EXTRACTION:
        return settles or can(roles=roles, capability="extract")
    if capability == COMPARE_APPRAISAL:
        return settles or can(roles=roles, capability="extract") or user.pk in world.ids["appraisers"]
    return can(roles=roles, capability=capability)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args", "method", "capability", "body"), TABLE,
                         ids=[f"{method.upper()} {name}" for name, _, method, _, _ in TABLE])
def test_each_person_gets_what_the_rules_give(client, world, name, args, method, capability, body):
    url = _url(world, name, args)
    outcomes = {}
    for person in PEOPLE:
        data = _body(world, body)
        extra = auth(world.tokens[person])
        # Each person's request is undone afterwards, so one's change does not decide the next one's answer.
        with transaction.atomic():
            if body in MULTIPART:
                response = getattr(client, method)(url, data=data, **extra)
            else:
                response = getattr(client, method)(url, data=data, content_type="application/json", **extra)
            transaction.set_rollback(True)
        outcomes[person] = response.status_code
        assert response.status_code < 500, (person, response.content)
        if response.status_code < 300 and name in FILE_ROUTES and method == "get":
            assert response["Content-Type"] == FILE_ROUTES[name], (person, response["Content-Type"])
        elif response.status_code != 204:
            assert response["Content-Type"].startswith("application/json"), (person, response["Content-Type"])
        if person == "outsider":
            assert response.status_code == 404, (person, response.content)
            assert response.json()["detail"]
        elif _allowed(world, person, capability):
            assert response.status_code not in (401, 403, 404), (person, response.content)
        else:
            assert response.status_code == 403, (person, response.content)
            assert "role" in response.json()["detail"]
    # The lead may do everything here, the outsider nothing (but the lead has no decision of their own
    # to undo, the world's few decisions do not yet allow stopping, its analysis has no finished run
    # to rate, its outcome is used by that analysis, its search has imported records and its import did
    # not fail, so there is nothing to retry or remove; its archive is written, so neither cancelled nor
    # written again, and its queued run is not run again: 400s with their reasons).
    assert outcomes["lead"] < 400 or (name, method) in LEAD_REFUSED, outcomes


def _api_route_names(patterns=None, prefix="") -> set[str]:
    names = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            names |= _api_route_names(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and (prefix + str(entry.pattern)).startswith("api/v1/") and entry.name:
            names.add(entry.name)
    return names


def test_the_table_covers_every_endpoint():
    assert _api_route_names() - NOT_REVIEW_SCOPED == {row[0] for row in TABLE}


@pytest.mark.django_db
def test_a_member_without_a_token_or_session_is_asked_to_authenticate(client, world):
    response = client.get(reverse("api_review", args=[world.review.pk]))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]


def _api_methods(patterns=None, prefix="") -> set[tuple[str, str]]:
    found = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            found |= _api_methods(entry.url_patterns, prefix + str(entry.pattern))
        elif (isinstance(entry, URLPattern) and (prefix + str(entry.pattern)).startswith("api/v1/") and entry.name
              and entry.name not in NOT_REVIEW_SCOPED):
            view = entry.callback.cls()
            found |= {(entry.name, m.lower()) for m in view.allowed_methods if m not in ("OPTIONS", "HEAD")}
    return found


def test_the_table_covers_every_method_of_every_endpoint():
    # A view that shares code with another (by inheritance) must not answer its methods unlisted.
    assert _api_methods() == {(row[0], row[2]) for row in TABLE}
