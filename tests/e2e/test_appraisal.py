"""Two appraisers answer RoB 2 for one result in the browser, blind to each other; they disagree on
one signalling question, so the proposed judgements of Domain 1 differ; the lead settles it on the
comparison page and the traffic-light figure shows the consensus."""
from __future__ import annotations

import pytest

from extraction.appraisal import services
from extraction.models import AppraisalTool, Extraction
from reviewapp import services as review_services
from screening.models import Study
from tests.e2e.test_screening import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOW_EVERYWHERE = {"q1_1": "Y", "q1_2": "Y", "q1_3": "N", "q2_1": "Y", "q2_2": "Y", "q2_3": "PN", "q2_6": "Y",
                  "q3_1": "Y", "q4_1": "N", "q4_2": "N", "q4_3": "N", "q5_1": "Y", "q5_2": "N", "q5_3": "N"}


@pytest.fixture
def appraisal_review(make_user):
    lead, ada, ben = make_user("lead"), make_user("ada"), make_user("ben")
    review = review_services.review_create(creator=lead, title="Appraisal in the browser")
    for person in (ada, ben):
        review_services.member_roles_set(actor=lead, review=review, user=person, roles=["extractor"])
    review_services.outcome_create(actor=lead, review=review, name="Parental depression", direction="lower")
    services.builtin_tools_load()  # a transactional test may run after the migration's rows were flushed
    template = services.tool_form_add(actor=lead, review=review, tool=AppraisalTool.objects.get(slug="rob2-parallel"))
    study = Study.objects.create(review=review, label="Suchman 2010")
    return review, template, study


def appraise(page, base, review, study, answers: dict, live: str = "") -> None:
    page.goto(f"{base}/reviews/{review.pk}/appraisal/studies/{study.pk}/")
    page.select_option("#id_outcome", "Parental depression")
    page.select_option("#id_effect", "assignment")
    page.get_by_role("button", name="Open the form").click()
    page.wait_for_selector("#entry-form")
    for key, value in answers.items():
        page.check(f'input[name="f-{key}"][value="{value}"]')
    page.fill("#id_f-q1_2_note", "Sealed envelopes." if answers["q1_2"] == "Y" else "Not reported.")
    if live:  # the proposal follows the typed answers before anything is saved
        page.wait_for_function("text => document.querySelector('#domain-d1 .proposal').textContent.includes(text)",
                               arg=live)
    with page.expect_navigation():
        page.get_by_role("button", name="Save and mark done").click()
    assert "Marked done" in page.content()


def test_two_appraisers_disagree_the_lead_settles_and_the_figure_shows_the_consensus(
        live_server, page, appraisal_review):
    review, template, study = appraisal_review
    base = live_server.url

    sign_in(page, base, "ada")
    appraise(page, base, review, study, LOW_EVERYWHERE)
    assert "Proposed: Low" in page.locator("#domain-d1 .proposal").inner_text()

    sign_in(page, base, "ben")
    appraise(page, base, review, study, {**LOW_EVERYWHERE, "q1_2": "NI"}, live="Some concerns")
    assert "Sealed envelopes." not in page.content()  # blind: Ada's support is not shown to Ben
    assert "Proposed: Some concerns" in page.locator("#domain-d1 .proposal").inner_text()
    assert Extraction.objects.get(template=template).status == "awaiting_consensus"

    sign_in(page, base, "lead")
    page.goto(f"{base}/reviews/{review.pk}/")
    page.get_by_role("link", name="Settle 1 appraisal").click()
    page.get_by_role("link", name="Suchman 2010").first.click()
    page.get_by_role("link", name="settle").click()
    domain1 = page.locator("#cmp-d1")
    proposals = domain1.locator("tr.proposal-row").inner_text()
    assert "Low" in proposals and "Some concerns" in proposals  # the two proposals differ
    differing = domain1.locator("tr.differs")
    assert differing.count() == 1 and "1.2" in differing.inner_text()
    assert page.locator("tr.differs").count() == 1  # nothing else to settle
    differing.get_by_label("NI").first.check()
    with page.expect_navigation():
        differing.get_by_role("button", name="Settle").click()
    assert "Some concerns" in page.locator("#cmp-overall tr.final-row").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Finalise the consensus").click()
    assert "is final" in page.content()

    page.get_by_role("link", name="Figures").click()
    image = page.locator("img[alt^='Traffic-light plot']")
    image.evaluate("img => img.decode()")  # resolves once the figure is drawn, rejects if it cannot be
    assert image.evaluate("img => img.naturalWidth") > 0
    svg = page.request.get(image.evaluate("img => img.src")).text()
    assert "Suchman 2010 · Parental depression, D1: Some concerns" in svg
    assert "Suchman 2010 · Parental depression, Overall: Some concerns" in svg
    assert "D2: Low" in svg
