"""The bell and the notifications page in Chromium, on a wide screen and a phone: the count in
the header, opening an item where it points, marking all read, saving the e-mail choices."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp.notifications.models import Kind, NotificationPreference
from reviewapp.notifications.services import notify
from tests.e2e.test_forms_keep_dates import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1400, 390])
def test_the_bell_counts_and_the_page_opens_marks_and_saves(live_server, browser, review, people, width):
    members = reverse("review_members", args=[review.pk])
    for person in ("newcomer", "another"):
        notify(review=review, kind=Kind.INVITATION, recipients=[people["lead"]], link=members,
               params={"person": person, "roles": "Viewer"})
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, "lead")
        bell = page.locator("header a.bell")
        assert bell.is_visible() and bell.inner_text().startswith("Notifications")
        assert page.locator("header .bell-count").inner_text().startswith("2")
        bell.click()
        page.wait_for_url(live_server.url + reverse("notifications"))
        assert page.locator(".notification-list li.unread").count() == 2
        assert "another accepted your invitation and joined as Viewer." in page.locator("main").inner_text()
        page.locator(".notification-list li").first.get_by_role("button", name="Open").click()
        page.wait_for_url(live_server.url + members)
        assert page.locator("header .bell-count").inner_text().startswith("1")
        page.goto(live_server.url + reverse("notifications"))
        page.get_by_role("button", name="Mark all read").click()
        page.wait_for_load_state("load")
        assert page.locator("header .bell-count").count() == 0
        page.select_option("#id_conflict", "immediate")
        page.get_by_role("button", name="Save e-mail choices").click()
        page.wait_for_load_state("load")
        assert "Your e-mail choices are saved." in page.locator(".messages").inner_text()
        assert NotificationPreference.objects.get(user=people["lead"], kind=Kind.CONFLICT).email == "immediate"
        # Nothing wider than the screen on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
