"""The demo review's screening, done by its two demo reviewers and its lead through the real services.

Every decision follows the truth the demo generator gave the report (screening.demo), with a
small, seeded rate of reviewer disagreement, so the decision log, the conflicts, the agreement
statistics and the PRISMA counts look like those of a real review: reviewer1 and reviewer2
screen every title and abstract, the lead resolves the conflicts except a handful left open,
both reviewers screen the full texts (exclusion reasons, a few not retrieved), and the review
ends with 77 included studies, four of them with a second report linked by the lead.

Each step does only what is not done yet, so loading twice changes nothing.
"""
from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .demo import FT_EXCLUDE, INCLUDE, NOT_RETRIEVED, OFF_TOPIC, SECOND_REPORT, SEED, DemoReport, demo_reports
from .models import Decision, DuplicatePair, Record, ScreeningItem, ScreeningStage, Study

Status = ScreeningItem.Status
REVIEWERS = ("reviewer1", "reviewer2")
# A reviewer's chance of deciding a record against its truth: title/abstract screening errs
# on the side of inclusion for relevant-looking reports; full text disagreements are rarer.
TA_MISS_RELEVANT = 0.06
TA_INCLUDE_OFF_TOPIC = 0.02
TA_MAYBE = 0.15  # of the includes of a relevant report
FT_DISAGREE = 0.06
OPEN_TA_CONFLICTS = 15  # title/abstract conflicts left for the lead to resolve in the demo

DEMO_CRITERIA = """Include:
- Population: caregivers and their children aged 0 to 5 years.
- Intervention: psychodynamic or psychoanalytic work with the dyad, the caregiver or the child.
- Design: randomised or non-randomised controlled studies, or uncontrolled pre-post studies.
Exclude: adults without a young child, school-age children, drug trials, animal studies, case reports."""
DEMO_INCLUDE_KEYWORDS = "psychodynamic\npsychoanalytic*\nparent-infant\nmother-infant\nmentali*\ninfant*\ntoddler*"
DEMO_EXCLUDE_KEYWORDS = "placebo\nrat*\nmice\nadolescent*\nolder adults\nschool-based\ncase report"


def _key(record: Record) -> tuple[int | None, int | None]:
    first = (record.pages or "").split("-")[0]
    return record.year, int(first) if first.isdigit() else None


def _rng(*parts) -> random.Random:
    return random.Random("-".join(str(p) for p in (SEED, *parts)))


def _ta_values(report: DemoReport) -> list[str]:
    """The two reviewers' title/abstract decisions on a report."""
    relevant = report.truth != OFF_TOPIC
    values = []
    for who in REVIEWERS:
        rng = _rng("ta", report.n, who)
        if relevant:
            wrong = rng.random() < TA_MISS_RELEVANT
            values.append("exclude" if wrong else ("maybe" if rng.random() < TA_MAYBE else "include"))
        else:
            values.append(rng.choice(["include", "maybe"]) if rng.random() < TA_INCLUDE_OFF_TOPIC else "exclude")
    if report.truth in (INCLUDE, SECOND_REPORT) and values == ["exclude", "exclude"]:
        values[1] = "include"  # an included study is never lost by two misses: that would need a third screen
    return values


def _ft_truth(report: DemoReport) -> tuple[str, str]:
    """(value, reason) the full text deserves."""
    if report.truth in (INCLUDE, SECOND_REPORT):
        return "include", ""
    if report.truth == NOT_RETRIEVED:
        return "not_retrieved", ""
    if report.truth == FT_EXCLUDE:
        return "exclude", report.reason
    # An off-topic report both reviewers let through at title and abstract.
    return "exclude", _rng("ft-off", report.n).choice(["Wrong population", "Wrong intervention"])


def _ft_values(report: DemoReport, reasons: list[str]) -> list[tuple[str, str]]:
    truth = _ft_truth(report)
    values = [truth, truth]
    rng = _rng("ft", report.n)
    if rng.random() < FT_DISAGREE:  # one reviewer, never both, sees it otherwise
        if truth[0] == "exclude":
            other = [r for r in reasons if r != truth[1] and r != "Duplicate"]
            values[rng.randrange(2)] = rng.choice([("include", ""), ("exclude", rng.choice(other))])
        else:
            values[rng.randrange(2)] = ("exclude", rng.choice(["Wrong intervention", "Wrong study design"]))
    return values


def _open_conflicts(reports: list[DemoReport]) -> set[int]:
    """The report numbers whose title/abstract conflict stays open: off-topic ones, chosen by seed."""
    candidates = [r.n for r in reports
                  if r.truth == OFF_TOPIC and len({v == "exclude" for v in _ta_values(r)}) == 2]
    return set(_rng("open").sample(candidates, min(OPEN_TA_CONFLICTS, len(candidates))))


def demo_screening_load(*, review, lead) -> None:
    """Settings, duplicate queue, both screening stages and the studies of the demo review."""
    # One transaction for the thousands of decisions: on SQLite a commit each costs a disk sync.
    with transaction.atomic():
        _load(review=review, lead=lead)


def _load(*, review, lead) -> None:
    User = get_user_model()
    reviewers = [User.objects.get(username=name) for name in REVIEWERS]
    reports = demo_reports()
    by_key = {r.key: r for r in reports}

    cfg = services.screening_settings(review)
    if not cfg.criteria:
        services.screening_settings_update(actor=lead, review=review, criteria=DEMO_CRITERIA,
                                           include_keywords=DEMO_INCLUDE_KEYWORDS,
                                           exclude_keywords=DEMO_EXCLUDE_KEYWORDS)
        cfg.refresh_from_db()

    # The lead works through the possible duplicates first: the same report is merged, others kept apart.
    for pair in DuplicatePair.objects.filter(review=review, status=DuplicatePair.Status.POSSIBLE) \
            .select_related("record_a", "record_b"):
        same = by_key.get(_key(pair.record_a)) is by_key.get(_key(pair.record_b))
        (services.duplicate_merge if same else services.duplicate_keep_apart)(actor=lead, pair=pair)

    def items(stage: str) -> list[tuple[ScreeningItem, DemoReport]]:
        found = (ScreeningItem.objects.filter(review=review, stage=stage).exclude(status=Status.WITHDRAWN)
                 .select_related("record").order_by("id"))
        return [(item, by_key[_key(item.record)]) for item in found]

    def decided(stage: str) -> set[tuple[int, int]]:
        return set(Decision.objects.filter(review=review, stage=stage).values_list("item_id", "reviewer_id"))

    # Title and abstract: both reviewers screen everything, record by record (stored in one go: the
    # same rows and audit trail as a decision_record each, in a fraction of the time).
    done = decided(ScreeningStage.TITLE_ABSTRACT)
    ta_items = items(ScreeningStage.TITLE_ABSTRACT)
    services.decisions_record_many(review=review, decisions=[
        (reviewer, item.pk, value) for item, report in ta_items
        for reviewer, value in zip(reviewers, _ta_values(report), strict=True) if (item.pk, reviewer.pk) not in done])
    left_open = _open_conflicts(reports)
    in_conflict = set(ScreeningItem.objects.filter(review=review, stage=ScreeningStage.TITLE_ABSTRACT,
                                                   status=Status.CONFLICT).values_list("id", flat=True))
    for item, report in ta_items:  # resolving one conflict changes no other title/abstract record
        if report.n not in left_open and item.pk in in_conflict:
            value = "exclude" if report.truth == OFF_TOPIC else "include"
            services.conflict_resolve(actor=lead, review=review, item_id=item.pk, value=value,
                                      note="Resolved against the eligibility criteria.")

    # Full text: both reviewers again, with reasons; the lead settles their disagreements.
    done = decided(ScreeningStage.FULL_TEXT)
    ft_items = items(ScreeningStage.FULL_TEXT)
    for item, report in ft_items:
        for reviewer, (value, reason) in zip(reviewers, _ft_values(report, cfg.exclusion_reasons), strict=True):
            if (item.pk, reviewer.pk) not in done:
                services.decision_record(actor=reviewer, review=review, item_id=item.pk, value=value, reason=reason)
    in_conflict = set(ScreeningItem.objects.filter(review=review, stage=ScreeningStage.FULL_TEXT,
                                                   status=Status.CONFLICT).values_list("id", flat=True))
    for item, report in ft_items:
        if item.pk in in_conflict:
            value, reason = _ft_truth(report)
            services.conflict_resolve(actor=lead, review=review, item_id=item.pk, value=value, reason=reason,
                                      note="Checked against the full text.")

    # A later report of an included study joins that study.
    record_of = {by_key[_key(r)].n: r for r in Record.objects.filter(review=review, duplicate_of__isnull=True,
                                                                      study__isnull=False)}
    for report in reports:
        if report.truth == SECOND_REPORT and report.n in record_of and report.first_report in record_of:
            second, first = record_of[report.n], record_of[report.first_report]
            if second.study_id != first.study_id:
                services.study_link_report(actor=lead, record=second, study=Study.objects.get(pk=first.study_id))
