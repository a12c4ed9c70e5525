"""Priority screening in the browser: after a few decisions the queue brings the likely relevant records first."""
from __future__ import annotations

import pytest

from reviewapp import services as review_services
from screening import services
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RELEVANT = "Parent-infant psychotherapy for mothers with postnatal depression and their babies, trial {n}"
OFF_TOPIC = "Statin dosing in adult cardiology outpatients with hypertension, cohort {n}"


def test_the_queue_changes_order_after_decisions(live_server, page, make_user):
    lead, rita = make_user("lead"), make_user("rita")
    review = review_services.review_create(creator=lead, title="Priority screening")
    review_services.member_roles_set(actor=lead, review=review, user=rita, roles=["reviewer"])
    rows = [record(n, title=(RELEVANT if n % 2 else OFF_TOPIC).format(n=n), doi=f"10.3000/x.{n}")
            for n in range(1, 13)]
    import_bytes(make_search(review, lead), lead, ris(*rows), "mixed.ris")
    services.screening_settings_update(actor=lead, review=review, reviewers_per_record=1, prioritise=True)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "pw-for-tests-123")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    page.goto(f"{live_server.url}/reviews/{review.pk}/screening/ta/")
    shown = []
    # Import order alternates relevant and off-topic (the review's protocol, its title alone, may
    # rank them first); decide the first two by the truth.
    for _ in range(2):
        shown.append(page.locator("#record-title").inner_text())
        with page.expect_navigation():
            page.keyboard.press("i" if shown[-1].startswith("Parent-infant") else "e")
    # Retrained in the background after those decisions: the relevant records left now come first.
    left = 6 - sum(title.startswith("Parent-infant") for title in shown)
    following = []
    for _ in range(left):
        following.append(page.locator("#record-title").inner_text())
        with page.expect_navigation():
            page.keyboard.press("i")
    assert all(title.startswith("Parent-infant") for title in following), following
    assert page.locator("#record-title").inner_text().startswith("Statin")
