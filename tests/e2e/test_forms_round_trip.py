"""The lead's forms in a real browser, filled, saved and reopened: a field's whole bounds and an
analysis' confidence level come back as typed; an entry with five problems shows all five beside their
fields at once; a date difference is settled with the date picker; renaming an outcome on the protocol
page keeps its studies in the analysis. Screenshots at 1400 and 390 px when SCREENSHOT_DIR is set."""
from __future__ import annotations

import os

import pytest

from analysis import selectors as analysis_selectors
from analysis import services as analysis_services
from extraction import services as extraction_services
from extraction.models import Extraction
from reviewapp import services as review_services
from screening.models import Study
from tests.analysis.conftest import finalise
from tests.analysis.test_inputs import means
from tests.e2e.test_screening import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROW = "r-outcome_data-0-"


def _shots(page, name: str) -> None:
    where = os.environ.get("SCREENSHOT_DIR")
    if not where:
        return
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(where, f"{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
    page.set_viewport_size({"width": 1400, "height": 900})


@pytest.fixture
def setup(review, people, make_user):
    lead = people["lead"]
    outcome = review_services.outcome_create(actor=lead, review=review, name="Parental depression",
                                             direction="lower")
    template = extraction_services.template_create_builtin(actor=lead, review=review)
    study = Study.objects.create(review=review, label="Author 2001")
    second = make_user("extractor2")
    review_services.member_roles_set(actor=lead, review=review, user=second, roles=["extractor"])
    return {"outcome": outcome, "template": template, "study": study, "second": second}


def test_bounds_and_levels_reopen_as_typed_and_an_entry_shows_every_problem(live_server, page, review, people,
                                                                            setup):
    base = f"{live_server.url}/reviews/{review.pk}"
    sign_in(page, live_server.url, "lead")
    page.goto(f"{base}/extraction/forms/")
    page.fill("#id_name", "Our form")
    page.get_by_role("button", name="Create an empty form").click()
    page.get_by_role("link", name="Add a section or repeating group").click()
    page.fill("#id_title", "Sample")
    page.get_by_role("button", name="Save to the draft").click()
    page.get_by_role("link", name="Add a field to Sample").click()
    page.fill("#id_label", "Participants")
    page.select_option("#id_type", "integer")
    page.fill("#id_min", "1")
    page.fill("#id_max", "100000")
    page.get_by_role("button", name="Save to the draft").click()
    page.get_by_role("link", name="Edit Participants").click()
    assert (page.input_value("#id_min"), page.input_value("#id_max")) == ("1", "100000")
    _shots(page, "field-reopened")

    analysis = analysis_services.analysis_create(actor=people["lead"], review=review, outcome=setup["outcome"])
    page.goto(f"{base}/analyses/{analysis.pk}/edit/")
    page.fill("#id_level", "90")
    page.locator("main form button[type=submit]").first.click()
    page.goto(f"{base}/analyses/{analysis.pk}/edit/")
    assert page.input_value("#id_level") == "90"

    page.goto(f"{base}/extraction/forms/{setup['template'].pk}/studies/{setup['study'].pk}/")
    if page.locator(f"[name='{ROW}outcome']").count() == 0:
        page.get_by_role("button", name="Add another result").click()
    page.select_option(f"[name='{ROW}outcome']", "Parental depression")
    page.select_option(f"[name='{ROW}data_type']", "Means (two groups)")
    for key, value in {"i_mean": "nine", "c_mean": "twelve", "c_sd": "five", "i_n": "0", "i_sd": "-4"}.items():
        page.fill(f"[name='{ROW}{key}']", value)
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_load_state()
    errors = page.locator(".field.has-error .errorlist")
    texts = errors.all_inner_texts()
    for expected in ("mean: number expected", "SD: number expected", "n must be at least 1",
                     "SD must be greater than 0"):
        assert any(expected in t for t in texts), (expected, texts)
    assert errors.count() >= 5
    assert page.input_value(f"[name='{ROW}i_mean']") == "nine"  # what was typed comes back
    _shots(page, "entry-five-problems")


def test_a_date_difference_is_settled_with_the_date_picker(live_server, page, review, people, setup):
    lead, a, b = people["lead"], people["extractor"], setup["second"]
    template = extraction_services.template_create(actor=lead, review=review, name="Dates")
    template.draft = {"sections": [{"key": "study", "title": "Study", "help": "", "repeat": "", "fields": [
        {"key": "started", "label": "Recruitment started", "type": "date", "required": False, "help": "",
         "choices": [], "min": None, "max": None, "unit": ""}]}]}
    template.save()
    extraction_services.version_publish(actor=lead, template=template)
    for person, day in ((a, "2019-03-05"), (b, "2019-05-03")):
        extraction_services.entry_save_answers(actor=person, template=template, study=setup["study"], done=True,
                                               answers={"started": day})
    sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/reviews/{review.pk}/extraction/forms/{template.pk}/studies/"
              f"{setup['study'].pk}/compare/")
    form = page.locator("form.settle")
    assert form.locator("input[name=other]").get_attribute("type") == "date"
    form.locator("input[value=other]").check()
    form.locator("input[name=other]").fill("2019-04-01")
    _shots(page, "settle-date")
    form.get_by_role("button", name="Settle").click()
    page.wait_for_load_state()
    assert "2019-04-01" in page.locator("main").inner_text()
    page.get_by_role("button", name="Finalise").first.click()
    page.wait_for_load_state()
    assert Extraction.objects.get(template=template).consensus == {"started": "2019-04-01"}


def test_renaming_an_outcome_on_the_protocol_page_keeps_its_studies(live_server, page, review, people, setup):
    for label in ("A 2001", "B 2002"):
        finalise(setup["template"], Study.objects.create(review=review, label=label),
                 {"design": "Randomised controlled trial", "outcome_data": [means()], "timepoints": []})
    analysis = analysis_services.analysis_create(actor=people["lead"], review=review, outcome=setup["outcome"])
    sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/reviews/{review.pk}/outcomes/{setup['outcome'].pk}/")
    page.fill("#id_name", "Depressive symptoms")
    page.locator("main form button[type=submit]:not([name=delete])").first.click()
    page.wait_for_load_state()
    assert "Depressive symptoms" in page.locator("main").inner_text()
    analysis.refresh_from_db()
    assert [s["label"] for s in analysis_selectors.analysis_inputs(analysis=analysis).studies] == ["A 2001",
                                                                                                 "B 2002"]
    page.goto(f"{live_server.url}/reviews/{review.pk}/extraction/")
    assert page.locator("#unknown-outcomes").count() == 0
