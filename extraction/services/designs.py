"""The lead's design mapping: which extraction field says a study's design, and which of its
answers means which design (`extraction.selectors.DesignSource` reads it)."""
from __future__ import annotations

from django.db import transaction

from reviewapp.audit import audit_record, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Review
from screening.models import StudyDesign

from .. import definition as defs
from .. import selectors
from ..models import DesignMapping


@transaction.atomic
def design_mapping_set(*, actor, review: Review, field_key: str, values: dict[str, str]) -> DesignMapping:
    """Map the answers of ``field_key`` (a plain field of the review's published extraction form)
    onto designs; answers left out of ``values`` mean an unknown design."""
    template = selectors.extraction_template(review=review)
    fields = {} if template is None else {
        field["key"]: field for section in defs.sections(template.current_version.definition)
        if not section.get("repeat") for field in section["fields"]}
    if field_key not in fields:
        raise ApplicationError(f"The extraction form has no plain field “{field_key}”.", {"field": "field_key"})
    unknown = sorted(set(values.values()) - set(StudyDesign.values))
    if unknown:
        raise ApplicationError(f"Unknown design “{unknown[0]}”; choose one of: {', '.join(StudyDesign.values)}.",
                               {"field": "values"})
    mapping = DesignMapping.objects.select_for_update().filter(review=review).first()
    before = snapshot(mapping, exclude=("updated_at",)) if mapping else None
    if mapping is None:
        mapping = DesignMapping(review=review)
    mapping.field_key, mapping.values = field_key, {str(k): v for k, v in values.items()}
    mapping.save()
    audit_record(actor=actor, review=review, action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
                 instance=mapping, before=before, after=snapshot(mapping, exclude=("updated_at",)))
    return mapping
