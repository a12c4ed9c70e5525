"""Writes of the summary of findings: the lead's settings per outcome (represented analysis,
assumed control risk, threshold, SD) and the lead's GRADE rating per domain. Each change is audited."""
from __future__ import annotations

from django.db import transaction

from reviewapp.audit import audit_record, audited_update, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Outcome, Review

from .. import grade
from ..models import Analysis
from . import selectors
from .models import GradeAssessment

SETTINGS = ("analysis", "control_risk", "mid", "sd", "sd_scale", "comment")


def _assessment_for_update(*, actor, review: Review, outcome: Outcome) -> GradeAssessment:
    if outcome.review_id != review.pk:
        raise ApplicationError("That outcome belongs to another review.")
    assessment, created = GradeAssessment.objects.select_for_update().get_or_create(review=review, outcome=outcome)
    if created:
        audit_record(actor=actor, review=review, action=AuditEvent.Action.CREATE, instance=assessment,
                     after=snapshot(assessment))
    return assessment


@transaction.atomic
def assessment_update(*, actor, review: Review, outcome: Outcome, **fields) -> GradeAssessment:
    """The outcome's settings: which analysis represents it and the assumptions of its row."""
    analysis = fields.get("analysis")
    if isinstance(analysis, Analysis) and (analysis.review_id != review.pk or analysis.outcome_id != outcome.pk):
        raise ApplicationError("Choose an analysis of this outcome.")
    risk = fields.get("control_risk")
    if risk is not None and not 0 < risk < 1:
        raise ApplicationError("The assumed control risk is a proportion between 0 and 1 (e.g. 0.2 for 200 per 1000).")
    if fields.get("sd") is not None and fields["sd"] <= 0:
        raise ApplicationError("The SD must be positive.")
    assessment = _assessment_for_update(actor=actor, review=review, outcome=outcome)
    return audited_update(actor=actor, review=review, instance=assessment, fields=fields, allowed=SETTINGS)


def rating_words(domain: str, change: int) -> str:
    """A rating as the page's choice says it: "serious (−1)", "+1 rate up"."""
    if domain in grade.UP:
        return {0: "no change (0)", 1: "rate up (+1)", 2: "rate up (+2)"}.get(change, str(change))
    return {0: "not serious (0)", -1: "serious (−1)", -2: "very serious (−2)"}.get(change, str(change))


def _rating_problem(domain: str, change, reason: str, proposal: grade.Proposal) -> str | None:
    label = grade.DOMAIN_LABELS.get(domain)
    if label is None:
        return f"Unknown GRADE domain “{domain}”."
    allowed = (0, 1, 2) if domain in grade.UP else (0, -1, -2)
    if change not in allowed:
        return f"{label} takes {', '.join(map(str, allowed))}."
    if change != proposal.change and not reason:
        return (f"{label}: give a reason for rating it {rating_words(domain, change)}: the data propose "
                f"{rating_words(domain, proposal.change)}.")
    return None


def _rated_row(*, review: Review, outcome: Outcome):
    row = selectors.sof_row(review=review, outcome_id=outcome.pk)
    if row is None or not row.domains:
        raise ApplicationError("This outcome has no finished analysis to rate yet.")
    return row


def _rating(change: int, reason: str, proposal: grade.Proposal) -> dict:
    return {"change": change, "reason": reason, "proposed": proposal.change, "proposed_reason": proposal.reason}


@transaction.atomic
def ratings_set(*, actor, review: Review, outcome: Outcome, ratings: dict[str, dict],
                confirm: bool = False) -> dict:
    """The lead's ratings of an outcome's domains at once (``{domain: {"change", "reason"}}``), as one
    audited change. Every domain is checked before anything is stored: a refusal names each domain at
    fault (ApplicationError with ``extra["errors"]``: domain -> message) and changes nothing.

    A domain is stored when the lead changed something: a rating other than the one shown, or a new
    reason. A proposal left as it is stays unconfirmed unless ``confirm`` (one domain's Save, the API's
    single rating) or `proposals_accept` confirms it."""
    row = _rated_row(review=review, outcome=outcome)
    shown = {d.domain: d for d in row.domains}
    errors: dict[str, str] = {}
    for domain, given in ratings.items():
        proposal = shown[domain].proposal if domain in shown else grade.Proposal(domain, 0, "")
        problem = _rating_problem(domain, given.get("change"), (given.get("reason") or "").strip(), proposal)
        if problem:
            errors[domain] = problem
    if errors:
        raise ApplicationError(" ".join(errors.values()), {"field": f"ratings.{next(iter(errors))}",
                                                           "errors": errors})
    assessment = _assessment_for_update(actor=actor, review=review, outcome=outcome)
    stored = dict(assessment.ratings)
    for domain, given in ratings.items():
        d, reason = shown[domain], (given.get("reason") or "").strip()
        current_reason = d.rating.get("reason", "") if d.rating else ""
        if confirm or given["change"] != d.change or reason != current_reason:
            stored[domain] = _rating(given["change"], reason, d.proposal)
    audited_update(actor=actor, review=review, instance=assessment, fields={"ratings": stored}, allowed=("ratings",))
    return {domain: stored.get(domain) for domain in ratings}


def _accepted(row) -> dict:
    """The outcome's ratings with the proposal confirmed in every domain the lead has not changed
    (a lead's change keeps its reason); a confirmation the data have moved on from takes the new one."""
    ratings = dict(row.assessment.ratings) if row.assessment else {}
    for d in row.domains:
        if d.rating is None or (not d.changed_by_lead and d.moved):
            ratings[d.domain] = _rating(d.proposal.change, "", d.proposal)
    return ratings


@transaction.atomic
def proposals_accept(*, actor, review: Review, outcome: Outcome | None = None) -> int:
    """Accept the proposals of one outcome, or of every outcome in the table with a finished analysis;
    ratings the lead changed stay. Audited per outcome. Returns how many domains were confirmed."""
    if outcome is not None and outcome.review_id != review.pk:
        raise ApplicationError("That outcome belongs to another review.")
    rows = [r for r in selectors.sof_rows(review=review)
            if r.domains and (outcome is None or r.outcome.pk == outcome.pk)]
    if outcome is not None and not rows:
        raise ApplicationError("This outcome has no finished analysis to rate yet.")
    confirmed = 0
    for row in rows:
        ratings = _accepted(row)
        before = row.assessment.ratings if row.assessment else {}
        if ratings == before:
            continue
        confirmed += sum(1 for k in ratings if ratings[k] != before.get(k))
        assessment = _assessment_for_update(actor=actor, review=review, outcome=row.outcome)
        audited_update(actor=actor, review=review, instance=assessment, fields={"ratings": ratings},
                       allowed=("ratings",))
    return confirmed


@transaction.atomic
def rating_clear(*, actor, review: Review, outcome: Outcome, domain: str) -> None:
    """Back to the proposal."""
    assessment = _assessment_for_update(actor=actor, review=review, outcome=outcome)
    ratings = {k: v for k, v in assessment.ratings.items() if k != domain}
    audited_update(actor=actor, review=review, instance=assessment, fields={"ratings": ratings}, allowed=("ratings",))
