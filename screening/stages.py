"""The dashboard stages of this app: searches (with deduplication) and screening."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import ngettext

from reviewapp.dashboard import Stage, Todo
from reviewapp.permissions import can

from . import rules, selectors
from .models import ScreeningStage


def searches_stage(review, user, roles: set[str]) -> Stage:
    counts = selectors.record_counts(review=review)
    may_search = can(roles=roles, capability="manage_searches")
    may_merge = can(roles=roles, capability="resolve_duplicates")
    todos = []
    if may_search and counts.searches == 0:
        todos.append(Todo("Record the database searches and upload their exports",
                          reverse("search_create", args=[review.pk])))
    if may_merge and counts.possible_pairs:
        todos.append(Todo(f"Decide on {counts.possible_pairs} possible duplicate "
                          + ngettext("pair", "pairs", counts.possible_pairs),
                          reverse("duplicate_queue", args=[review.pk])))
    if may_search and counts.failed_imports:
        todos.append(Todo(f"{counts.failed_imports} {ngettext('import', 'imports', counts.failed_imports)} failed: "
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
    """Both screening stages in one card; its to-dos are what the queue would give this person."""
    cfg = selectors.screening_settings_get(review=review)
    ta = selectors.screening_progress(review=review, stage=ScreeningStage.TITLE_ABSTRACT, user=user, cfg=cfg)
    ft = selectors.screening_progress(review=review, stage=ScreeningStage.FULL_TEXT, user=user, cfg=cfg)
    todos = []
    if can(roles=roles, capability="screen"):
        for progress in (ta, ft):
            if progress.open_for_me:
                n = progress.open_for_me
                todos.append(Todo(f"Screen {n} {ngettext('record', 'records', n)} ({progress.label.lower()})",
                                  reverse("screen", args=[review.pk, progress.stage])))
    # A third reviewer's own conflicts are not theirs to resolve: counted apart from the stage's.
    conflicts = (selectors.conflicts(review=review, user=user, roles=roles).count()
                 if ta.conflicts + ft.conflicts and rules.may_resolve_some(user=user, roles=roles, cfg=cfg) else 0)
    if conflicts:
        todos.append(Todo(f"Resolve {conflicts} screening {ngettext('conflict', 'conflicts', conflicts)}",
                          reverse("conflict_list", args=[review.pk])))
    if ta.total == 0:
        status = "waiting"
    elif ta.settled == ta.total and ft.settled == ft.total:
        status = "done"
    elif ta.started:
        status = "in progress"
    else:
        status = "not started"
    studies = selectors.studies_list(review=review).count()
    return Stage(key="screening", name="Screening", order=20, status=status,
                 counts=[("Records to screen", ta.total), ("Title/abstract settled", ta.settled),
                         ("Full texts settled", f"{ft.settled} of {ft.total}"), ("In conflict", conflicts),
                         ("Included studies", studies)],
                 url=reverse("screening_home", args=[review.pk]), todos=todos)
