"""The dashboard stages this app knows of: searches, screening, and (until their apps count
them) extraction and analysis with honest zero counts."""
from __future__ import annotations

from django.urls import reverse

from reviewapp.dashboard import Stage, Todo
from reviewapp.models import Membership

from . import selectors


def searches_stage(review, user, roles: set[str]) -> Stage:
    counts = selectors.record_counts(review=review)
    lead = Membership.Role.LEAD in roles
    todos = []
    if lead and counts.searches == 0:
        todos.append(Todo("Record the database searches and upload their exports",
                          reverse("search_create", args=[review.pk])))
    if lead and counts.possible_pairs:
        todos.append(Todo(f"Decide on {counts.possible_pairs} possible duplicate pair"
                          f"{'s' if counts.possible_pairs != 1 else ''}",
                          reverse("duplicate_queue", args=[review.pk])))
    if lead and counts.failed_imports:
        todos.append(Todo(f"{counts.failed_imports} import{'s' if counts.failed_imports != 1 else ''} failed: "
                          "see the searches page", reverse("search_list", args=[review.pk])))
    if counts.searches == 0:
        status = "not started"
    elif counts.running_imports or counts.possible_pairs or counts.imported == 0:
        status = "in progress"
    else:
        status = "done"
    return Stage(key="searches", name="Searches", order=10, status=status,
                 counts=[("Searches", counts.searches), ("Records imported", counts.imported),
                         ("Duplicates merged", counts.merged), ("Possible duplicates", counts.possible_pairs)],
                 url=reverse("search_list", args=[review.pk]), todos=todos)


def screening_stage(review, user, roles: set[str]) -> Stage:
    counts = selectors.record_counts(review=review)
    return Stage(key="screening", name="Screening", order=20,
                 status="waiting" if counts.unique == 0 else "not started",
                 counts=[("Records to screen", counts.unique), ("Screened", 0)],
                 url=reverse("record_list", args=[review.pk]))


def extraction_stage(review, user, roles: set[str]) -> Stage:
    return Stage(key="extraction", name="Extraction", order=30, status="waiting",
                 counts=[("Included studies", 0), ("Extracted", 0)])


def analysis_stage(review, user, roles: set[str]) -> Stage:
    return Stage(key="analysis", name="Analysis", order=40, status="waiting",
                 counts=[("Analyses run", 0)])
