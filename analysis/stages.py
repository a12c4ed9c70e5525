"""The dashboard's Analysis stage and the audit trail's words for runs."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import ngettext

from reviewapp.dashboard import Stage, Todo
from reviewapp.models import AuditEvent
from reviewapp.permissions import can

from . import selectors
from .models import AnalysisRun

Status = AnalysisRun.Status


def analysis_stage(review, user, roles: set[str]) -> Stage:
    analyses = list(selectors.analyses_list(review=review))
    home = reverse("analysis_list", args=[review.pk])
    lasts = [selectors.last_run(analysis=a) for a in analyses]
    done = sum(1 for r in lasts if r is not None and r.status == Status.DONE)
    failed = sum(1 for r in lasts if r is not None and r.status == Status.FAILED)
    pending = sum(1 for r in lasts if r is not None and not r.is_finished)
    todos = []
    if can(roles=roles, capability="run_analyses"):
        if not analyses and review.outcomes.exists():
            todos.append(Todo("Define the analyses (one per outcome in two clicks)", home))
        never = sum(1 for r in lasts if r is None)
        if analyses and never:
            todos.append(Todo(f"Run {never} {ngettext('analysis', 'analyses', never)} not run yet", home))
        if failed:
            todos.append(Todo(f"Look at {failed} failed {ngettext('run', 'runs', failed)}", home))
    if not analyses:
        status = "not started"
    elif done == len(analyses):
        status = "done"
    else:
        status = "in progress"
    return Stage(key="analysis", name="Analysis", order=40, status=status,
                 counts=[("Analyses", len(analyses)), ("Run", done), ("Running", pending), ("Failed", failed)],
                 url=home, todos=todos)


def run_audit_summary(event: AuditEvent) -> str | None:
    if event.action == AuditEvent.Action.CREATE:
        return f"Run requested: {event.object_label}"
    status = (event.after or {}).get("status")
    if status == Status.DONE:
        return f"Run finished: {event.object_label}"
    if status == Status.FAILED:
        return f"Run failed: {event.object_label}"
    return None


def study_fields_words(event: AuditEvent, value) -> str | None:
    """An analysis's subgroup, cluster or moderator fields by their labels on the extraction form."""
    if event.review_id is None:
        return None
    labels = selectors.study_field_labels(review=event.review)
    keys = value if isinstance(value, list) else [value]
    return "; ".join(labels.get(key, key) for key in keys)
