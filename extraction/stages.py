"""The dashboard's Extraction stage: studies by status, and what waits for this person."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import ngettext

from reviewapp.dashboard import Stage, Todo
from reviewapp.permissions import can

from . import rules, selectors
from .models import Extraction

Status = Extraction.Status


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {ngettext(one, many, n)}"


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
        if p.to_settle and rules.may_settle_template(user=user, roles=roles, template=template):
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


def appraisal_stage(review, user, roles: set[str]) -> Stage:
    """Risk of bias: appraisals by status, the studies with a final one, and what waits for this person."""
    from .appraisal import selectors as appraisal_selectors

    p = appraisal_selectors.progress(review=review, user=user)
    home = reverse("appraisal_home", args=[review.pk])
    todos = []
    if p.tools == 0 and can(roles=roles, capability="build_forms"):
        todos.append(Todo("Add a risk-of-bias tool (RoB 2, ROBINS-I or your own)", home))
    if p.mine_open and can(roles=roles, capability="extract"):
        todos.append(Todo(f"Finish {_plural(p.mine_open, 'appraisal', 'appraisals')}", home + "?status=in_progress"))
    settle = sum(n for template, n in appraisal_selectors.settlers_to_settle(review=review)
                 if rules.may_settle_template(user=user, roles=roles, template=template))
    if settle:
        todos.append(Todo(f"Settle {_plural(settle, 'appraisal', 'appraisals')}", home + "?status=awaiting_consensus"))
    if p.studies and p.tools and p.appraised_studies < p.studies and can(roles=roles, capability="extract"):
        left = p.studies - p.appraised_studies
        todos.append(Todo(f"{_plural(left, 'study', 'studies')} without a final appraisal",
                          reverse("study_list", args=[review.pk])))
    started = sum(p.by_status.values())
    if p.studies == 0 or p.tools == 0:
        status = "waiting"
    elif started == 0:
        status = "not started"
    elif p.appraised_studies == p.studies and p.count(Status.DONE) == started:
        status = "done"
    else:
        status = "in progress"
    return Stage(key="appraisal", name="Risk of bias", order=35, status=status,
                 counts=[("Tools", p.tools),
                         ("Studies with a final appraisal", f"{p.appraised_studies} of {p.studies}"),
                         ("In progress", p.count(Status.IN_PROGRESS)),
                         ("Awaiting consensus", p.count(Status.AWAITING_CONSENSUS)),
                         ("Final", p.count(Status.DONE))],
                 url=home, todos=todos)
