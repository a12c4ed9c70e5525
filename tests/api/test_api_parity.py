"""Every page action has an API twin on the same service, or a stated reason why not.

PARITY maps each page route that takes a POST (URL name) to the API operations (URL name, method)
that do what its buttons and forms do. EXEMPT names the POST pages an API client has no use for,
each with the reason. READ_ONLY lists the page routes that only show or download (GET).

`test_every_page_route_is_classified` fails when a page route is added without a row here, and
`test_every_page_that_takes_a_post_has_a_twin` when a page that takes a POST (declared in its
`page_rule`, or handled in its code) has neither twin nor exemption. `test_every_twin_exists`
fails when a named operation is not (or no longer) served.
"""
from __future__ import annotations

import inspect
import re

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# page URL name -> the API operations doing what its POST does
PARITY: dict[str, list[tuple[str, str]]] = {
    # reviews, outcomes, members, archives, webhooks
    "review_create": [("api_reviews", "post")],
    "review_import": [("api_review_import", "post")],
    "review_import_again": [("api_review_import_again", "post")],
    "review_edit": [("api_review", "patch")],
    "review_outcomes": [("api_outcomes", "post")],
    "outcome_edit": [("api_outcome", "patch"), ("api_outcome", "delete")],
    "review_members": [("api_members", "post")],
    "member_roles": [("api_member", "put")],
    "member_invite": [("api_invitations", "post")],
    "invitation_revoke": [("api_invitation_revoke", "post")],
    "review_archive": [("api_review_archives", "post")],
    "review_archive_cancel": [("api_review_archive_cancel", "post")],
    "review_archive_again": [("api_review_archive_again", "post")],
    "review_versions": [("api_review_versions", "post"), ("api_review_version", "post")],
    "webhooks": [("api_webhooks", "post")],
    "webhook_detail": [("api_webhook", "patch"), ("api_webhook", "delete")],
    "invitation_accept_mine": [("api_my_invitation_accept", "post")],
    "invitation_decline_mine": [("api_my_invitation_decline", "post")],
    # notifications (one's own, outside any review)
    "notifications": [("api_notification_preferences", "patch")],
    "notification_read": [("api_notification_read", "post")],
    "notifications_read_all": [("api_notifications_read_all", "post")],
    # searches and records
    "search_create": [("api_searches", "post")],
    "search_detail": [("api_search_files", "post")],
    "search_edit": [("api_search", "patch"), ("api_search", "delete")],
    "search_rerun": [("api_search_runs", "post")],
    "search_file_action": [("api_import_retry", "post"), ("api_import", "delete")],
    "fulltext": [("api_record_fulltext", "post")],
    "record_mend": [("api_record_corrections", "post")],
    # Exporting a selection is a download (GET records.ris / records.csv with the same filters).
    "record_bulk": [("api_records_tags", "post"), ("api_records_exclude", "post"), ("api_records_assign", "post")],
    "fulltext_bulk": [("api_fulltexts_bulk", "post")],
    "duplicate_pair": [("api_duplicate_decision", "post")],
    "study_detail": [("api_study", "patch"), ("api_study_reports", "post")],
    "prisma_checklist": [("api_prisma_checklist", "patch")],
    # The CSV download shares the checklist page's view, which saves a POST whichever URL it came to.
    "prisma_checklist_csv": [("api_prisma_checklist", "patch")],
    # screening
    "screening_settings": [("api_screening_settings", "patch")],
    "priority_switch": [("api_screening_settings", "patch")],  # its `prioritise` field
    "screen": [("api_decisions", "post")],
    "screen_undo": [("api_decision_undo", "post")],
    "screen_list": [("api_decisions", "post")],  # the list claims through api_screening_batch (GET)
    "screening_mode": [("api_screener_preference", "patch")],
    "conflict_resolve": [("api_conflict_resolve", "post")],
    "claims_release": [("api_claims_release", "post")],
    "screening_stop": [("api_screening_stopping", "post")],
    # extraction forms and entries
    "form_list": [("api_extraction_forms", "post")],
    "form_builder": [("api_extraction_form_versions", "post"), ("api_extraction_form_draft_discard", "post"),
                     ("api_extraction_form", "patch"), ("api_extraction_form_sections", "post"),
                     ("api_extraction_form_section_move", "post"), ("api_extraction_form_field_move", "post"),
                     ("api_extraction_form_section", "delete"), ("api_extraction_form_field", "delete")],
    "form_section_new": [("api_extraction_form_sections", "post")],
    "form_section": [("api_extraction_form_section", "patch")],
    "form_field_new": [("api_extraction_form_fields", "post")],
    "form_field": [("api_extraction_form_field", "patch")],
    "entry_form": [("api_extraction_entry", "put"), ("api_extraction_entry_reopen", "post")],
    "entry_autosave": [("api_extraction_entry", "put")],  # with `done` false
    "extraction_characteristics": [("api_extraction_characteristics", "put")],
    "study_designs": [("api_design_mapping", "put")],
    "study_designs_set": [("api_study", "patch")],  # its `design`, one study per call
    "report": [("api_report", "patch")],
    "compare": [("api_extraction_settlements", "post"), ("api_extraction_finalise", "post"),
                ("api_extraction_reopen", "post")],
    # appraisal
    "appraisal_home": [("api_appraisal_tools", "post"), ("api_appraisal_tool", "patch")],
    "appraisal_custom_tool_new": [("api_appraisal_tools", "post")],
    "appraisal_custom_tool": [("api_appraisal_tool", "patch")],
    "appraisal_entry": [("api_appraisal_entry", "put"), ("api_appraisal_entry_reopen", "post")],
    "appraisal_autosave": [("api_appraisal_entry", "put")],
    "appraisal_compare": [("api_appraisal_settlements", "post"), ("api_appraisal_finalise", "post"),
                          ("api_appraisal_reopen", "post")],
    # analyses and the summary of findings
    "analysis_new": [("api_analyses", "post")],
    "analysis_edit": [("api_analysis", "patch")],
    "analyses_defaults": [("api_analyses_defaults", "post")],
    "analyses_run_all": [("api_analyses_run_all", "post")],
    "analysis_run": [("api_analysis_runs", "post")],
    "analysis_run_cancel": [("api_analysis_run_cancel", "post")],
    "analysis_run_again": [("api_analysis_run_again", "post")],
    "sof_settings": [("api_sof_settings", "patch")],
    "sof_ratings": [("api_sof_ratings", "put"), ("api_sof_accept", "post"), ("api_sof_rating_clear", "delete")],
    "sof_accept_all": [("api_sof_accept_all", "post")],
}

# POST pages without a twin, and why.
EXEMPT: dict[str, str] = {
    "login": "Signing in with a password is what a personal token replaces.",
    "logout": "A token is revoked, not signed out of.",
    "password_change": "Account credentials change in the browser, never with a token.",
    "password_reset": "A reset is asked for by someone who cannot sign in, so has no token.",
    "password_reset_confirm": "Follows the e-mailed link, in the browser.",
    "api_tokens": "Tokens are made in a signed-in session, so a leaked token cannot mint others.",
    "api_token_revoke": "As making tokens: in the session (a client revokes its own by discarding it).",
    "invitation_accept": "The e-mailed link's secret is for the browser; a client accepts through "
                         "me/invitations/<id>/accept/ (api_my_invitation_accept).",
    "notifications_unsubscribe": "The e-mailed link's secret is for the browser and mail programs (no sign-in); "
                                 "a client sets the same choices through api_notification_preferences.",
}

# Page routes that only show or download.
READ_ONLY = {
    "home", "healthz", "review_import_detail", "review_dashboard", "audit_log", "audit_export",
    "review_archive_download", "review_version_download", "search_list",
    "search_file_report", "search_file_progress", "search_file_download", "record_list", "record_detail",
    "record_export_ris", "record_export_csv", "duplicate_queue", "screening_home", "my_decisions", "conflict_list",
    "decisions_log", "agreement", "screening_team", "study_list",
    "prisma", "prisma_svg", "prisma_png", "prisma_pdf", "prisma_csv",
    "prisma_box", "prisma2020_csv", "extraction_summaries", "extraction_characteristics_download",
    "search_appendix", "search_appendix_md", "search_appendix_csv", "extraction_home",
    "extraction_study", "extraction_export", "appraisal_figures", "appraisal_figure", "appraisal_study",
    "appraisal_export", "report_docx", "sof", "sof_download", "revman_download", "r_download", "robvis_download",
    "analysis_list",
    "analysis_detail", "analysis_run_detail", "analysis_run_compare",
    "analysis_run_status", "analysis_run_results", "analysis_run_zip",
    "analysis_run_plot", "password_change_done", "password_reset_done", "password_reset_complete",
}


def _page_routes(patterns=None, prefix="") -> dict[str, object]:
    """Every page route of the site (not the API, not Django's admin): URL name -> its view."""
    found = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            found.update(_page_routes(entry.url_patterns, prefix + str(entry.pattern)))
        elif isinstance(entry, URLPattern) and entry.name and not (prefix + str(entry.pattern)).startswith(
                ("api/", "admin/")):
            found[entry.name] = entry.callback
    return found


def _takes_post(view) -> bool:
    """Declared in the view's `page_rule`, a class view's post(), or POST handled in its code."""
    rule = getattr(view, "page_rule", None)
    if rule is not None and any(method != "GET" for method in rule.methods):
        return True
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    return "POST" in inspect.getsource(inspect.unwrap(view))


def test_every_page_route_is_classified():
    pages = set(_page_routes())
    classified = set(PARITY) | set(EXEMPT) | READ_ONLY
    assert pages - classified == set(), "a new page: give it an API twin in PARITY, or say why not"
    assert classified - pages == set(), "rows for pages that no longer exist"


def test_every_page_that_takes_a_post_has_a_twin():
    posting = {name for name, view in _page_routes().items() if _takes_post(view)}
    assert posting - set(PARITY) - set(EXEMPT) == set()
    # A page listed as read-only must not take a POST.
    assert posting & READ_ONLY == set()


def _api_routes(patterns=None, prefix="") -> dict[str, object]:
    found = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            found.update(_api_routes(entry.url_patterns, prefix + str(entry.pattern)))
        elif isinstance(entry, URLPattern) and entry.name and (prefix + str(entry.pattern)).startswith("api/v1/"):
            found[entry.name] = entry.callback
    return found


def test_every_twin_exists():
    api = _api_routes()
    missing = []
    for page, twins in PARITY.items():
        for name, method in twins:
            view = api.get(name)
            if view is None or not hasattr(view.cls, method):
                missing.append((page, name, method))
    assert missing == []


def test_the_twins_are_in_the_served_schema(client, django_user_model):
    """Each twin is documented: its path and method are in the OpenAPI document clients read."""
    user = django_user_model.objects.create_user("schema-reader", password="x")
    client.force_login(user)
    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    resolver = get_resolver()
    absent = []
    for twins in PARITY.values():
        for name, method in twins:
            pattern = _pattern_of(resolver, name)
            if method not in schema["paths"].get(pattern, {}):
                absent.append((name, method, pattern))
    assert absent == []


def _pattern_of(resolver, name: str) -> str:
    """The OpenAPI path of a URL name: /api/v1/reviews/{review_id}/outcomes/ and so on."""
    possibilities = resolver.reverse_dict.getlist(name)
    route = possibilities[0][0][0][0]  # the first (format string, params) of the first match
    return "/" + re.sub(r"%\((\w+)\)s", r"{\1}", route)
