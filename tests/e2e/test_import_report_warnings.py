"""The import report's table of values read but not understood fits a 390 px phone screen."""
from __future__ import annotations

import pytest
from django.urls import reverse

from tests.screening.helpers import import_bytes, make_search

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAULTY = b"".join(
    b"TY  - JOUR\nTI  - Record %d\nPY  - spring of the year ten\nDO  - https://publisher.example.org/articles/"
    b"a-very-long-link-that-is-not-a-doi-at-all-%d\nER  - \n\n" % (n, n) for n in range(5))


def test_the_warnings_table_is_readable_at_390_px(live_server, browser, review, people):
    search = make_search(review, people["lead"])
    search_file = import_bytes(search, people["lead"], FAULTY, "faulty.ris")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "viewer")
        page.fill("#id_password", "pw-for-tests-123")
        page.click("button[type=submit]")
        page.goto(live_server.url + reverse("search_file_report", args=[review.pk, search_file.pk]))
        table = page.locator("table.import-warnings")
        assert table.is_visible()
        rows = table.locator("tbody tr")
        assert rows.count() == 2
        assert "spring of the year ten" in table.inner_text()
        # Nothing on the page pushes it wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
