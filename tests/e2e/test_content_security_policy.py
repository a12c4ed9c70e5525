"""Chromium shows every main page of the demo under the Content-Security-Policy without a
single violation (no inline script or style left behind), and the moved scripts still work."""
from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from reviewapp.demo import DEMO_PASSWORD, DEMO_TITLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script, whatever the policy says (Playwright injects it), and records
# every violation the page reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
                              e.sourceFile + ":" + e.lineNumber);
});
"""


def _demo_pages() -> list[str]:
    from reviewapp.models import Outcome, Review
    from screening.models import Record, Search, SearchFile

    review = Review.objects.get(title=DEMO_TITLE)
    r = review.pk
    search = Search.objects.filter(review=review).first()
    search_file = SearchFile.objects.filter(search__review=review).first()
    record = Record.objects.filter(review=review).first()
    outcome = Outcome.objects.filter(review=review).first()
    pages = [reverse("home"), reverse("review_dashboard", args=[r]), reverse("record_list", args=[r]),
             reverse("record_detail", args=[r, record.pk]), reverse("search_list", args=[r]),
             reverse("search_detail", args=[r, search.pk]), reverse("search_file_report", args=[r, search_file.pk]),
             reverse("screening_home", args=[r]), reverse("screen", args=[r, "ta"]), reverse("screen", args=[r, "ft"]),
             reverse("screen_list", args=[r]),
             reverse("prisma", args=[r]), reverse("prisma_checklist", args=[r]), reverse("search_appendix", args=[r]),
             reverse("review_members", args=[r]), reverse("audit_log", args=[r]), reverse("duplicate_queue", args=[r]),
             reverse("review_outcomes", args=[r]), reverse("password_change")]
    if outcome:
        pages.append(reverse("outcome_edit", args=[r, outcome.pk]))
    return pages


def _the_demo_pages_show_without_a_content_security_policy_violation(live_server, browser) -> None:
    """The demo's main pages, as its lead sees them: each answers 200 with the policy, and neither
    the page nor the console reports a violation."""
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", "lead")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        visited = []
        for path in _demo_pages():
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"], path
            page.wait_for_load_state("load")
            violations = page.evaluate("window.__cspViolations")
            assert violations == [], (path, violations)
            visited.append(path)
        assert not [m for m in console if "Content Security Policy" in m], console
        assert len(visited) >= 18
    finally:
        context.close()


def test_a_delete_button_still_asks_before_deleting_an_outcome(live_server, page, monkeypatch):
    """The confirmation was an inline onsubmit handler; it now comes from static/js/site.js."""
    monkeypatch.setattr("reviewapp.management.commands.load_demo.stage_loaders", lambda: [])  # outcomes are enough
    call_command("load_demo", verbosity=0)
    from reviewapp.models import Outcome, Review

    review = Review.objects.get(title=DEMO_TITLE)
    outcome = Outcome.objects.filter(review=review).first()
    assert outcome is not None
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "lead")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(live_server.url + reverse("outcome_edit", args=[review.pk, outcome.pk]))
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.locator("form[data-confirm] button").first.click()
    page.wait_for_timeout(300)
    assert questions == ["Delete this outcome?"]
    assert Outcome.objects.filter(pk=outcome.pk).exists()


# ------------------------------------------------------------------ every page of a built review

# Routes no page of the demo can fill (no such object in it) or that only a signed-out person sees.
UNFILLABLE = {
    "invitation_accept": "needs a pending invitation's secret token",
    "password_reset_confirm": "needs a reset token from an e-mail",
    "webhook_detail": "the demo has no webhook",
    "invitation_revoke": "the demo has no invitation",
    "invitation_accept_mine": "the demo has no invitation (and it is POST only)",
    "invitation_decline_mine": "the demo has no invitation (and it is POST only)",
    "review_archive_download": "the demo has no archive",
    "review_archive_cancel": "the demo has no archive (and it is POST only)",
    "review_archive_again": "the demo has no archive (and it is POST only)",
    "review_version_download": "the demo has no published version (the living-review walk opens one)",
    "api_token_revoke": "the demo has no API token",
    "notification_read": "POST only (marks one notification read)",
    "notifications_unsubscribe": "needs a signed link from a notification e-mail",
}


def _every_route():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern, prefix + str(pattern.pattern)

    return [(p, route) for p, route in walk(get_resolver().url_patterns) if not route.startswith(("api/", "admin/"))]


def _demo_kwargs(lead):
    """A value for every URL keyword the demo review can give, per route name where it differs."""
    from analysis.models import Analysis, AnalysisRun
    from extraction import definition as defs
    from extraction.models import FormTemplate
    from reviewapp.models import ArchiveImport, Outcome, Review
    from screening.models import DuplicatePair, Record, ScreeningItem, Search, SearchFile, Study
    from screening.prisma import BOXES

    review = Review.objects.get(title=DEMO_TITLE)
    extraction = FormTemplate.objects.filter(review=review, kind=FormTemplate.Kind.EXTRACTION).first()
    appraisal = FormTemplate.objects.filter(review=review, kind=FormTemplate.Kind.APPRAISAL).first()
    section = defs.sections(extraction.draft)[0]
    conflict = (ScreeningItem.objects.filter(review=review, status=ScreeningItem.Status.CONFLICT).first()
                or ScreeningItem.objects.filter(review=review).first())
    common = {
        "review_id": review.pk, "outcome_id": Outcome.objects.filter(review=review).first().pk,
        "user_id": lead.pk, "search_id": Search.objects.filter(review=review).first().pk,
        "file_id": SearchFile.objects.filter(search__review=review).first().pk,
        "record_id": Record.objects.filter(review=review).first().pk,
        "pair_id": DuplicatePair.objects.filter(record_a__review=review).first().pk,
        "item_id": conflict.pk, "stage": "ta", "study_id": Study.objects.filter(review=review).first().pk,
        "template_id": extraction.pk, "section_key": section["key"], "field_key": section["fields"][0]["key"],
        "analysis_id": Analysis.objects.filter(review=review).first().pk,
        "run_id": AnalysisRun.objects.filter(analysis__review=review, status="done").first().pk,
        "box": BOXES[0], "shape": "wide", "fmt": "csv", "kind": "summary", "plot": "forest", "name": "x.csv",
        # The lead's failed import of an archive (the demo imports none): its page and "run again".
        "import_id": ArchiveImport.objects.create(owner=lead, original_name="review.zip", status="failed",
                                                  error="The archive is damaged.").pk,
    }
    appraisal_routes = {"template_id": appraisal.pk}
    return review, common, appraisal_routes


def test_every_page_of_a_built_review_shows_without_a_policy_violation(loaded_demo, live_server, browser, client):
    """Every page URL the app has, filled from the demo and opened as its lead: the ones that answer
    with HTML show no securitypolicyviolation (inline style in a plot, an inline handler...). The
    demo's main pages first, on the same copy of the demo (tests/snapshots.py: building it takes minutes)."""
    from django.contrib.auth import get_user_model

    _the_demo_pages_show_without_a_content_security_policy_violation(live_server, browser)
    lead = get_user_model().objects.get(username="lead")
    review, common, appraisal_routes = _demo_kwargs(lead)
    client.force_login(lead)
    html_pages, unfilled = [], []
    for pattern, route in _every_route():
        wanted = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        values = {**common, **(appraisal_routes if pattern.name.startswith("appraisal") else {})}
        if pattern.name in UNFILLABLE or not wanted <= set(values):
            unfilled.append(pattern.name)
            continue
        path = reverse(pattern.name, kwargs={k: values[k] for k in wanted})
        answer = client.get(path)
        if answer.status_code == 200 and answer.get("Content-Type", "").startswith("text/html") \
                and not answer.get("Content-Disposition"):
            html_pages.append(path)
    assert set(unfilled) <= set(UNFILLABLE), set(unfilled) - set(UNFILLABLE)
    assert reverse("analysis_run_detail", args=[review.pk, common["run_id"]]) in html_pages  # the forest plot

    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", "lead")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        found = {}
        for path in html_pages:
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            violations = page.evaluate("window.__cspViolations")
            if violations:
                found[path] = violations
        assert found == {}
        assert len(html_pages) >= 50, html_pages
    finally:
        context.close()
