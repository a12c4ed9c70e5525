"""Reads for list mode: the records of a list page with the reviewer's own decisions, and their mode."""
from __future__ import annotations

from dataclasses import dataclass

from reviewapp.models import Review

from .. import rules
from ..models import Decision, ScreenerPreference, ScreeningItem, ScreeningSettings


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


def decisions_visible_on(*, items: list[ScreeningItem], user, roles: set[str],
                         cfg: ScreeningSettings) -> dict[int, list[Decision]]:
    """The batch form of `decisions_visible_to` (a list page's records, with two queries at most however
    many): {item id: the decisions on it this person may see, oldest first}."""
    decisions = list(Decision.objects.filter(item_id__in=[item.pk for item in items])
                     .select_related("reviewer").order_by("created_at", "id"))
    return rules.visible_decisions_on(user=user, roles=roles, items=items, cfg=cfg, decisions=decisions)


def screening_items_in_order(*, review: Review, item_ids: list[int]) -> list[ScreeningItem]:
    """These records of the review, in the given order, as `screening_item_get` reads one (one query)."""
    found = (ScreeningItem.objects.filter(review=review, pk__in=item_ids)
             .select_related("record__search", "record__fulltext", "resolved_by").in_bulk())
    return [found[i] for i in item_ids if i in found]
