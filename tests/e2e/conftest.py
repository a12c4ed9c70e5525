"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""
from __future__ import annotations

import os
import shutil

import pytest

from tests.support import require

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling out to Google's hosts,
# which this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]



@pytest.fixture(scope="session")
def browser():
    require(os.path.exists(CHROMIUM) or shutil.which("chromium") is not None,
            "Chromium is not installed (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop in this thread while the browser lives, which
    # makes Django refuse the ORM calls of the tests and of pytest-django's database fixtures.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
