"""The demo review's summary-of-findings table in the browser: the lead changes one GRADE rating,
is asked for a reason first, and the table then shows the changed certainty with that reason.

The review is built with the demo's own generators for the stages the table reads (outcomes,
extraction consensus of 33 synthetic studies, appraisals, one analysis per outcome, run), without
the screening stage that makes load_demo take a minute or two."""
from __future__ import annotations

import os

import pytest

from analysis.demo import demo_analyses_load
from extraction import services as extraction_services
from extraction.appraisal.demo import demo_appraisal_load
from extraction.appraisal.tools import builtin_tools
from extraction.models import AppraisalTool
from reviewapp import services as review_services
from reviewapp.demo import DEMO_OUTCOMES
from tests.analysis.conftest import add_studies
from tests.e2e.test_content_security_policy import RECORD_VIOLATIONS
from tests.e2e.test_screening import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUTCOME = "Parental depression"
REASON = "Most trials recruited mothers only; fathers are the question too"


def _builtin_tools_present() -> None:
    """A transactional test's flush empties every table, and with it the appraisal tools that
    extraction's migration 0002 loaded; put them back for the demo's appraisals."""
    for tool in builtin_tools():
        AppraisalTool.objects.get_or_create(slug=tool["slug"], version=tool["version"],
                                            defaults={"name": tool["name"], "definition": tool, "builtin": True})


@pytest.fixture
def demo_shaped(review, people):
    _builtin_tools_present()
    lead = people["lead"]
    names = [review_services.outcome_create(actor=lead, review=review, name=n, direction=d, note=note).name
             for n, d, note in DEMO_OUTCOMES]
    template = extraction_services.template_create_builtin(actor=lead, review=review)
    add_studies(review, template, names)
    demo_appraisal_load(review=review, lead=lead)
    demo_analyses_load(review=review, lead=lead)
    return review


def _shots(page, name: str) -> None:
    """Screenshots for a person to look at, when SCREENSHOT_DIR is set."""
    where = os.environ.get("SCREENSHOT_DIR")
    if where:
        page.screenshot(path=os.path.join(where, f"{name}.png"), full_page=True)


def test_the_lead_changes_a_rating_with_its_reason_and_the_table_shows_it(live_server, page, demo_shaped, people):
    review = demo_shaped
    base = live_server.url
    page.context.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, base, "lead")
    page.goto(f"{base}/reviews/{review.pk}/analyses/")
    page.get_by_role("link", name="Summary of findings (GRADE)").click()
    table = page.locator("#sof-table")
    row = table.locator("tbody tr", has_text=OUTCOME)
    before = row.inner_text()
    assert "Indirectness" not in before

    section = page.locator(f"section.sof-outcome:has(h2:text-is('{OUTCOME}'))")
    domain = section.locator("tr.domain-row", has_text="Indirectness")
    assert "proposal, not yet confirmed" in domain.inner_text()
    domain.locator("select[name=change-indirectness]").select_option("-1")
    section.get_by_role("button", name=f"Save the ratings of {OUTCOME}").click()
    # Refused: the choice stays as chosen and the reason asked for is explained beside it.
    assert domain.locator("select[name=change-indirectness]").input_value() == "-1"
    assert "Indirectness: give a reason for rating it serious (−1): the data propose not serious (0)." in (
        domain.inner_text())
    _shots(page, "sof-refused")

    domain.locator("input[name=reason-indirectness]").fill(REASON)
    domain.locator("input[name=reason-indirectness]").press("Enter")  # Enter saves, as the Save button
    page.wait_for_load_state()
    assert "changed by the lead" in domain.inner_text() and f"Reason: {REASON}" in domain.inner_text()
    assert page.evaluate("window.__cspViolations") == []  # no inline script or style on the page
    after = table.locator("tbody tr", has_text=OUTCOME).inner_text()
    assert f"Indirectness: serious ({REASON})" in after
    _shots(page, "sof-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shots(page, "sof-390")

    # the Word-friendly download carries the same row
    download = page.request.get(f"{base}/reviews/{review.pk}/summary-of-findings.html")
    assert "attachment" in download.headers["content-disposition"]
    assert f"Indirectness: serious ({REASON})" in download.text()
    if os.environ.get("SCREENSHOT_DIR"):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto("about:blank")  # outside the site's Content-Security-Policy, as a file opened in Word
        page.set_content(download.text())
        _shots(page, "sof-download")

    # a reviewer reads the same table and reason but has no rating forms
    sign_in(page, base, "reviewer")
    page.goto(f"{base}/reviews/{review.pk}/summary-of-findings/")
    assert f"Indirectness: serious ({REASON})" in page.locator("#sof-table").inner_text()
    assert page.locator("form.rating-form").count() == 0
    assert page.get_by_role("button", name="Accept all proposals in the table").count() == 0


def test_the_lead_accepts_the_proposals_of_the_whole_table(live_server, page, demo_shaped, people):
    review = demo_shaped
    base = live_server.url
    sign_in(page, base, "lead")
    page.goto(f"{base}/reviews/{review.pk}/summary-of-findings/")
    assert page.locator("form.rating-form").count() == page.locator("section.sof-outcome table").count()
    page.get_by_role("button", name="Accept all proposals in the table").first.click()
    page.wait_for_load_state()
    assert "proposals accepted" in page.locator("main").inner_text()
    assert page.get_by_text("proposal, not yet confirmed").count() == 0
    assert page.get_by_role("button", name="Accept all proposals in the table").count() == 0
