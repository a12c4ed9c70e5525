"""A lead invites someone by e-mail or username; the invitee follows the link and sets a password, or
accepts on their home page, and is in."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core import mail

from reviewapp import services
from reviewapp.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)


def shoot(page, out: Path, name: str) -> None:
    """Full-page screenshots at desktop and phone width (kept when E2E_SCREENSHOT_DIR is set)."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
        # Nothing may stick out sideways on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_lead_invites_and_the_invitee_joins_from_the_mail(live_server, browser, make_user, tmp_path):
    out = Path(os.environ.get("E2E_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    lead = make_user("lena")
    review = services.review_create(creator=lead, title="Parent-infant psychotherapy for mothers with depression")
    services.invitation_create(actor=lead, review=review, identifier="old.invite@example.org",
                               roles=["viewer"], site_url=live_server.url)

    lead_page = browser.new_context().new_page()
    lead_page.goto(f"{live_server.url}/reviews/{review.pk}/members/")
    lead_page.fill("#id_username", "lena")
    lead_page.fill("#id_password", "pw-for-tests-123")
    lead_page.click("button[type=submit]")
    lead_page.fill("#id_identifier", "Ines.Invitee@example.org")
    assert lead_page.locator("#invite input[name=roles]:checked").count() == 0  # nothing ticked to begin with
    lead_page.check("#invite input[value=reviewer]")
    lead_page.check("#invite input[value=extractor]")
    lead_page.click("#invite button[type=submit]")
    assert "“ines.invitee@example.org” is invited as Reviewer, Extractor" in lead_page.locator(".messages").inner_text()
    invitations = lead_page.locator("table.invitations").inner_text()
    assert "ines.invitee@example.org" in invitations and "old.invite@example.org" in invitations
    shoot(lead_page, out, "members")

    message = mail.outbox[-1]
    assert message.to == ["ines.invitee@example.org"]
    link = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)

    invitee = browser.new_context().new_page()
    invitee.goto(link)
    assert "Join the review" in invitee.locator("h1").inner_text()
    assert "ines.invitee@example.org" in invitee.content()
    shoot(invitee, out, "accept")
    invitee.fill("#id_username", "ines")
    invitee.fill("#id_password1", "Marmalade-Orbit-2024")
    invitee.fill("#id_password2", "Marmalade-Orbit-2024")
    invitee.click("text=Create account and join")
    invitee.wait_for_url(f"{live_server.url}/reviews/{review.pk}/")
    assert invitee.locator("h1").inner_text() == review.title
    assert "Welcome to" in invitee.locator(".messages").inner_text()
    assert set(Membership.objects.filter(review=review, user__username="ines")
               .values_list("role", flat=True)) == {"reviewer", "extractor"}


def test_an_account_named_by_username_accepts_on_its_home_page(live_server, browser, make_user, tmp_path):
    out = Path(os.environ.get("E2E_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    lead = make_user("lena")
    make_user("omar")
    review = services.review_create(creator=lead, title="Parent-infant psychotherapy for mothers with depression")

    lead_page = browser.new_context().new_page()
    lead_page.goto(f"{live_server.url}/reviews/{review.pk}/members/")
    lead_page.fill("#id_username", "lena")
    lead_page.fill("#id_password", "pw-for-tests-123")
    lead_page.click("button[type=submit]")
    lead_page.fill("#id_identifier", "omar")
    lead_page.check("#invite input[value=viewer]")
    lead_page.click("#invite button[type=submit]")
    assert "“omar” is invited as Viewer" in lead_page.locator(".messages").inner_text()
    assert "omar@example.org" not in lead_page.content()
    assert not Membership.objects.filter(review=review, user__username="omar").exists()

    invitee = browser.new_context().new_page()
    invitee.goto(f"{live_server.url}/")
    invitee.fill("#id_username", "omar")
    invitee.fill("#id_password", "pw-for-tests-123")
    invitee.click("button[type=submit]")
    assert review.title in invitee.locator("#invitations").inner_text()
    shoot(invitee, out, "home-invitation")
    invitee.click("#invitations button:text('Accept')")
    invitee.wait_for_url(f"{live_server.url}/reviews/{review.pk}/")
    assert "Welcome to" in invitee.locator(".messages").inner_text()
    assert set(Membership.objects.filter(review=review, user__username="omar")
               .values_list("role", flat=True)) == {"viewer"}
