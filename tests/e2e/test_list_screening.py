"""List mode (#32): a reviewer screens a page of records with the keyboard only, at 1400 and 390 px:
J/K and the arrows move the focus (visible), one key decides the focused record, the decision is
saved by fetch without leaving the page, and the next page comes once every record is decided."""
from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from reviewapp import services as review_services
from reviewapp.models import AuditEvent
from screening import services
from screening.models import Decision
from tests.screening.helpers import import_bytes, make_search, record, ris

from .test_accessibility import RULES
from .test_screening import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=False)


@pytest.fixture
def list_review(make_user):
    lead, rita = make_user("lead"), make_user("rita")
    review = review_services.review_create(creator=lead, title="List screening")
    review_services.member_roles_set(actor=lead, review=review, user=rita, roles=["reviewer"])
    import_bytes(make_search(review, lead), lead, ris(*(record(n) for n in range(1, 13))), "scopus.ris")
    services.screening_settings_update(actor=lead, review=review, include_keywords="infant*")
    return review, rita


def wait_until(page, expression: str) -> None:
    """Poll from the test (the page's CSP forbids the string evaluation wait_for_function uses)."""
    for _ in range(150):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def focused_item(page) -> str:
    return page.evaluate("document.activeElement.closest('.list-record')?.dataset.item || ''")


@pytest.mark.parametrize("width", [1400, 390])
def test_a_page_of_records_is_screened_with_the_keyboard_only(live_server, page, list_review, width):
    review, rita = list_review
    base = live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "rita")
    page.goto(f"{base}/reviews/{review.pk}/screening/ta/")
    # The toggle on the one-at-a-time page, from the keyboard: focus the button and press Enter.
    page.get_by_role("button", name="List mode: several records per page").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/reviews/{review.pk}/screening/ta/list/")
    items = page.eval_on_selector_all(".list-record", "els => els.map(e => e.dataset.item)")
    assert len(items) == 10
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert focused_item(page) == items[0]
    assert page.locator(".list-record.focused mark.kw-include").count() >= 1  # keywords highlighted
    # The focus is visible: an outline on the focused record.
    outline = page.evaluate("getComputedStyle(document.querySelector('.list-record.focused')).outlineStyle")
    assert outline == "solid"
    shot(page, f"list-{width}-start.png")
    # No accessibility violation (the whole-site walk checks the page at 1400 px only).
    violations = Axe().run(page, options=RULES).response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    # J and the down arrow move on, K and the up arrow back.
    page.keyboard.press("j")
    page.keyboard.press("ArrowDown")
    assert focused_item(page) == items[2]
    page.keyboard.press("k")
    assert focused_item(page) == items[1]
    page.keyboard.press("ArrowUp")
    assert focused_item(page) == items[0]
    # One key per record: each decision is saved and the focus moves to the next record.
    keys = ["i", "e", "m", "e", "e", "i", "e", "e", "m"]
    for n, key in enumerate(keys):
        page.keyboard.press(key)
        wait_until(page, f"document.querySelectorAll('.list-record.decided').length === {n + 1}")
        assert focused_item(page) == items[n + 1]
    assert page.url.endswith("/list/")  # still the same page: saved by fetch
    assert "1 of 10 records on this page waits" in page.locator("#list-status").inner_text()
    shot(page, f"list-{width}-decided.png")
    # Back up and change one, then decide the last: the next page comes.
    page.keyboard.press("k")
    page.keyboard.press("i")
    wait_until(page, f"document.querySelector('.list-record.focused')?.dataset.item === '{items[9]}'")
    with page.expect_navigation():
        page.keyboard.press("e")
    following = page.eval_on_selector_all(".list-record", "els => els.map(e => e.dataset.item)")
    assert len(following) == 2 and not set(following) & set(items)
    shot(page, f"list-{width}-next.png")
    mine = dict(Decision.objects.filter(reviewer=rita).values_list("item_id", "value"))
    assert len(mine) == 10
    assert [mine[int(i)] for i in items] == ["include", "exclude", "maybe", "exclude", "exclude", "include",
                                             "exclude", "exclude", "include", "exclude"]
    # Every decision is in the audit trail, as the single page writes it (a change as an update).
    assert AuditEvent.objects.filter(object_type="screening.Decision", action="create").count() == 10
    assert AuditEvent.objects.filter(object_type="screening.Decision", action="update").count() == 1


def test_the_reload_link_reads_next_page_once_every_record_is_decided(live_server, page, list_review):
    review, rita = list_review
    services.screener_preference_set(user=rita, mode="list", batch_size=5)
    base = live_server.url
    sign_in(page, base, "rita")
    page.goto(f"{base}/reviews/{review.pk}/screening/ta/list/")
    link = page.locator("#next-page")
    assert link.inner_text() == "Reload this page"
    # The page moves on by itself once all are decided: that load answered "204 No Content" keeps the page.
    loads = []
    page.route("**/screening/ta/list/", lambda route: (loads.append(1), route.fulfill(status=204))
               if route.request.method == "GET" else route.continue_())
    for n in range(5):
        page.keyboard.press("e")
        wait_until(page, f"document.querySelectorAll('.list-record.decided').length === {n + 1}")
        if n < 4:
            assert link.inner_text() == "Reload this page"
    wait_until(page, "document.getElementById('next-page').textContent === 'Next page'")
    assert loads == [1]


def test_a_note_and_tags_go_with_the_decision_and_typing_them_decides_nothing(live_server, page, list_review):
    review, rita = list_review
    services.screener_preference_set(user=rita, mode="list", batch_size=5)
    base = live_server.url
    sign_in(page, base, "rita")
    page.goto(f"{base}/reviews/{review.pk}/screening/ta/list/")
    first = page.locator(".list-record").first
    item = first.get_attribute("data-item")
    first.locator("details.list-extra summary").click()
    # Typed letters are decision and movement keys elsewhere: in the boxes they are text.
    first.get_by_label("Note").fill("")
    first.get_by_label("Note").press_sequentially("mixed ages; ask Jim")
    first.get_by_label("Tags").press_sequentially("infants, check")
    first.get_by_label("Tags").press("Enter")  # Enter in the tags box decides nothing
    page.wait_for_timeout(500)
    assert page.locator(".list-record.decided").count() == 0 and not Decision.objects.filter(reviewer=rita).exists()
    assert focused_item(page) == item
    page.keyboard.press("Escape")  # leaves the box; the record keeps the focus for the keys
    page.keyboard.press("m")
    wait_until(page, "document.querySelectorAll('.list-record.decided').length === 1")
    decision = Decision.objects.get(reviewer=rita, item_id=int(item))
    assert (decision.value, decision.note, decision.tags) == ("maybe", "mixed ages; ask Jim", ["check", "infants"])
    assert focused_item(page) == page.locator(".list-record").nth(1).get_attribute("data-item")
