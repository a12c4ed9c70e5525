"""Writes of the characteristics of included studies table: the lead's choice of columns."""
from __future__ import annotations

from django.db import transaction

from reviewapp.audit import audit_record, audited_update, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent

from .. import characteristics, selectors
from ..models import CharacteristicsLayout


@transaction.atomic
def characteristics_layout_set(*, actor, review, columns) -> CharacteristicsLayout:
    """Store which fields go in which column; a layout naming a column or field the extraction form
    lacks, or a field twice, is refused with the reason and changes nothing."""
    template = selectors.extraction_template(review=review)
    if template is None:
        raise ApplicationError("No extraction form is published yet, so there are no fields to place.")
    try:
        checked = characteristics.checked_layout(template.current_version.definition, columns)
    except characteristics.LayoutError as exc:
        raise ApplicationError(str(exc), {"field": "columns"}) from exc
    layout = CharacteristicsLayout.objects.select_for_update().filter(review=review).first()
    if layout is None:
        layout = CharacteristicsLayout.objects.create(review=review, columns=checked, updated_by=actor)
        audit_record(actor=actor, review=review, action=AuditEvent.Action.CREATE, instance=layout,
                     after=snapshot(layout, exclude=("updated_at",)))
        return layout
    return audited_update(actor=actor, review=review, instance=layout,
                          fields={"columns": checked, "updated_by": actor}, allowed=("columns", "updated_by"),
                          exclude=("updated_at", "updated_by"))
