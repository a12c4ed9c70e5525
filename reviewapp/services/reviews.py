"""The review itself: its creation (the creator becomes its lead) and its protocol's fields. Each
change is audited in the same transaction."""
from __future__ import annotations

from typing import Any

from django.db import transaction

from ..audit import audit_record, audited_update, snapshot
from ..models import AuditEvent, Membership, Review
from .members import membership_create

Action = AuditEvent.Action
Role = Membership.Role


REVIEW_FIELDS = (
    "title", "question", "population", "intervention", "intervention_name", "comparator", "comparator_name",
    "outcomes_summary", "study_designs", "planned_databases", "search_from", "search_to",
    "search_update_months", "status",
)


@transaction.atomic
def review_create(*, creator, **fields: Any) -> Review:
    """A new review; its creator becomes its lead."""
    unknown = set(fields) - set(REVIEW_FIELDS) - {"is_demo"}
    if unknown:
        raise TypeError(f"unknown review fields: {sorted(unknown)}")
    review = Review(created_by=creator, **fields)
    review.full_clean()
    review.save()
    audit_record(actor=creator, review=review, action=Action.CREATE, instance=review,
                 after=snapshot(review))
    membership_create(actor=creator, review=review, user=creator, role=Role.LEAD)
    return review


@transaction.atomic
def review_update(*, actor, review: Review, **fields: Any) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    # Browsers send a textarea's lines with CRLF; stored text keeps LF, so saving the protocol
    # unchanged is no change (the browser walk saw "designs: A B -> A B" in the trail).
    fields = {k: v.replace("\r\n", "\n") if isinstance(v, str) else v for k, v in fields.items()}
    return audited_update(actor=actor, review=review, instance=review, fields=fields,
                          allowed=REVIEW_FIELDS, exclude=("updated_at",))
