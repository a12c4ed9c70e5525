"""The whole-review archive in the browser at phone width: the lead asks for it on its page and
downloads it once the worker wrote it; another person imports it on the import page and lands on
the new review, with the records and decisions of the first."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reviewapp.models import Review
from screening import services
from screening.models import Decision, ScreeningItem
from tests.e2e.test_forms_keep_dates import sign_in
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOTS")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_a_lead_downloads_the_review_and_someone_imports_it(live_server, browser, review, people, tmp_path):
    search = make_search(review, people["lead"])
    import_bytes(search, people["lead"], ris(*(record(n) for n in range(1, 6))), "scopus.ris")
    item = ScreeningItem.objects.filter(review=review).order_by("id").first()
    services.decision_record(actor=people["reviewer"], review=review, item_id=item.pk, value="include")

    context = browser.new_context(viewport={"width": 390, "height": 800}, accept_downloads=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, "lead")
        page.goto(f"{live_server.url}/reviews/{review.pk}/")
        _fits(page)
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / "archive-dashboard.png"), full_page=True)
        page.click("text=The whole review as one file")
        page.click("text=Write a new archive")
        # The worker writes it (in tests, as the request commits); the page then offers it.
        expect(page.locator(".status.done")).to_have_text("Ready")
        _fits(page)
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / "archive-page.png"), full_page=True)
        with page.expect_download() as download:
            page.click("a:has-text('Download')")
        archive = tmp_path / download.value.suggested_filename
        download.value.save_as(archive)
        assert archive.suffix == ".zip" and archive.stat().st_size > 0
        context.clear_cookies()  # sign out

        sign_in(page, live_server, "outsider")
        page.click("text=Import a review from an archive")
        _fits(page)
        page.set_input_files("#archive-file", str(archive))
        page.click("text=Import review")
        # The worker imports it (eagerly in tests); the import's page says so and links the review.
        expect(page.locator("#import-status .status.done")).to_have_text("Imported")
        _fits(page)
        copy = Review.objects.exclude(pk=review.pk).get()
        page.click(f"#import-status a[href='/reviews/{copy.pk}/']")
        expect(page).to_have_url(f"{live_server.url}/reviews/{copy.pk}/")
        expect(page.locator("h1")).to_contain_text(review.title)
        _fits(page)
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / "archive-imported.png"), full_page=True)
    finally:
        context.close()
    assert copy.records.count() == review.records.count() == 5
    assert Decision.objects.filter(item__review=copy).count() == 1
    assert copy.memberships.filter(user=people["outsider"], role="lead").exists()
