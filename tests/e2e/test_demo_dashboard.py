"""A person signs in as the demo lead, opens the demo review and sees its dashboard."""
from __future__ import annotations

import pytest

from reviewapp.demo import DEMO_PASSWORD, DEMO_TITLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def searches_only(loaded_demo_searches):
    """The demo's protocol, team and searches: all these tests need, without screening the whole demo
    (load_demo with that stage only, built once per run and copied in: tests/snapshots.py)."""
    return loaded_demo_searches


def test_demo_lead_signs_in_and_sees_the_dashboard(live_server, page):
    page.goto(live_server.url + "/")
    page.fill("#id_username", "lead")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.get_by_role("link", name=DEMO_TITLE).first.click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == DEMO_TITLE
    assert "synthetic demo data" in page.locator(".demo-banner").inner_text()
    stages = page.locator("section.stage h3").all_inner_texts()
    assert any(s.startswith("Protocol") for s in stages)
    assert any(s.startswith("Searches") for s in stages)
    assert page.locator("text=Your next steps").is_visible()


def test_a_wrong_password_keeps_you_out(live_server, page):
    page.goto(live_server.url + "/")
    page.fill("#id_username", "lead")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "/accounts/login/" in page.url
    assert "correct username and password" in page.content()
