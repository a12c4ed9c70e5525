"""The forest plot stays readable on a phone: at 390 px it keeps its drawn size and scrolls
sideways in its own box (as the PRISMA diagram does); at 1400 px it fits the page (issue 33)."""
from __future__ import annotations

import pytest

from analysis import services
from analysis import tasks as analysis_tasks
from extraction import services as extraction_services
from reviewapp import services as review_services
from tests.analysis.conftest import add_studies
from tests.e2e.test_screening import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The SVG draws its text at 13 px; below about 11 px on screen it is no longer readable.
READABLE_PX = 11


def _forest_box(page) -> dict:
    return page.evaluate("""() => {
        const box = document.querySelector('figure.plot .figure-scroll');
        const svg = box.querySelector('svg');
        const text = svg.querySelector('text');
        return {boxWidth: box.clientWidth, scrollWidth: box.scrollWidth,
                pageWidth: document.documentElement.scrollWidth,
                textPx: text.getBoundingClientRect().height, svgWidth: svg.getBoundingClientRect().width};
    }""")


def test_the_forest_plot_scrolls_in_its_box_on_a_phone(live_server, page, review, people, monkeypatch, tmp_path):
    monkeypatch.setattr(analysis_tasks.analysis_run_execute, "delay", lambda run_id: None)
    lead = people["lead"]
    outcome = review_services.outcome_create(actor=lead, review=review, name="Parental depression", direction="lower")
    template = extraction_services.template_create_builtin(actor=lead, review=review)
    add_studies(review, template, [outcome.name], count=22)
    analysis = services.analysis_create(actor=lead, review=review, outcome=outcome)
    run = services.analysis_run_request(actor=lead, analysis=analysis)
    services.analysis_run_execute(run_id=run.pk)
    url = f"{live_server.url}/reviews/{review.pk}/analyses/{analysis.pk}/"
    sign_in(page, live_server.url, "lead")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    phone = _forest_box(page)
    page.screenshot(path=str(tmp_path / "forest-390.png"), full_page=True)
    assert phone["boxWidth"] <= 390 and phone["pageWidth"] <= 390  # the page itself does not scroll sideways
    assert phone["scrollWidth"] > phone["boxWidth"]  # the plot scrolls inside its box
    assert phone["textPx"] >= READABLE_PX

    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(url)
    desk = _forest_box(page)
    assert desk["scrollWidth"] <= desk["boxWidth"] + 1  # fits: nothing to scroll
    assert desk["textPx"] >= READABLE_PX
