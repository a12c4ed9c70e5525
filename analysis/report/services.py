"""Writes of the review's report: the lead's paragraphs and picks, audited. Saving also records
the figures the report states at that moment, so the report can later name those that changed."""
from __future__ import annotations

from django.db import transaction

from extraction import selectors as extraction_selectors
from reviewapp.audit import audit_record, audited_update, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from reviewapp.permissions import can, roles_of

from . import builder, gather
from .models import TEXT_LIMIT, ReportText

NOT_AUDITED = ("numbers_seen", "updated_at", "updated_by")


def _checked(texts: dict[str, str | None], summary_fields, review) -> dict:
    fields: dict = {}
    for key, value in texts.items():
        if value is None:
            continue
        text = str(value).replace("\r\n", "\n")
        if len(text) > TEXT_LIMIT:
            raise ApplicationError(f"The {builder.TEXT_TITLES[key].lower()} has {len(text):,} characters; "
                                   f"the limit is {TEXT_LIMIT:,}. Nothing was saved.", {"field": key})
        fields[key] = text
    if summary_fields is not None:
        known = [f.key for f in extraction_selectors.described_studies(review=review).fields]
        wanted = [str(k) for k in summary_fields]
        unknown = [k for k in wanted if k not in known]
        if unknown:
            raise ApplicationError("The extraction form has no field to summarise named "
                                   + ", ".join(f"“{k}”" for k in unknown) + ". Nothing was saved.",
                                   {"field": "summary_fields"})
        fields["summary_fields"] = [k for k in known if k in wanted]
    return fields


@transaction.atomic
def report_text_set(*, actor, review, background: str | None = None, discussion: str | None = None,
                    conclusions: str | None = None, summary_fields: list[str] | None = None) -> ReportText:
    """Save the lead's paragraphs and/or the characteristics the report summarises (None leaves
    a part as it is); too long a text or a field the form lacks is refused and nothing changes."""
    if not can(roles=roles_of(user=actor, review=review), capability="edit_review"):
        raise ApplicationError("Only a lead of the review writes its report.")
    fields = _checked({"background": background, "discussion": discussion, "conclusions": conclusions},
                      summary_fields, review)
    numbers = builder.headline_numbers(gather.report_facts(review=review, roles=set()))
    stored = ReportText.objects.select_for_update().filter(review=review).first()
    if stored is None:
        stored = ReportText(review=review, updated_by=actor, numbers_seen=numbers, **fields)
        stored.full_clean()
        stored.save()
        audit_record(actor=actor, review=review, action=AuditEvent.Action.CREATE, instance=stored,
                     after=snapshot(stored, exclude=NOT_AUDITED))
        return stored
    return audited_update(actor=actor, review=review, instance=stored,
                          fields={**fields, "numbers_seen": numbers, "updated_by": actor},
                          allowed=("background", "discussion", "conclusions", "summary_fields", "numbers_seen",
                                   "updated_by"), exclude=NOT_AUDITED)
