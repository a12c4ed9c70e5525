"""The pages of the API at phone width: a person creates a token (its key shown once), uses it,
and revokes it; a lead registers a webhook and finds its secret and deliveries."""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from reviewapp.models import ApiToken
from tests.e2e.test_forms_keep_dates import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots for a person to look at, when SCREENSHOTS names a folder.
SHOTS = os.environ.get("SCREENSHOTS")


def _fits(page) -> None:
    wide = page.evaluate("""[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 390)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 5)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, (page.url, wide)


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _me(live_server, key: str):
    request = urllib.request.Request(live_server.url + "/api/v1/me/", headers={"Authorization": f"Token {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_token_made_on_its_page_works_until_revoked(live_server, browser, review, people):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, live_server, "reviewer")
        page.click("text=API tokens")
        page.fill("#id_name", "R script on my laptop")
        page.check("input[name=scope][value=read-write]")
        page.select_option("#id_review", str(review.pk))
        page.select_option("#id_days", "30")
        page.click("text=Create token")
        key = page.locator("#new-key").inner_text().strip()
        saved = ApiToken.objects.get(user=people["reviewer"])
        assert saved.review_id == review.pk and saved.expires_at is not None
        _fits(page)
        _shot(page, "api-tokens-new")
        assert _me(live_server, key) == (200, {"user_id": people["reviewer"].pk, "username": "reviewer",
                                               "display_name": "reviewer", "token": "R script on my laptop",
                                               "scope": "read-write"})
        page.goto(live_server.url + "/accounts/tokens/")
        assert key not in page.content()
        page.click("button:has-text('Revoke')")
        page.wait_for_selector("text=revoked")
        _fits(page)
        _shot(page, "api-tokens-revoked")
        assert _me(live_server, key)[0] == 401
        assert ApiToken.objects.get(user=people["reviewer"]).revoked_at is not None
    finally:
        context.close()


def test_a_lead_registers_a_webhook_at_phone_width(live_server, browser, review, people):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, live_server, "lead")
        page.goto(f"{live_server.url}/reviews/{review.pk}/")
        page.click("nav.reviewnav >> text=Webhooks")
        _fits(page)
        page.fill("#id_url", "http://127.0.0.1:9/receiver/for/a/rather/long/path/of/the/review/team")
        page.check("input[name=events][value='conflict.created']")
        page.check("input[name=events][value='stage.finished']")
        page.click("button:has-text('Register')")
        page.wait_for_selector("text=Signing secret")
        page.click("text=Signing secret")
        assert review.webhooks.get().secret in page.locator("main").inner_text()
        _fits(page)
        _shot(page, "webhook-detail")
        page.goto(f"{live_server.url}/reviews/{review.pk}/webhooks/")
        _fits(page)
        _shot(page, "webhooks")
    finally:
        context.close()


def test_the_browsable_schema_shows_the_operations(live_server, page, review, people):
    sign_in(page, live_server, "viewer")
    page.goto(live_server.url + "/api/v1/docs/")
    # The groups come collapsed (docExpansion "none": 140 operations open at once is a wall, and
    # Swagger UI stopped drawing the open list after two groups); each opens on a click.
    page.wait_for_selector("#operations-tag-screening")
    assert page.locator(".opblock-tag").count() >= 20
    page.click("#operations-tag-screening")
    page.wait_for_selector("text=/api/v1/reviews/{review_id}/screening/decisions/")
    assert page.locator(".opblock").count() >= 15
    _shot(page, "api-docs")
