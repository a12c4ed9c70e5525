"""The lead runs an analysis and watches it finish without reloading the page, then sees the forest
plot and the summary; a reviewer sees the same results but no Run button."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from analysis import services
from analysis import tasks as analysis_tasks
from analysis.models import AnalysisRun
from extraction import services as extraction_services
from reviewapp import services as review_services
from tests.analysis.conftest import add_studies
from tests.e2e.test_screening import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class HeldQueue:
    """Stands in for the worker's queue: keeps the queued run ids, so the test decides when the run happens."""

    def __init__(self):
        self.ids: list[int] = []

    def delay(self, run_id: int) -> None:
        self.ids.append(run_id)


def test_lead_watches_a_run_finish_and_a_reviewer_reads_it(live_server, page, review, people, monkeypatch):
    queue = HeldQueue()
    monkeypatch.setattr(analysis_tasks.analysis_run_execute, "delay", queue.delay)
    lead = people["lead"]
    outcome = review_services.outcome_create(actor=lead, review=review, name="Parental depression", direction="lower")
    template = extraction_services.template_create_builtin(actor=lead, review=review)
    add_studies(review, template, [outcome.name], count=22)
    analysis = services.analysis_create(actor=lead, review=review, outcome=outcome)
    base = live_server.url
    url = f"{base}/reviews/{review.pk}/analyses/{analysis.pk}/"

    sign_in(page, base, "lead")
    page.goto(url)
    assert "No results yet" in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="Run", exact=True).click()
    status = page.locator("#run-status [data-role=label]")
    assert status.inner_text() == "Queued"
    page.evaluate("window.stillTheSamePage = true")

    # the worker takes the run now, while the lead watches
    assert len(queue.ids) == 1
    services.analysis_run_execute(run_id=queue.ids[0])
    # (not wait_for_function: the Content-Security-Policy forbids the eval it uses)
    expect(page.locator("#run-status [data-role=label]")).to_have_text("Done", timeout=15_000)
    page.locator("#results .results").wait_for()
    assert page.evaluate("window.stillTheSamePage") is True  # no reload
    results = page.locator("#results")
    forest = results.locator("figure.plot").first
    assert forest.locator("svg .study-marker").count() == AnalysisRun.objects.get().results["summary"]["k"]
    summary = results.locator("table.summary").inner_text()
    assert "Pooled SMD" in summary and "τ²" in summary and "I²" in summary
    assert "favoured the intervention" in results.locator(".plain-language").inner_text()

    sign_in(page, base, "reviewer")
    page.goto(url)
    assert page.locator("#results figure.plot").first.locator("svg .study-marker").count() >= 2
    assert page.locator("table.summary").is_visible()
    assert page.get_by_role("button", name="Run", exact=True).count() == 0
