"""List mode: a page of title/abstract records held for one reviewer at once, and the choice of mode.

The batch is claimed as the one-at-a-time page claims its record (`decisions.claim_free_items`: the
records a lead assigned first, then priority and import order, each with a seat free), one claim per
record, for as long (`CLAIM_MINUTES`). Decisions go through `decision_record` like any other, which
lets go of the record's claim. A batch is kept, and renewed, until every record in it is decided
(or settled by others meanwhile); only then does the next one come.
"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from reviewapp.exceptions import ApplicationError
from reviewapp.models import Review

from ..models import Claim, Decision, ScreenerPreference, ScreeningItem, ScreeningStage
from .decisions import CLAIM_MINUTES, _occupants, claim_free_items, screening_settings

BATCH_MIN, BATCH_MAX = 5, 25
LIST_STAGES = (ScreeningStage.TITLE_ABSTRACT,)


def batch_size_problem(size: int) -> str | None:
    if not BATCH_MIN <= size <= BATCH_MAX:
        return f"A list holds {BATCH_MIN} to {BATCH_MAX} records; {size} is outside that."
    return None


@transaction.atomic
def screening_batch(*, reviewer, review: Review, stage: str, size: int) -> list[ScreeningItem]:
    """The records this reviewer screens on one list page, held for them. The records they still hold
    undecided come back (renewed) while there are any; when none is left, the next ``size`` records of
    their queue are claimed. Title and abstract only: a full text is screened one at a time."""
    if stage not in LIST_STAGES:
        raise ApplicationError("List mode is for title and abstract screening; full texts are screened one at a time.")
    problem = batch_size_problem(size)
    if problem:
        raise ApplicationError(problem, {"field": "size"})
    cfg = screening_settings(review)
    now = timezone.now()
    expires = now + datetime.timedelta(minutes=CLAIM_MINUTES)
    claims = (Claim.objects.select_for_update().filter(review=review, stage=stage, reviewer=reviewer)
              .select_related("item").order_by("id"))
    mine = Decision.objects.filter(item_id=OuterRef("item_id"), reviewer=reviewer)
    keep: list[ScreeningItem] = []
    for claim in claims.annotate(decided=Exists(mine)):
        item = claim.item
        open_still = item.status == ScreeningItem.Status.PENDING and not claim.decided
        # A claim that ran out may have lost its seat to others meanwhile: kept only while one is free.
        if open_still and claim.expires_at <= now:
            open_still = len(_occupants(item_id=item.pk, reviewer=reviewer, now=now)) < (
                cfg.reviewers_per_record - item.decisions_count)
        if open_still:
            keep.append(item)
        else:
            claim.delete()
    if keep:
        Claim.objects.filter(review=review, stage=stage, reviewer=reviewer).update(expires_at=expires)
        return keep
    fresh = claim_free_items(reviewer=reviewer, review=review, stage=stage, cfg=cfg, now=now, passed_over=(),
                             want=size)
    Claim.objects.bulk_create([Claim(review=review, stage=stage, reviewer=reviewer, item=item, expires_at=expires)
                               for item in fresh])
    return fresh


@transaction.atomic
def screener_preference_set(*, user, mode: str | None = None, batch_size: int | None = None) -> ScreenerPreference:
    """Remember how this person screens titles and abstracts (in every review). A personal choice like
    their e-mail settings, so it is not in a review's audit trail."""
    pref, _ = ScreenerPreference.objects.select_for_update().get_or_create(user=user)
    if mode is not None:
        if mode not in ScreenerPreference.Mode.values:
            raise ApplicationError(f"“{mode}” is not a screening mode; choose single or list.", {"field": "mode"})
        if mode == ScreenerPreference.Mode.LIST and pref.mode != mode:
            # The record the one-at-a-time page held is let go, so that the first list is a whole one;
            # it is first in the queue still and comes back at the top of the list unless another took it.
            Claim.objects.filter(reviewer=user, stage__in=LIST_STAGES).delete()
        pref.mode = mode
    if batch_size is not None:
        problem = batch_size_problem(batch_size)
        if problem:
            raise ApplicationError(problem, {"field": "batch_size"})
        pref.batch_size = batch_size
    pref.save()
    return pref
