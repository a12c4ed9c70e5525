"""The counts the pages keep or tally stay true through every kind of write (#30).

Large reviews keep their record and PRISMA counts in the cache under a mark of the audit trail
(`selectors.counted`), and the record counts' mark ignores screening-only events; on PostgreSQL
the screening progress is tallied by triggers (`ItemTally`). Each is only as safe as this rule:
whatever a write changes in those counts, it moves the mark they are kept under. A day of
writes through the services checks it step by step against fresh counts, and the tally and the
progress read from it against a fresh count of the items."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count

from screening import prisma, selectors, services
from screening.models import DuplicatePair, ItemTally, Record, ScreeningItem
from screening.selectors import counted
from screening.selectors.screening import _screening_progress
from screening.selectors.searches import _record_counts

from .helpers import import_bytes, make_search, record, ris


@pytest.fixture
def large(monkeypatch, review, people):
    monkeypatch.setattr(counted, "LARGE_REVIEW", 1)  # every review counts as large
    return review


def _fresh(review) -> dict:
    return {"records": _record_counts(review), "prisma": prisma.prisma_counts(review=review).csv_rows()}


def _marks(review) -> dict:
    return {"records": counted.trail_mark(review, ignoring=counted.SCREENING_ONLY),
            "prisma": counted.trail_mark(review)}


def _tally_is_true(review, people) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite has no triggers: the progress is counted there
    tallied = {(t.stage, t.status, t.decisions_count): t.n
               for t in ItemTally.objects.filter(review_id=review.pk) if t.n}
    counted_now = {(r["stage"], r["status"], r["decisions_count"]): r["n"] for r in
                   ScreeningItem.objects.filter(review=review).values("stage", "status", "decisions_count")
                   .annotate(n=Count("id")).order_by()}
    assert tallied == counted_now
    for who in ("lead", "reviewer", "reviewer_extractor"):
        for stage in ("ta", "ft"):
            assert (selectors.screening_progress(review=review, stage=stage, user=people[who])
                    == _screening_progress(review, stage, people[who]))


def test_every_write_that_changes_the_kept_counts_moves_their_mark(large, people):
    lead, one, two = people["lead"], people["reviewer"], people["reviewer_extractor"]
    review = large

    def items(stage="ta"):
        return list(ScreeningItem.objects.filter(review=review, stage=stage, status="pending").order_by("id"))

    def pair():
        return DuplicatePair.objects.filter(review=review, status=DuplicatePair.Status.POSSIBLE).first()

    scopus = make_search(review, lead, "Scopus")
    steps = [
        ("import", lambda: import_bytes(scopus, lead, ris(*(record(n) for n in range(12))), "s.ris")),
        ("import with a duplicate to decide", lambda: import_bytes(
            make_search(review, lead, "EMBASE"), lead,
            ris(record(3, title="Completely other wording of the third trial title here"), record(20)), "e.ris")),
        ("one decision", lambda: services.decision_record(actor=one, review=review, item_id=items()[0].pk,
                                                          value="include")),
        ("undo", lambda: services.decision_undo(actor=one, review=review, stage="ta")),
        ("two decisions: included", lambda: [services.decision_record(actor=who, review=review,
                                                                      item_id=items()[0].pk, value="include")
                                             for who in (one, two)]),
        ("a conflict", lambda: [services.decision_record(actor=who, review=review, item_id=items()[0].pk,
                                                         value=value)
                                for who, value in ((one, "include"), (two, "exclude"))]),
        ("the conflict resolved", lambda: services.conflict_resolve(
            actor=lead, review=review, value="exclude",
            item_id=ScreeningItem.objects.filter(review=review, status="conflict").get().pk)),
        ("bulk exclusion", lambda: services.records_exclude(
            actor=lead, review=review, stage="ta", record_ids=[i.record_id for i in items()[-2:]],
            reason="wrong population")),
        ("merge a pair", lambda: pair() and services.duplicate_merge(actor=lead, pair=pair())),
        ("unmerge it", lambda: services.duplicate_unmerge(
            actor=lead, pair=DuplicatePair.objects.filter(review=review, status=DuplicatePair.Status.MERGED).first())),
    ]
    before, marks = _fresh(review), _marks(review)
    for name, step in steps:
        step()
        after, moved = _fresh(review), _marks(review)
        for part in ("records", "prisma"):
            if after[part] != before[part]:
                assert moved[part] != marks[part], f"{name} changed the {part} counts without moving their mark"
        _tally_is_true(review, people)
        before, marks = after, moved
    assert Record.objects.filter(review=review, duplicate_of__isnull=False).count() == 0


def test_a_decision_does_not_send_the_record_counts_back_to_counting(large, people):
    lead = people["lead"]
    import_bytes(make_search(large, lead, "Scopus"), lead, ris(*(record(n) for n in range(10))), "s.ris")
    mark = counted.trail_mark(large, ignoring=counted.SCREENING_ONLY)
    item = ScreeningItem.objects.filter(review=large, stage="ta").order_by("id").first()
    services.decision_record(actor=people["reviewer"], review=large, item_id=item.pk, value="exclude")
    assert counted.trail_mark(large, ignoring=counted.SCREENING_ONLY) == mark
    assert counted.trail_mark(large) != mark
