"""Re-running a search (a living review's update): a new Search that repeats an earlier one.

The new run keeps the source, database and platform of the search it repeats; its date and
query are its own (the same query or a changed one). Its export is imported like any other,
so its records are deduplicated against everything the review holds: records never seen
before enter screening, records found again are merged into the record already there (which
so keeps every search that found it).
"""
from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from reviewapp.audit import audit_record, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent

from ..models import Search

RERUN_FIELDS = ("date_run", "query", "limits", "reported_hits", "notes")
KEPT_FIELDS = ("source", "database", "platform")


@transaction.atomic
def search_rerun(*, actor, search: Search, date_run: datetime.date, **fields: Any) -> Search:
    """Record a new run of ``search``; fields not given (query, limits) are those of the run repeated."""
    unknown = set(fields) - set(RERUN_FIELDS)
    if unknown:
        raise TypeError(f"unknown search fields: {sorted(unknown)}")
    if date_run < search.date_run:
        raise ApplicationError(f"A new run cannot be dated before the run it repeats ({search.date_run:%Y-%m-%d}).")
    values = {name: getattr(search, name) for name in KEPT_FIELDS}
    values.update(query=fields.get("query") or search.query, limits=fields.get("limits", search.limits),
                  reported_hits=fields.get("reported_hits"), notes=fields.get("notes", ""))
    rerun = Search(review_id=search.review_id, repeats=search, date_run=date_run,
                   created_by=actor if getattr(actor, "pk", None) else None, **values)
    rerun.full_clean()
    rerun.save()
    audit_record(actor=actor, review=search.review, action=AuditEvent.Action.CREATE, instance=rerun,
                 after=snapshot(rerun, exclude=("created_at", "updated_at")))
    return rerun
