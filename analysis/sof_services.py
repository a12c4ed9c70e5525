"""Writes of the summary of findings: the lead's settings per outcome (represented analysis,
assumed control risk, threshold, SD) and the lead's GRADE rating per domain. Each change is audited."""
from __future__ import annotations

from django.db import transaction

from reviewapp.audit import audit_record, audited_update, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Outcome, Review

from . import grade, sof_selectors
from .models import Analysis
from .sof_models import GradeAssessment

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


@transaction.atomic
def rating_set(*, actor, review: Review, outcome: Outcome, domain: str, change: int, reason: str = "") -> dict:
    """The lead's rating of one domain: confirming the proposal needs no reason, any other rating
    does. The proposal answered is kept with it."""
    if domain not in grade.DOMAINS:
        raise ApplicationError(f"Unknown GRADE domain “{domain}”.")
    allowed = (0, 1, 2) if domain in grade.UP else (0, -1, -2)
    if change not in allowed:
        raise ApplicationError(f"{grade.DOMAIN_LABELS[domain]} takes {', '.join(map(str, allowed))}.")
    assessment = _assessment_for_update(actor=actor, review=review, outcome=outcome)
    row = sof_selectors.sof_row(review=review, outcome_id=outcome.pk)
    if row is None or not row.domains:
        raise ApplicationError("This outcome has no finished analysis to rate yet.")
    proposal = next(d.proposal for d in row.domains if d.domain == domain)
    reason = (reason or "").strip()
    if change != proposal.change and not reason:
        raise ApplicationError(f"Say why {grade.DOMAIN_LABELS[domain].lower()} differs from the proposal "
                               f"({proposal.change}).")
    ratings = dict(assessment.ratings)
    ratings[domain] = {"change": change, "reason": reason, "proposed": proposal.change,
                       "proposed_reason": proposal.reason}
    audited_update(actor=actor, review=review, instance=assessment, fields={"ratings": ratings}, allowed=("ratings",))
    return ratings[domain]


@transaction.atomic
def rating_clear(*, actor, review: Review, outcome: Outcome, domain: str) -> None:
    """Back to the proposal."""
    assessment = _assessment_for_update(actor=actor, review=review, outcome=outcome)
    ratings = {k: v for k, v in assessment.ratings.items() if k != domain}
    audited_update(actor=actor, review=review, instance=assessment, fields={"ratings": ratings}, allowed=("ratings",))
