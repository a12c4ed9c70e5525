"""`decisions_record_many` stores what `decision_record` called once per decision stores: the same
decisions, records' places, full-text items, audit trail, conflict notices, webhook deliveries and
progress tallies, with the same ids. Each test runs the same decisions both ways from the same start
(the database put back in between, sequences included) and compares everything but clock times."""
from __future__ import annotations

import json
import re

import pytest
from django.db import connection, transaction

from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Webhook, WebhookDelivery
from reviewapp.notifications.models import Notification
from screening import services
from screening.models import Claim, Decision, ItemTally, PrismaTally, ScreeningItem

from .conftest import decide

Status = ScreeningItem.Status
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")


def _rows(model, *, order="id", times=("created_at", "updated_at")) -> list[dict]:
    found = []
    for row in model.objects.order_by(order).values():
        for name in times:
            if name in row:
                row[name] = row[name] is not None
        found.append(json.loads(TIME.sub("<time>", json.dumps(row, default=str, sort_keys=True))))
    return found


def _state() -> dict:
    """Every row the decisions can touch, times reduced to whether they are set (a webhook's body says
    when it was sent)."""
    return {
        "decisions": _rows(Decision),
        "items": _rows(ScreeningItem, times=("created_at", "settled_at")),
        "audit": _rows(AuditEvent),
        "notices": _rows(Notification, times=("created_at", "updated_at", "read_at", "emailed_at")),
        "deliveries": _rows(WebhookDelivery, times=("created_at", "updated_at", "next_try_at", "delivered_at")),
        "claims": _rows(Claim, times=("expires_at",)),
        # Kept by PostgreSQL triggers only (zero rows included: the steps each record went through).
        "tallies": sorted(map(str, ItemTally.objects.all())),
        "prisma": sorted(map(str, PrismaTally.objects.all())),
    }


def _sequences() -> list[tuple[str, int | None]]:
    if connection.vendor != "postgresql":
        return []  # SQLite's counters are a table: rolled back with the rest
    with connection.cursor() as cursor:
        cursor.execute("SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences")
        return cursor.fetchall()


def _sequences_put_back(values: list[tuple[str, int | None]]) -> None:
    with connection.cursor() as cursor:
        for name, last in values:
            if last is None:
                cursor.execute("SELECT setval(%s, (SELECT start_value FROM pg_sequences "
                               "WHERE format('%%I.%%I', schemaname, sequencename) = %s), false)", [name, name])
            else:
                cursor.execute("SELECT setval(%s, %s, true)", [name, last])


def both_ways(review, decisions: list[tuple]) -> tuple[dict, dict]:
    """(state after a decision_record each, state after one decisions_record_many), from the same start."""
    start, counters = transaction.savepoint(), _sequences()
    for reviewer, item, value in decisions:
        decide(review, reviewer, item, value)
    one_by_one = _state()
    transaction.savepoint_rollback(start)
    _sequences_put_back(counters)
    services.decisions_record_many(review=review, decisions=[(r, item.pk, v) for r, item, v in decisions])
    return one_by_one, _state()


@pytest.fixture
def hooked(review):
    return Webhook.objects.create(review=review, url="https://hooks.example.org/x", secret="s",
                                  events=[Webhook.Event.CONFLICT_CREATED, Webhook.Event.STAGE_FINISHED])


def test_agreements_conflicts_and_a_record_left_waiting_come_out_the_same(
        review, screeners, records_to_screen, hooked, people):
    a, b = screeners
    items = records_to_screen
    decide(review, a, items[9], "include")  # decided before: its second decision settles it
    Claim.objects.create(review=review, stage="ta", reviewer=b, item=items[9],
                         expires_at="2030-01-01T00:00:00Z")  # on b's screen: let go once b decides
    pairs = [("include", "include"), ("exclude", "exclude"), ("include", "exclude"), ("maybe", "include"),
             ("exclude", "maybe"), ("maybe", "maybe"), ("exclude", "include"), ("include", "include")]
    decisions = [(who, items[i], value) for i, values in enumerate(pairs)
                 for who, value in zip((a, b), values, strict=True)]
    decisions += [(b, items[8], "include"), (b, items[9], "exclude")]  # one left waiting; one conflict more
    # Not only record by record: a reviewer's run of first decisions, then the other's.
    decisions = decisions[::2] + decisions[1::2]

    one_by_one, many = both_ways(review, decisions)

    assert many == one_by_one
    statuses = [item["status"] for item in many["items"] if item["stage"] == "ta"]
    assert statuses == [Status.INCLUDED, Status.EXCLUDED, Status.CONFLICT, Status.INCLUDED, Status.CONFLICT,
                        Status.INCLUDED, Status.CONFLICT, Status.INCLUDED, Status.PENDING, Status.CONFLICT]
    assert sum(item["stage"] == "ft" for item in many["items"]) == 4
    assert len([e for e in many["audit"] if e["object_type"] == "screening.Decision"]) == 19
    assert [d["event"] for d in many["deliveries"]] == [Webhook.Event.CONFLICT_CREATED] * 4
    assert many["notices"] and not many["claims"]


def test_the_decision_that_finishes_the_stage_is_announced_the_same(review, screeners, records_to_screen, hooked):
    a, b = screeners
    decisions = [(who, item, "exclude" if n % 3 else "include")
                 for n, item in enumerate(records_to_screen) for who in (a, b)]

    one_by_one, many = both_ways(review, decisions)

    assert many == one_by_one
    assert [d["event"] for d in many["deliveries"]] == [Webhook.Event.STAGE_FINISHED]


def test_a_batch_with_a_decision_it_cannot_take_stores_nothing(review, screeners, records_to_screen):
    a, b = screeners
    first, second = records_to_screen[:2]
    decide(review, a, second, "include")
    for bad in ([(a, first.pk, "include"), (a, second.pk, "exclude")],  # a change: decision_record's work
                [(a, first.pk, "include"), (b, first.pk, "not_retrieved")],  # not a title/abstract value
                [(a, first.pk, "include"), (a, first.pk, "include")]):  # twice
        with pytest.raises(ApplicationError):
            services.decisions_record_many(review=review, decisions=bad)
    assert Decision.objects.count() == 1
    first.refresh_from_db()
    assert first.decisions_count == 0 and first.status == Status.PENDING
