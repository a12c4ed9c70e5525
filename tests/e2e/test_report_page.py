"""The report read on a desk and on a phone, as a lead who writes in it and as a viewer who reads
it: the page does not scroll sideways, the figures load, the lead's saved paragraphs show as text,
the viewer has no form, and the CSP reports nothing."""
from __future__ import annotations

import pytest

from extraction import services as extraction_services
from reviewapp import services as review_services
from reviewapp.demo import DEMO_OUTCOMES
from tests.analysis.conftest import add_studies
from tests.e2e.test_screening import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _layout(page) -> dict:
    return page.evaluate("""() => ({
        pageWidth: document.documentElement.scrollWidth,
        figures: [...document.querySelectorAll('figure img')].filter(i => i.complete && i.naturalWidth > 0).length,
        form: document.querySelectorAll('#report-form').length})""")


@pytest.mark.parametrize("width", [1400, 390])
def test_the_report_fits_the_screen_for_the_lead_and_the_viewer(live_server, browser, review, people, width,
                                                                tmp_path):
    lead = people["lead"]
    for name, direction, note in DEMO_OUTCOMES:
        review_services.outcome_create(actor=lead, review=review, name=name, direction=direction, note=note)
    template = extraction_services.template_create_builtin(actor=lead, review=review)
    add_studies(review, template, [name for name, _, _ in DEMO_OUTCOMES], count=12)
    url = f"{live_server.url}/reviews/{review.pk}/report/"
    for who in ("lead", "viewer"):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message, seen=console: seen.append(message.text))
        sign_in(page, live_server.url, who)
        page.goto(url)
        if who == "lead":
            page.fill("#text-background", "Why <b>this</b> review.\n\nA second paragraph.")
            with page.expect_navigation():
                page.click("#report-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        seen = _layout(page)
        page.screenshot(path=str(tmp_path / f"report-{who}-{width}.png"), full_page=True)
        assert seen["pageWidth"] <= width, (who, seen)
        assert seen["figures"] >= 1  # the PRISMA diagram (no appraisal is final here)
        assert seen["form"] == (1 if who == "lead" else 0)
        background = page.locator("#section-background ~ p").first.inner_text()
        assert background == "Why <b>this</b> review."
        assert "12 studies" in page.locator("#section-included ~ p").first.inner_text()
        assert not [m for m in console if "Content Security Policy" in m], console
        context.close()
