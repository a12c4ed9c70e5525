"""Saving a form in a real browser keeps every date it shows: Chromium's date inputs accept only
yyyy-mm-dd, and a value in another format shows as blank and is saved as nothing."""
from __future__ import annotations

import datetime

import pytest

from reviewapp import services
from reviewapp.models import Review
from screening.models import Search
from tests.screening.helpers import make_search

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-123")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def test_editing_one_field_of_the_protocol_keeps_the_search_period(live_server, page, review, people):
    services.review_update(actor=people["lead"], review=review, search_from=datetime.date(2000, 1, 1),
                           search_to=datetime.date(2021, 9, 30))
    sign_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/reviews/{review.pk}/edit/")
    assert page.input_value("#id_search_from") == "2000-01-01"
    assert page.input_value("#id_search_to") == "2021-09-30"
    page.fill("#id_question", "Do parent-infant psychotherapies improve attachment?")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/reviews/{review.pk}/")
    saved = Review.objects.get(pk=review.pk)
    assert saved.question == "Do parent-infant psychotherapies improve attachment?"
    assert (saved.search_from, saved.search_to) == (datetime.date(2000, 1, 1), datetime.date(2021, 9, 30))


def test_editing_a_search_keeps_its_date(live_server, page, review, people):
    search = make_search(review, people["lead"], "EMBASE", date_run=datetime.date(2021, 3, 7))
    sign_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/reviews/{review.pk}/searches/{search.pk}/edit/")
    assert page.input_value("#id_date_run") == "2021-03-07"
    page.fill("#id_notes", "Run by the librarian.")
    page.click("form button[type=submit]:not([name=delete])")
    page.wait_for_url(f"{live_server.url}/reviews/{review.pk}/searches/{search.pk}/")
    saved = Search.objects.get(pk=search.pk)
    assert saved.notes == "Run by the librarian." and saved.date_run == datetime.date(2021, 3, 7)



def test_error_pages_and_lists_fit_a_phone(live_server, browser, review, people):
    """At 390 px no page is wider than the screen, and a 403 says which role is needed."""
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        make_search(review, people["lead"], "EMBASE")
        sign_in(page, live_server, "viewer")
        for path in ("/", f"/reviews/{review.pk}/searches/", f"/reviews/{review.pk}/records/",
                     f"/reviews/{review.pk}/members/", f"/reviews/{review.pk}/edit/"):
            page.goto(live_server.url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert "This needs the role Lead" in page.locator("main").inner_text()
    finally:
        context.close()
