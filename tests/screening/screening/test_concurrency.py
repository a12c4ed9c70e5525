"""No decision lost or doubled, no record screened twice, when requests arrive at the same moment.

Real concurrency needs real row locks: these run threads, each on its own connection, against
PostgreSQL (CI sets DATABASE_URL to it); on SQLite they skip with the reason.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from reviewapp.models import AuditEvent
from screening import services
from screening.models import Claim, Decision, ScreeningItem
from tests.support import require

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def on_postgresql():
    require(connection.vendor == "postgresql", "concurrency needs PostgreSQL's row locks: set DATABASE_URL to it")


def run_together(*calls: Callable[[], object]) -> list[object]:
    """Run each call in its own thread (its own connection), released at the same instant."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            start.wait()
            results[i] = call()
        except Exception as exc:  # handed back to the test, which says what went wrong
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


def test_the_same_decision_sent_twice_at_once_is_stored_once(review, screeners, records_to_screen):
    reviewer, _ = screeners
    for item in records_to_screen[:5]:  # a few rounds: a race is not always lost on the first try
        def send(item=item):
            return services.decision_record(actor=reviewer, review=review, item_id=item.pk, value="include")

        results = run_together(send, send)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert results[0].pk == results[1].pk
        item.refresh_from_db()
        assert Decision.objects.filter(item=item).count() == 1
        assert item.decisions_count == 1 and item.status == ScreeningItem.Status.PENDING
        assert AuditEvent.objects.filter(object_type="screening.Decision", object_id=str(results[0].pk)).count() == 1


def test_two_reviewers_asking_at_once_in_single_screening_never_get_the_same_record(
        review, people, screeners, records_to_screen):
    services.screening_settings_update(actor=people["lead"], review=review, reviewers_per_record=1)
    a, b = screeners
    seen: list[tuple[int, int]] = []
    for _ in range(len(records_to_screen) // 2):
        def next_for(user):
            return lambda: services.screening_next(reviewer=user, review=review, stage="ta")

        got_a, got_b = run_together(next_for(a), next_for(b))
        assert isinstance(got_a, ScreeningItem) and isinstance(got_b, ScreeningItem), (got_a, got_b)
        assert got_a.pk != got_b.pk
        seen.append((got_a.pk, got_b.pk))
        for user, item in ((a, got_a), (b, got_b)):
            services.decision_record(actor=user, review=review, item_id=item.pk, value="exclude")
    screened = [pk for pair in seen for pk in pair]
    assert len(set(screened)) == len(records_to_screen)  # every record once, none twice
    assert all(Decision.objects.filter(item_id=pk).count() == 1 for pk in screened)
    assert not Claim.objects.exists()


def test_a_record_that_needs_one_more_decision_goes_to_one_of_two_reviewers_asking_at_once(
        review, people, make_user, screeners, records_to_screen):
    from reviewapp import services as review_services

    first, b = screeners
    c = make_user("reviewer3")
    review_services.member_roles_set(actor=people["lead"], review=review, user=c, roles=["reviewer"])
    for item in records_to_screen:  # dual screening: each record now waits for one more decision
        services.decision_record(actor=first, review=review, item_id=item.pk, value="include")
    for _ in range(len(records_to_screen) // 2):
        got_b, got_c = run_together(lambda: services.screening_next(reviewer=b, review=review, stage="ta"),
                                    lambda: services.screening_next(reviewer=c, review=review, stage="ta"))
        assert isinstance(got_b, ScreeningItem) and isinstance(got_c, ScreeningItem), (got_b, got_c)
        assert got_b.pk != got_c.pk
        for user, item in ((b, got_b), (c, got_c)):  # neither reviewer's work is refused
            services.decision_record(actor=user, review=review, item_id=item.pk, value="include")
    assert Decision.objects.count() == 2 * len(records_to_screen)
    assert not ScreeningItem.objects.filter(stage="ta").exclude(status=ScreeningItem.Status.INCLUDED).exists()


def test_reviewers_asking_for_lists_at_once_never_hold_a_record_beyond_its_seats(
        review, people, make_user, screeners, records_to_screen):
    """List mode (#32): three reviewers claim a page of five at the same instant in dual screening;
    no record is held by more than two, and in single screening two lists never share a record."""
    from reviewapp import services as review_services

    a, b = screeners
    c = make_user("reviewer3")
    review_services.member_roles_set(actor=people["lead"], review=review, user=c, roles=["reviewer"])

    def batch_for(user):
        return lambda: services.screening_batch(reviewer=user, review=review, stage="ta", size=5)

    got = run_together(batch_for(a), batch_for(b), batch_for(c))
    assert not [g for g in got if isinstance(g, Exception)], got
    # A record another is claiming that instant is passed over, not waited for: a list may come shorter.
    assert all(0 < len(g) <= 5 for g in got), got
    for item in records_to_screen:
        assert Claim.objects.filter(item=item).count() <= 2
    Claim.objects.all().delete()
    services.screening_settings_update(actor=people["lead"], review=review, reviewers_per_record=1)
    first, second = run_together(batch_for(a), batch_for(b))
    assert not isinstance(first, Exception) and not isinstance(second, Exception), (first, second)
    assert first and second and not {i.pk for i in first} & {i.pk for i in second}
