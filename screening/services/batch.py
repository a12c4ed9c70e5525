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
from .decisions import CLAIM_MINUTES, _occupants_of, claim_free_items, screening_settings

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
    claims_now = list(claims.annotate(decided=Exists(mine)))
    held = [claim for claim in claims_now if claim.item.status == ScreeningItem.Status.PENDING and not claim.decided]
    # A claim that ran out may have lost its seat to others meanwhile: kept only while one is free
    # (the others on those records looked up once for the whole page).
    others = _occupants_of(item_ids=[claim.item_id for claim in held if claim.expires_at <= now],
                           reviewer=reviewer, now=now)
    kept = [claim for claim in held if claim.expires_at > now
            or len(others.get(claim.item_id, ())) < cfg.reviewers_per_record - claim.item.decisions_count]
    gone = {claim.pk for claim in claims_now} - {claim.pk for claim in kept}
    if gone:
        Claim.objects.filter(pk__in=gone).delete()
    keep: list[ScreeningItem] = [claim.item for claim in kept]
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
