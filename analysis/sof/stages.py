"""The dashboard's Summary of findings stage: how many outcomes have a row, and how many GRADE
ratings the lead has still to confirm."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import ngettext

from reviewapp.dashboard import Stage, Todo
from reviewapp.permissions import can

from . import selectors


def sof_stage(review, user, roles: set[str]) -> Stage:
    rows = [r for r in selectors.sof_rows(review=review) if r.domains]
    home = reverse("sof", args=[review.pk])
    open_ratings = sum(1 for r in rows for d in r.domains if d.rating is None)
    todos = []
    if can(roles=roles, capability="grade") and open_ratings:
        todos.append(Todo(f"Confirm or change {open_ratings} GRADE "
                          f"{ngettext('rating', 'ratings', open_ratings)}", home))
    if not rows:
        status = "not started"
    elif open_ratings:
        status = "in progress"
    else:
        status = "done"
    return Stage(key="sof", name="Summary of findings", order=50, status=status,
                 counts=[("Outcomes with a row", len(rows)), ("Ratings to confirm", open_ratings)],
                 url=home, todos=todos)
