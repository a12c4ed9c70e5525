"""Two extractors fill the built-in form (with a repeating group of arms) blind to each other; they
disagree on one field; the lead settles it and the settled value is what the export carries."""
from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from extraction import services
from extraction.models import Extraction
from reviewapp import services as review_services
from screening.models import Study
from tests.e2e.test_screening import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def extraction_review(make_user):
    lead, ada, ben = make_user("lead"), make_user("ada"), make_user("ben")
    review = review_services.review_create(creator=lead, title="Extraction in the browser")
    for person in (ada, ben):
        review_services.member_roles_set(actor=lead, review=review, user=person, roles=["extractor"])
    review_services.outcome_create(actor=lead, review=review, name="Parental depression", direction="lower")
    template = services.template_create_builtin(actor=lead, review=review)
    study = Study.objects.create(review=review, label="Suchman 2010")
    return review, template, study


def fill_entry(page, url: str, fmt: str) -> None:
    page.goto(url)
    page.select_option("#id_f-design", "Randomised controlled trial")
    page.select_option("#id_f-intervention_category", "Contemporary mentalization-based")
    page.fill("#id_f-programme", "Minding the Baby")
    page.check('input[name="f-started_in_pregnancy"][value="Yes"]')
    page.select_option("#id_f-participants", "Mothers")
    page.check('input[name="f-setting"][value="Home"]')
    page.select_option("#id_f-format", fmt)
    page.fill("#id_f-country", "United States")
    page.fill("#id_f-n_caregivers", "105")
    # the repeating group: the first arm, then a second added with the button
    page.fill("#id_r-arms-0-name", "Minding the Baby")
    page.select_option("#id_r-arms-0-role", "Intervention")
    page.get_by_role("button", name="Add another arm").click()
    page.fill("#id_r-arms-1-name", "Usual care")
    page.select_option("#id_r-arms-1-role", "Comparator")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and mark done").click()
    assert "Marked done" in page.content()


def test_double_extraction_settled_by_the_lead_reaches_the_export(live_server, page, extraction_review):
    review, template, study = extraction_review
    base = live_server.url
    entry_url = f"{base}/reviews/{review.pk}/extraction/forms/{template.pk}/studies/{study.pk}/"

    sign_in(page, base, "ada")
    # autosave: typing is kept though the page is left without saving
    page.goto(entry_url)
    page.fill("#id_f-programme", "Minding the Baby")
    # (not wait_for_function: the Content-Security-Policy forbids the eval it uses)
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Draft kept"))
    page.goto(entry_url)
    assert "Restored what you typed" in page.content()
    assert page.input_value("#id_f-programme") == "Minding the Baby"
    fill_entry(page, entry_url, "Individual")

    sign_in(page, base, "ben")
    page.goto(entry_url)
    assert page.input_value("#id_f-programme") == ""  # blind: Ada's answers are not shown
    fill_entry(page, entry_url, "Group")
    extraction = Extraction.objects.get(study=study)
    assert [e.answers["arms"][1]["name"] for e in extraction.entries.all()] == ["Usual care", "Usual care"]
    assert extraction.status == "awaiting_consensus"

    sign_in(page, base, "lead")
    page.goto(f"{base}/reviews/{review.pk}/")
    page.get_by_role("link", name="Settle the consensus of 1 study").click()
    page.get_by_role("link", name="settle").click()
    differing = page.locator("tr.differs")
    assert differing.count() == 1 and "Format" in differing.inner_text()
    differing.get_by_label("Group").check()
    with page.expect_navigation():
        differing.get_by_role("button", name="Settle").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Finalise the consensus").click()
    assert "is final" in page.content()

    response = page.request.get(f"{base}/reviews/{review.pk}/extraction/export/wide.csv")
    rows = list(csv.DictReader(io.StringIO(response.text())))
    assert [(r["study"], r["format"], r["arms_2_name"]) for r in rows] == [("Suchman 2010", "Group", "Usual care")]
