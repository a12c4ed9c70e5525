"""The records list as a work surface in a browser, at 1400 and 390 px: a lead filters by status
through the form, sorts by year, selects two records and excludes them with a reason; the team
view shows the lead's pace. Nothing spills sideways on a phone."""
from __future__ import annotations

import os

import pytest

from reviewapp import services as review_services
from screening.models import ScreeningItem
from tests.e2e.test_screening import sign_in
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("WORKLIST_SHOTS", "")


@pytest.mark.parametrize("width, height", [(1400, 900), (390, 844)])
def test_a_lead_filters_sorts_selects_and_excludes(live_server, page, make_user, width, height):
    lead = make_user("lead")
    review = review_services.review_create(creator=lead, title="Work surface")
    import_bytes(make_search(review, lead), lead, ris(*(record(n) for n in range(1, 7))), "scopus.ris")
    base = live_server.url
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, base, "lead")
    page.goto(f"{base}/reviews/{review.pk}/records/")
    page.select_option("#id_status", "pending")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    assert "status=pending" in page.url
    if width > 600:  # the column headers sort
        with page.expect_navigation():
            page.get_by_role("link", name="Year").click()
    else:  # a phone shows no table headers: the form's "Order by" sorts
        page.select_option("#id_sort", "year")
        with page.expect_navigation():
            page.get_by_role("button", name="Filter").click()
    assert "sort=year" in page.url and "status=pending" in page.url
    years = [int(t) for t in page.locator("tbody td[data-label=Year]").all_inner_texts()]
    assert years == sorted(years) and len(years) == 6
    page.get_by_label("Select record 1", exact=True).check()
    page.get_by_label("Select record 2", exact=True).check()
    page.fill("#bulk-reason", "Animal study")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/records-{width}.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Exclude selected").click()
    assert "2 records excluded." in page.content()
    assert "status=pending" in page.url  # back to the same filtered list
    assert ScreeningItem.objects.filter(review=review, status="excluded").count() == 2
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, scroll
    page.goto(f"{base}/reviews/{review.pk}/screening/team/")
    assert page.locator("h1").inner_text() == "Team"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/team-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


@pytest.mark.parametrize("width, height", [(1400, 900), (390, 844)])
def test_a_lead_assigns_a_selection_to_a_reviewers_queue(live_server, page, make_user, width, height):
    lead, reviewer = make_user("lead"), make_user("ana")
    review = review_services.review_create(creator=lead, title="Assigning")
    review_services.member_roles_set(actor=lead, review=review, user=reviewer, roles=["reviewer"])
    import_bytes(make_search(review, lead), lead, ris(*(record(n) for n in range(1, 5))), "scopus.ris")
    base = live_server.url
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, base, "lead")
    page.goto(f"{base}/reviews/{review.pk}/records/")
    page.get_by_label("Select record 3", exact=True).check()
    page.get_by_label("Select record 4", exact=True).check()
    page.select_option("#bulk-reviewer", label="ana")
    with page.expect_navigation():
        page.get_by_role("button", name="Assign selected (stage above)").click()
    assert "2 records assigned." in page.content()
    page.select_option("#id_assigned_to", label="ana")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    assert sorted(page.locator("tbody td[data-label='#']").all_inner_texts()) == ["3", "4"]
    assert page.get_by_text("assigned to ana").count() == 2
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/assign-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
