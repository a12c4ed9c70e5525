"""Reads for list mode: the records of a list page with the reviewer's own decisions, and their mode."""
from __future__ import annotations

from dataclasses import dataclass

from reviewapp.models import Review

from ..models import Decision, ScreenerPreference, ScreeningItem


def screener_preference(*, user) -> ScreenerPreference:
    """The person's choice of screening mode (the unsaved default, one at a time, when they never chose)."""
    found = ScreenerPreference.objects.filter(user=user).first()
    return found or ScreenerPreference(user=user)


@dataclass
class BatchRow:
    item: ScreeningItem
    mine: Decision | None  # the reviewer's own decision, once made


def batch_rows(*, review: Review, user, item_ids: list[int]) -> list[BatchRow]:
    """The list page's records in the given order, each with the reviewer's own decision (never anyone
    else's: what others decided is shown as the one-at-a-time page shows it, by `decisions_visible_to`)."""
    items = (ScreeningItem.objects.filter(review=review, pk__in=item_ids)
             .select_related("record").defer("record__raw").in_bulk())
    mine = {d.item_id: d for d in Decision.objects.filter(item_id__in=item_ids, reviewer=user)}
    return [BatchRow(item=items[i], mine=mine.get(i)) for i in item_ids if i in items]
