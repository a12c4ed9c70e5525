"""Which PRISMA 2020 diagram a review gets: the first one, or an update's (reads only).

A review is an update once it has a published version (reviewapp.versions) or a search run
again (``Search.repeats``); nobody ticks anything. PRISMA 2020's diagram for updated reviews then
counts, in its main columns, only the records of the update's searches, and shows the studies
of the previous version apart:

- with a published version: the update's searches are those recorded after it was published,
  and the previous studies are the studies the version counted as included
  (``version_figures``, stored with it);
- else: the update begins with the first search run again; the previous studies are those with
  a report found by an earlier search.

Studies a lead marked as carried over (``Study.previous_version``) are previous studies in every case.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Min, Q, QuerySet

from reviewapp.models import Review
from reviewapp.versions.selectors import latest_version

from .models import Record, ScreeningItem, ScreeningStage, Search, Study

INCLUDED = Q(screening_items__stage=ScreeningStage.FULL_TEXT, screening_items__status=ScreeningItem.Status.INCLUDED)


@dataclass
class UpdateScope:
    since: datetime.datetime  # searches recorded after this moment belong to the update
    previous_study_ids: set[int] = field(default_factory=set)
    version: int | None = None  # the published version it updates (None: updated by a search re-run)

    def records(self) -> Q:
        """Records (of ``Record``) the update's searches found."""
        return Q(search__created_at__gt=self.since)


def update_scope(*, review: Review) -> UpdateScope | None:
    """The update the review's PRISMA diagram shows, or None for a first review."""
    carried = set(Study.objects.filter(review=review, previous_version=True).values_list("pk", flat=True))
    version = latest_version(review=review)
    if version is not None:
        ids = set(version.figures.get("screening", {}).get("study_ids", []))
        ids = set(Study.objects.filter(review=review, pk__in=ids).values_list("pk", flat=True))
        return UpdateScope(since=version.published_at, previous_study_ids=ids | carried, version=version.number)
    first_rerun = (Search.objects.filter(review=review, repeats__isnull=False)
                   .aggregate(first=Min("created_at"))["first"])
    if first_rerun is None:
        return None
    since = first_rerun - datetime.timedelta(microseconds=1)
    earlier = Study.objects.filter(review=review, reports__search__created_at__lte=since)
    return UpdateScope(since=since, previous_study_ids=set(earlier.values_list("pk", flat=True)) | carried)


def included_studies(*, review: Review) -> QuerySet[Study]:
    """Studies with a report included at full text, or carried over from a previous version."""
    return Study.objects.filter(Q(review=review) & (Q(reports__in=Record.objects.filter(INCLUDED))
                                                    | Q(previous_version=True))).distinct()


def version_figures(review: Review) -> dict:
    """What screening stores with a published version (reviewapp.versions): its included studies and reports."""
    studies = sorted(included_studies(review=review).values_list("pk", flat=True))
    reports = Record.objects.filter(review=review, study__in=studies).count()
    return {"screening": {"studies_included": len(studies), "reports_included": reports, "study_ids": studies}}
