"""Two reviewers screen with the keyboard only; a conflict reaches the lead, who resolves it and the
record moves to full text, where excluding needs a reason."""
from __future__ import annotations

import pytest

from reviewapp import services as review_services
from screening.models import Decision, ScreeningItem
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-123"


@pytest.fixture
def screening_review(make_user):
    lead, rita, ravi = make_user("lead"), make_user("rita"), make_user("ravi")
    review = review_services.review_create(creator=lead, title="Keyboard screening")
    for person in (rita, ravi):
        review_services.member_roles_set(actor=lead, review=review, user=person, roles=["reviewer"])
    import_bytes(make_search(review, lead), lead, ris(*(record(n) for n in range(1, 4))), "scopus.ris")
    return review, lead, rita, ravi


def sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")


def screen_with_keys(page, url: str, keys: list[str]) -> list[str]:
    """Press one decision key per record; returns the titles decided, in order."""
    page.goto(url)
    titles = []
    for key in keys:
        titles.append(page.locator("#record-title").inner_text())
        with page.expect_navigation():
            page.keyboard.press(key)
    return titles


def test_keyboard_screening_conflict_and_resolution(live_server, page, screening_review):
    review, lead, rita, ravi = screening_review
    base = live_server.url
    ta_url = f"{base}/reviews/{review.pk}/screening/ta/"

    sign_in(page, base, "rita")
    # Typing tags and pressing Enter decides nothing (the form's first button is a disabled one).
    page.goto(ta_url)
    page.keyboard.press("t")
    page.keyboard.type("to check")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert not Decision.objects.exists()
    rita_titles = screen_with_keys(page, ta_url, ["i", "e", "m"])
    assert "Nothing waits for you" in page.content()
    # undo the last one with U, and decide it again with I
    with page.expect_navigation():
        page.keyboard.press("u")
    assert page.locator("#record-title").inner_text() == rita_titles[2]
    with page.expect_navigation():
        page.keyboard.press("i")

    sign_in(page, base, "ravi")
    page.goto(ta_url)
    assert "rita" not in page.locator("main").inner_text()  # blind
    ravi_titles = screen_with_keys(page, ta_url, ["i", "i", "i"])
    assert sorted(ravi_titles) == sorted(rita_titles)
    # Rita excluded one record that Ravi included: one conflict
    conflict = ScreeningItem.objects.get(review=review, stage="ta", status="conflict")

    sign_in(page, base, "lead")
    page.goto(f"{base}/reviews/{review.pk}/")
    page.get_by_role("link", name="Resolve 1 screening conflict").click()
    page.get_by_role("link", name="Resolve").click()
    assert "rita" in page.content() and "ravi" in page.content()
    page.fill("#id_note", "population fits")
    with page.expect_navigation():
        page.get_by_role("button", name="Include").click()
    conflict.refresh_from_db()
    assert conflict.status == "included"
    assert ScreeningItem.objects.filter(review=review, stage="ft").count() == 3

    # Full text: E without a reason does not submit; choosing a reason and Enter excludes.
    sign_in(page, base, "rita")
    page.goto(f"{base}/reviews/{review.pk}/screening/ft/")
    title = page.locator("#record-title").inner_text()
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.id") == "id_reason"
    assert not Decision.objects.filter(stage="ft").exists()
    page.select_option("#id_reason", "Wrong population")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    decision = Decision.objects.get(stage="ft", reviewer=rita)
    assert (decision.value, decision.reason) == ("exclude", "Wrong population")
    assert decision.item.record.title.startswith(title[:30])
