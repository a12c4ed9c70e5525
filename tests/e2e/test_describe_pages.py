"""The characteristics table and the descriptive summaries read on a desk and on a phone: at
1400 and 390 px the page itself does not scroll sideways (wide tables and the charts scroll in
their own boxes), the charts are drawn, and the CSP reports nothing."""
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
        charts: [...document.querySelectorAll('.figure svg')].filter(s => s.getBoundingClientRect().width > 0).length,
        rows: document.querySelectorAll('tbody tr').length})""")


@pytest.mark.parametrize("width", [1400, 390])
def test_the_description_pages_fit_the_screen(live_server, page, review, people, width, tmp_path):
    lead = people["lead"]
    for name, direction, note in DEMO_OUTCOMES:
        review_services.outcome_create(actor=lead, review=review, name=name, direction=direction, note=note)
    template = extraction_services.template_create_builtin(actor=lead, review=review)
    add_studies(review, template, [name for name, _, _ in DEMO_OUTCOMES], count=12)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    sign_in(page, live_server.url, "lead")
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("extraction/summaries/?rows=intervention_category&columns=setting", "extraction/characteristics/"):
        page.goto(f"{live_server.url}/reviews/{review.pk}/{path}")
        seen = _layout(page)
        page.screenshot(path=str(tmp_path / f"{path.split('/')[1]}-{width}.png"), full_page=True)
        assert seen["pageWidth"] <= width, (path, seen)
        assert seen["rows"] >= 12
        if "summaries" in path:
            assert seen["charts"] >= 5
    assert not [m for m in console if "Content Security Policy" in m], console
