"""The review dashboard: each app contributes its stage and the to-dos it knows of.

Apps name their providers on their AppConfig (``review_stages``, see extensions.py); a provider
gets the review, the signed-in user and their roles, and returns a `Stage` (or None). The
dashboard grows with the apps without knowing their models.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .extensions import declared_functions
from .models import Membership, Review
from .permissions import can


@dataclass
class Todo:
    text: str
    url: str = ""


@dataclass
class Stage:
    key: str
    name: str
    status: str  # "not started", "in progress", "done", "waiting"
    counts: list[tuple[str, int | str]] = field(default_factory=list)
    url: str = ""
    todos: list[Todo] = field(default_factory=list)
    order: int = 0


StageProvider = Callable[[Review, object, set[str]], "Stage | None"]


def dashboard_stages(*, review: Review, user, roles: set[str]) -> list[Stage]:
    providers: list[StageProvider] = declared_functions("review_stages")
    stages = [s for s in (p(review, user, roles) for p in providers) if s is not None]
    return sorted(stages, key=lambda s: s.order)


def stage_reached(*, review: Review, stages: list[Stage]) -> str:
    """Where the review stands, read from its stages rather than a status someone must remember to
    set: the furthest stage under way ("Extraction"), or the furthest one done ("Screening done"),
    "Complete" when every stage is done or the lead marked it so."""
    if review.status == Review.Status.COMPLETE:
        return Review.Status.COMPLETE.label
    moving = [s for s in stages if s.status in ("in progress", "done")]
    if not moving:
        return Review.Status.PROTOCOL.label
    furthest = max(moving, key=lambda s: s.order)
    if furthest.status == "in progress":
        return furthest.name
    if all(s.status == "done" for s in stages):
        return Review.Status.COMPLETE.label
    return f"{furthest.name} done"


def protocol_stage(review: Review, user, roles: set[str]) -> Stage:
    from django.urls import reverse

    outcomes = review.outcomes.count()
    members = Membership.objects.filter(review=review).values("user").distinct().count()
    may_edit = can(roles=roles, capability="edit_review")
    todos = []
    if may_edit:
        if not review.question:
            todos.append(Todo("Write the review question", reverse("review_edit", args=[review.pk])))
        if outcomes == 0:
            todos.append(Todo("Name the outcomes of the protocol",
                              reverse("review_outcomes", args=[review.pk])))
        if members < 2 and can(roles=roles, capability="manage_members"):
            todos.append(Todo("Add the team to the review", reverse("review_members", args=[review.pk])))
    complete = bool(review.question and outcomes)
    return Stage(
        key="protocol", name="Protocol", order=0,
        status="done" if complete else "in progress",
        counts=[("Outcomes", outcomes), ("Team members", members),
                ("Planned databases", len(review.planned_database_list))],
        url=reverse("review_edit", args=[review.pk]) if may_edit else "",
        todos=todos,
    )
