"""A living review's update walked in the browser by its lead: publish v1, run the search again
(a changed query), see PRISMA's update shape (previous studies, records found again), then compare
the analysis's new run with the one before; screenshots at 1400 and 390 px (SCREENSHOT_DIR)."""
from __future__ import annotations

import os
import re

import pytest

from analysis import selectors as analysis_selectors
from analysis import services as analysis_services
from extraction import services as extraction_services
from extraction.demo import demo_answers
from reviewapp import services as review_services
from screening import services
from screening.models import Record, ScreeningItem, Search, Study
from tests.analysis.conftest import finalise
from tests.e2e.test_screening import sign_in
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def _studies(review, template, outcome: str, labels: list[str], start: int) -> None:
    for offset, label in enumerate(labels):
        study = Study.objects.create(review=review, label=label)
        finalise(template, study, demo_answers(study, start + offset, [outcome]))


def _run(analysis, lead):
    run = analysis_services.analysis_run_request(actor=lead, analysis=analysis, enqueue=False)
    analysis_services.analysis_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run


@pytest.fixture
def first_version(review, people):
    """The first review: 20 records from MEDLINE, 4 included at full text; an analysis of 8 studies, run once."""
    lead = people["lead"]
    services.screening_settings_update(actor=lead, review=review, reviewers_per_record=1)
    search = make_search(review, lead, "MEDLINE")
    import_bytes(search, lead, ris(*(record(n) for n in range(20))), "first.ris")
    for stage, chosen in (("ta", 4), ("ft", 4)):
        for n, item in enumerate(ScreeningItem.objects.filter(review=review, stage=stage).order_by("id")):
            services.decision_record(actor=lead, review=review, item_id=item.pk,
                                     value="include" if n < chosen else "exclude")
    outcome = review_services.outcome_create(actor=lead, review=review, name="Parental depression",
                                             direction="lower")
    template = extraction_services.template_create_builtin(actor=lead, review=review)
    _studies(review, template, outcome.name, [f"First {n:02d}" for n in range(8)], start=0)
    analysis = analysis_services.analysis_create(actor=lead, review=review, outcome=outcome)
    _run(analysis, lead)
    return search, analysis, template


def test_publish_rerun_prisma_update_and_compare_runs(live_server, page, review, people, first_version):
    search, analysis, template = first_version
    lead, base = people["lead"], live_server.url
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, base, "lead")

    # 1. Publish v1.
    page.goto(f"{base}/reviews/{review.pk}/")
    page.get_by_role("link", name="Published versions").click()
    page.fill("#version-note", "First publication: 4 studies screened in, 8 analysed.")
    page.get_by_role("button", name="Publish version v1").click()
    assert "Version v1 is published" in page.content()
    row = page.locator("table tbody tr").first.inner_text()
    assert "v1" in row and "First publication" in row
    assert page.get_by_role("link", name="Download v1").get_attribute("href").endswith("/versions/v1.zip")
    shot(page, "living-versions-1400.png")

    # 2. Run the search again with a changed query; its export overlaps the first by half.
    page.goto(f"{base}/reviews/{review.pk}/searches/{search.pk}/")
    page.get_by_role("link", name="Run this search again").click()
    page.fill("#id_date_run", "2022-03-01")
    page.fill("#id_query", "parent* AND (infant* OR baby)")
    page.get_by_role("button", name="Save and upload files").click()
    update = Search.objects.get(repeats=search)
    assert page.url.endswith(f"/searches/{update.pk}/")
    import_bytes(update, lead, ris(*(record(n) for n in range(10, 30))), "update.ris")
    assert Record.objects.filter(search=update, duplicate_of__isnull=True).count() == 10

    # 3. PRISMA shows the update's shape by itself: previous studies of v1, the 10 found again.
    page.goto(f"{base}/reviews/{review.pk}/prisma/")
    diagram = " ".join(page.locator("svg text").all_text_contents()).replace("\u00a0", " ")
    assert "Previous studies (v1)" in diagram
    assert "Studies included in previous version of review (n = 4)" in diagram
    assert "found again (already in the review) (n = 10)" in diagram
    assert "Records identified from: Databases (n = 20)" in diagram
    assert re.search(r"Records still waiting for decisions \(n = 10\)", diagram)
    shot(page, "living-prisma-1400.png")
    page.goto(f"{base}/reviews/{review.pk}/searches/appendix/")
    assert "10 new records, 10 found again" in page.content()

    # 4. Two new studies flow through; the analysis is stale with them named, then run again and compared.
    _studies(review, template, "Parental depression", ["Update 2022a", "Update 2022b"], start=8)
    page.goto(f"{base}/reviews/{review.pk}/analyses/")
    stale = analysis_selectors.analysis_overview(analysis=analysis).staleness
    assert stale.added and set(stale.added) <= {"Update 2022a", "Update 2022b"}  # the designs the analysis takes
    assert stale.summary in page.locator("table.analyses").inner_text()  # named on the list, not in a tooltip
    second = _run(analysis, lead)
    page.goto(f"{base}/reviews/{review.pk}/analyses/{analysis.pk}/")
    page.get_by_role("link", name=f"Compare run {second.number} with the run before").click()
    table = page.locator("table.run-compare").inner_text()
    assert "Prediction interval" in table and "GRADE certainty" in table and "I²" in table
    assert f"Added in run 2: {', '.join(stale.added)}." in page.content()
    assert "cross" in page.locator(".compare-conclusion").inner_text()
    shot(page, "living-compare-1400.png")

    # axe-core finds nothing on the new pages (the demo-wide walk cannot reach a comparison: one run per analysis).
    from axe_playwright_python.sync_playwright import Axe

    from tests.e2e.test_accessibility import RULES, _describe

    found = []
    for url in (page.url, f"{base}/reviews/{review.pk}/versions/", f"{base}/reviews/{review.pk}/searches/appendix/"):
        page.goto(url)
        for violation in Axe().run(page, options=RULES).response["violations"]:
            found.extend(_describe(url, "lead", violation))
    assert found == [], "\n".join(found)
    compare_url = f"{base}/reviews/{review.pk}/analyses/{analysis.pk}/runs/{second.pk}/compare/"

    # The same pages on a phone: nothing wider than the screen but the diagram's own scroller.
    page.set_viewport_size({"width": 390, "height": 844})
    for name, url in (("compare", compare_url), ("versions", f"{base}/reviews/{review.pk}/versions/"),
                      ("prisma", f"{base}/reviews/{review.pk}/prisma/")):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, name
        shot(page, f"living-{name}-390.png")
