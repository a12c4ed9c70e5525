"""PRISMA's kept counts equal a fresh count after every kind of write (#30).

The PRISMA page, figure, CSVs and API read `selectors.prisma_counts_kept`: on PostgreSQL the
screening boxes from a tally its triggers keep (`PrismaTally`), the records' boxes from the cache
until a change other than screening, the studies counted. PRISMA's numbers go into papers, so a
review goes through a day of every kind of write and, after each, the kept counts must be the
counts `prisma.prisma_counts` makes afresh, box for box (run it on both databases)."""
from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import Case, CharField, Count, F, Value, When

from reviewapp.versions.services import version_publish
from screening import prisma, selectors, services
from screening.models import DuplicatePair, PrismaTally, Record, ScreeningItem, Search
from screening.selectors import counted
from screening.services import ranking

from .helpers import import_bytes, make_search, record, ris


@pytest.fixture
def large(monkeypatch, review, people):
    monkeypatch.setattr(counted, "LARGE_REVIEW", 1)  # every review counts as large: its counts are kept
    return review


def _tally_is_true(review) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite has no triggers: PRISMA is counted there
    tallied = {(t.search_id, t.stage, t.status, t.reason): t.n
               for t in PrismaTally.objects.filter(review_id=review.pk) if t.n}
    reason = Case(When(stage="ft", status="excluded", then=F("reason")), default=Value(""), output_field=CharField())
    counted_now = {(r["record__search_id"], r["stage"], r["status"], r["why"]): r["n"] for r in
                   ScreeningItem.objects.filter(review=review).annotate(why=reason)
                   .values("record__search_id", "stage", "status", "why").annotate(n=Count("id")).order_by()}
    assert tallied == counted_now


def test_prisma_from_the_kept_counts_equals_a_fresh_count_after_every_kind_of_write(large, people, monkeypatch):
    lead, one, two = people["lead"], people["reviewer"], people["reviewer_extractor"]
    review = large
    services.screening_settings_update(actor=lead, review=review, reviewers_per_record=2)
    monkeypatch.setattr(ranking, "stopping_figures", lambda **_: {"run": 1, "run_needed": 1, "screened": 0,
                                                                  "found": 0, "p_value": None, "decay_p": 0.1,
                                                                  "decay_quiet_needed": 1})

    def pending(stage="ta"):
        return list(ScreeningItem.objects.filter(review=review, stage=stage, status="pending",
                                                 decisions_count=0).order_by("id"))

    def both(stage, value, reason=""):
        item = pending(stage)[0]
        for who in (one, two):
            services.decision_record(actor=who, review=review, item_id=item.pk, value=value, reason=reason)

    def conflict(stage):
        item = pending(stage)[0]
        services.decision_record(actor=one, review=review, item_id=item.pk, value="include")
        services.decision_record(actor=two, review=review, item_id=item.pk, value="exclude",
                                 reason="Wrong outcome" if stage == "ft" else "")

    def resolve(stage, value, reason=""):
        item = ScreeningItem.objects.filter(review=review, stage=stage, status="conflict").order_by("id").first()
        services.conflict_resolve(actor=lead, review=review, item_id=item.pk, value=value, reason=reason)

    def pair(status=DuplicatePair.Status.POSSIBLE):
        return DuplicatePair.objects.filter(review=review, status=status).order_by("id").first()

    medline = make_search(review, lead, "MEDLINE")
    register = make_search(review, lead, "ClinicalTrials.gov", source=Search.Source.REGISTER)
    website = make_search(review, lead, "Charity website", source=Search.Source.WEBSITE)
    steps = [
        ("import", lambda: import_bytes(medline, lead, ris(*(record(n) for n in range(16))), "m.ris")),
        ("import into a register, a sure duplicate among them", lambda: import_bytes(
            register, lead, ris(record(1), *(record(n) for n in range(30, 36))), "r.ris")),
        ("import of other methods, a duplicate to decide", lambda: import_bytes(website, lead, ris(
            record(3, title="Completely other wording of the third trial title here"), record(40), record(41)),
            "w.ris")),
        ("one decision", lambda: services.decision_record(actor=one, review=review, item_id=pending()[0].pk,
                                                          value="include")),
        ("its decision changed", lambda: services.decision_record(
            actor=one, review=review, value="exclude",
            item_id=ScreeningItem.objects.filter(review=review, decisions_count=1).get().pk)),
        ("undo", lambda: services.decision_undo(actor=one, review=review, stage="ta")),
        *[(f"included at title/abstract ({n})", lambda: both("ta", "include")) for n in range(5)],
        ("excluded at title/abstract", lambda: both("ta", "exclude")),
        ("a conflict", lambda: conflict("ta")),
        ("the conflict resolved", lambda: resolve("ta", "include")),
        ("bulk exclusion with a reason", lambda: services.records_exclude(
            actor=lead, review=review, stage="ta", record_ids=[i.record_id for i in pending()[-2:]],
            reason="wrong population")),
        ("full text included: a study", lambda: both("ft", "include")),
        ("full text excluded with a reason", lambda: both("ft", "exclude", "Wrong population")),
        ("full text not retrieved", lambda: both("ft", "not_retrieved")),
        ("a full-text conflict", lambda: conflict("ft")),
        ("resolved: excluded with another reason", lambda: resolve("ft", "exclude", "Wrong study design")),
        ("a record mended", lambda: services.record_correct(
            actor=lead, record=Record.objects.filter(review=review).order_by("id").first(), field="title",
            text="A mended title")),
        ("a second report linked to the study", lambda: services.study_link_report(
            actor=lead, record=Record.objects.filter(review=review, study__isnull=True,
                                                     duplicate_of__isnull=True).order_by("id").first(),
            study=Record.objects.filter(review=review, study__isnull=False).first().study)),
        ("a pair merged", lambda: services.duplicate_merge(actor=lead, pair=pair())),
        ("unmerged", lambda: services.duplicate_unmerge(actor=lead, pair=pair(DuplicatePair.Status.MERGED))),
        ("the automatic merge undone", lambda: services.duplicate_unmerge(
            actor=lead, pair=pair(DuplicatePair.Status.MERGED))),
        # The stopping rule excludes every record left, in one statement (its test is not the point here).
        ("screening stopped", lambda: services.screening_stop(actor=lead, review=review, rule="consecutive")),
        ("the search's details edited", lambda: services.search_update(actor=lead, search=medline,
                                                                       database="MEDLINE (Ovid)")),
        ("a version published", lambda: version_publish(actor=lead, review=review, note="First")),
        ("the search run again", lambda: import_bytes(
            services.search_rerun(actor=lead, search=medline, date_run=datetime.date(2022, 3, 1)), lead,
            ris(*(record(n) for n in range(10, 22))), "again.ris")),
        ("the update screened", lambda: both("ta", "include")),
        ("and its full text", lambda: both("ft", "include")),
    ]
    seen: set[str] = set()
    for name, step in steps:
        step()
        fresh = prisma.prisma_counts(review=review)
        assert selectors.prisma_counts_kept(review=review) == fresh, f"after: {name}"
        assert selectors.prisma_counts_kept(review=review) == fresh, f"after: {name}, read again"
        _tally_is_true(review)
        seen |= {box for box, n in fresh.csv_rows() if n}
    # The day reached every kind of box.
    assert {"identified_registers", "identified_other", "duplicates_removed", "automation_ineligible",
            "records_excluded", "records_awaiting", "reports_not_retrieved", "reports_excluded:Wrong population",
            "reports_excluded:Wrong study design", "studies_included", "reports_included", "previous_studies",
            "previous_reports", "found_again"} <= seen
