"""Chromium shows every main page of the demo under the Content-Security-Policy without a
single violation (no inline script or style left behind), and the moved scripts still work."""
from __future__ import annotations

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
             reverse("prisma", args=[r]), reverse("prisma_checklist", args=[r]), reverse("search_appendix", args=[r]),
             reverse("review_members", args=[r]), reverse("audit_log", args=[r]), reverse("duplicate_queue", args=[r]),
             reverse("review_outcomes", args=[r]), reverse("password_change")]
    if outcome:
        pages.append(reverse("outcome_edit", args=[r, outcome.pk]))
    return pages


def test_the_demo_pages_show_without_a_content_security_policy_violation(live_server, browser):
    call_command("load_demo", verbosity=0)
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
    monkeypatch.setattr("reviewapp.management.commands.load_demo.STAGE_LOADERS", [])  # outcomes are enough
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
