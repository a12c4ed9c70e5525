"""The dashboard's Extraction stage: studies by status, and what waits for this person."""
from __future__ import annotations

from django.urls import reverse

from reviewapp.dashboard import Stage, Todo
from reviewapp.permissions import can, may_settle_consensus

from . import selectors
from .models import Extraction

Status = Extraction.Status


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def extraction_stage(review, user, roles: set[str]) -> Stage:
    template = selectors.extraction_template(review=review)
    p = selectors.progress(review=review, template=template, user=user)
    home = reverse("extraction_home", args=[review.pk])
    todos = []
    if template is None:
        if can(roles=roles, capability="build_forms"):
            todos.append(Todo("Build or choose the extraction form", reverse("form_list", args=[review.pk])))
    else:
        if can(roles=roles, capability="extract") and p.to_extract_for_me:
            todos.append(Todo(f"Extract {_plural(p.to_extract_for_me, 'study', 'studies')}", home))
        if p.to_settle and may_settle_consensus(user=user, roles=roles, delegate_id=template.settler_id):
            todos.append(Todo(f"Settle the consensus of {_plural(p.to_settle, 'study', 'studies')}",
                              home + "?status=awaiting_consensus"))
    if p.total == 0:
        status = "waiting"
    elif p.count(Status.DONE) == p.total:
        status = "done"
    elif p.count(Status.NOT_STARTED) == p.total:
        status = "not started"
    else:
        status = "in progress"
    return Stage(key="extraction", name="Extraction", order=30, status=status,
                 counts=[("Included studies", p.total), ("Not started", p.count(Status.NOT_STARTED)),
                         ("In progress", p.count(Status.IN_PROGRESS)),
                         ("Awaiting consensus", p.count(Status.AWAITING_CONSENSUS)),
                         ("Done", p.count(Status.DONE))],
                 url=home, todos=todos)
