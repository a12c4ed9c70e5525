"""The dashboard stages of this app: searches (with deduplication) and screening."""
from __future__ import annotations

from django.urls import reverse

from reviewapp.dashboard import Stage, Todo
from reviewapp.permissions import can

from . import selectors


def searches_stage(review, user, roles: set[str]) -> Stage:
    counts = selectors.record_counts(review=review)
    may_search = can(roles=roles, capability="manage_searches")
    may_merge = can(roles=roles, capability="resolve_duplicates")
    todos = []
    if may_search and counts.searches == 0:
        todos.append(Todo("Record the database searches and upload their exports",
                          reverse("search_create", args=[review.pk])))
    if may_merge and counts.possible_pairs:
        todos.append(Todo(f"Decide on {counts.possible_pairs} possible duplicate pair"
                          f"{'s' if counts.possible_pairs != 1 else ''}",
                          reverse("duplicate_queue", args=[review.pk])))
    if may_search and counts.failed_imports:
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
