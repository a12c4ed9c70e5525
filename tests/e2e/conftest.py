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
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, monkeypatch):
    # Playwright's sync API keeps an event loop in this thread, which makes Django refuse ORM
    # calls made by the test itself (loading the demo, checking rows) for the test's duration.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
