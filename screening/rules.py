"""Who may see and change what in screening, in one place.

Services enforce these rules (a refusal is an ApplicationError carrying the reason returned
here); pages, the API and templates (through the view's context) ask them instead of deciding
again. Built on `reviewapp.permissions`.

Blind screening: until a record is settled, a person sees only their own decision on it. Only
those who resolve its conflict see both while it is in conflict, and a conflict freezes both
decisions, so a reviewer cannot decide, see the record become a conflict, and take their
decision back before anyone resolves it.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from reviewapp.models import Review
from reviewapp.page_access import ReviewRule
from reviewapp.permissions import CAPABILITIES, can, may_resolve_conflicts, roles_of

from .models import Decision, ScreeningItem, ScreeningSettings

Status = ScreeningItem.Status
SETTLED = tuple(s for s in Status.values if s not in (Status.PENDING, Status.CONFLICT))

FROZEN_BY_CONFLICT = ("This record is in conflict: neither decision on it can be changed or taken back now. "
                      "The lead or the named third reviewer resolves it.")
MOVED_ON = "This record has moved on; its decision can no longer be changed."


# ---------------------------------------------------------------- changing one's decision

def decision_change_refusal(*, item: ScreeningItem) -> str | None:
    """Why a reviewer may no longer change or take back their decision on ``item`` (None: they may).
    A decision stays open while the other one is not in; once both are in, the record is settled
    or in conflict, and either way the decisions stand."""
    if item.status == Status.CONFLICT:
        return FROZEN_BY_CONFLICT
    if item.status != Status.PENDING:
        return MOVED_ON
    return None


def may_change_decision(*, item: ScreeningItem) -> bool:
    return decision_change_refusal(item=item) is None


# ---------------------------------------------------------------- the third reviewer

SCREENING_ROLES = CAPABILITIES["screen"]


def conflict_resolver_candidates(*, review: Review) -> QuerySet:
    """Whom a lead may name third reviewer: the review's members who screen (leads and reviewers)."""
    return (get_user_model().objects.filter(review_memberships__review=review,
                                            review_memberships__role__in=SCREENING_ROLES)
            .distinct().order_by("username"))


def screeners_of(*, review: Review) -> QuerySet:
    """Who screens in this review (leads and reviewers): those told of new records to screen."""
    return conflict_resolver_candidates(review=review)


def conflict_resolver_refusal(*, review: Review, user) -> str | None:
    if user is None or conflict_resolver_candidates(review=review).filter(pk=user.pk).exists():
        return None
    return "The third reviewer must be a lead or reviewer of this review."


def is_party(*, user, item: ScreeningItem) -> bool:
    """Whether ``user`` has a decision of their own on ``item``."""
    return user.is_authenticated and item.decisions.filter(reviewer=user).exists()


def conflict_resolve_refusal(*, user, roles: set[str], item: ScreeningItem, cfg: ScreeningSettings,
                             party: bool | None = None) -> str | None:
    """Why ``user`` may not resolve the conflict on ``item`` (None: they may). Leads resolve any
    conflict; the third reviewer resolves those they did not decide themselves. ``party``: whether
    `is_party`, when the caller knows already (a batch, `others_decisions_visible_on`)."""
    if can(roles=roles, capability="resolve_conflicts"):
        return None
    if not may_resolve_conflicts(user=user, roles=roles, delegate_id=cfg.conflict_resolver_id):
        return "Resolving conflicts needs the role Lead, or to be named the third reviewer."
    if is_party(user=user, item=item) if party is None else party:
        return "You decided on this record yourself: a lead resolves its conflict."
    return None


def may_resolve(*, user, roles: set[str], item: ScreeningItem, cfg: ScreeningSettings,
                party: bool | None = None) -> bool:
    return conflict_resolve_refusal(user=user, roles=roles, item=item, cfg=cfg, party=party) is None


def may_resolve_some(*, user, roles: set[str], cfg: ScreeningSettings) -> bool:
    """Whether ``user`` resolves conflicts in this review at all (the conflicts pages, the to-do);
    `conflict_resolve_refusal` decides each record."""
    return may_resolve_conflicts(user=user, roles=roles, delegate_id=cfg.conflict_resolver_id)


def conflict_resolver_page_refusal(*, user, review: Review) -> str | None:
    """Why ``user`` (roles on ``review.user_roles``) may not open the conflicts pages (None: they
    may): the rule of `may_resolve_some` with the review's settings."""
    cfg = ScreeningSettings.objects.filter(review=review).first() or ScreeningSettings(review=review)
    if may_resolve_some(user=user, roles=review.user_roles, cfg=cfg):
        return None
    return "Resolving conflicts needs the role Lead, or to be named the third reviewer."


# The conflicts pages declare this rule (reviewapp.page_access); the API asks `may_resolve_some`.
RESOLVES_CONFLICTS = ReviewRule("resolves conflicts", conflict_resolver_page_refusal)


def conflicts_for_resolver(items: QuerySet[ScreeningItem], *, user, roles: set[str]) -> QuerySet[ScreeningItem]:
    """The conflicts among ``items`` this person resolves: all for a lead; the third reviewer's
    own records left out (they are a party to those)."""
    if can(roles=roles, capability="resolve_conflicts"):
        return items
    return items.exclude(Exists(Decision.objects.filter(item=OuterRef("pk"), reviewer=user)))


def conflict_resolvers_of(*, item: ScreeningItem, cfg: ScreeningSettings) -> list:
    """Who may resolve the conflict on ``item`` (the leads, and the third reviewer unless a party):
    those told of it. The rule of `conflict_resolve_refusal`, asked of each candidate."""
    leads = Q(review_memberships__review_id=item.review_id,
              review_memberships__role__in=CAPABILITIES["resolve_conflicts"])
    candidates = get_user_model().objects.filter(leads | Q(pk=cfg.conflict_resolver_id or 0)).distinct()
    review = Review(pk=item.review_id)
    return [user for user in candidates
            if may_resolve(user=user, roles=roles_of(user=user, review=review), item=item, cfg=cfg)]


# ---------------------------------------------------------------- blindness

def may_see_others_decisions(*, user, roles: set[str], item: ScreeningItem, cfg: ScreeningSettings) -> bool:
    """Whether ``user`` may see other people's decisions and notes on ``item``: always without
    blind screening and once the record is settled; while it is in conflict, only whoever may
    resolve that conflict; while it waits, nobody."""
    return _others_visible(user=user, roles=roles, item=item, cfg=cfg, party=None)


def others_decisions_visible_on(*, user, roles: set[str], items: list[ScreeningItem],
                                cfg: ScreeningSettings) -> set[int]:
    """The batch form of `may_see_others_decisions` (a page of records, e.g. list mode): the ids of
    those of ``items`` on which ``user`` may see other people's decisions, with one query at most."""
    conflicts = [item.pk for item in items if cfg.blind and item.status == Status.CONFLICT]
    parties = set(Decision.objects.filter(item_id__in=conflicts, reviewer_id=user.pk)
                  .values_list("item_id", flat=True)) if conflicts and user.is_authenticated else set()
    return {item.pk for item in items
            if _others_visible(user=user, roles=roles, item=item, cfg=cfg, party=item.pk in parties)}


def _others_visible(*, user, roles: set[str], item: ScreeningItem, cfg: ScreeningSettings,
                    party: bool | None) -> bool:
    if not cfg.blind or item.status in SETTLED:
        return True
    return item.status == Status.CONFLICT and may_resolve(user=user, roles=roles, item=item, cfg=cfg, party=party)


def visible_decisions(*, user, roles: set[str], item: ScreeningItem, cfg: ScreeningSettings,
                      decisions: list[Decision]) -> list[Decision]:
    """Of ``decisions`` (all on ``item``), those ``user`` may see: their own always."""
    return _seen(decisions, user=user, others=may_see_others_decisions(user=user, roles=roles, item=item, cfg=cfg))


def visible_decisions_on(*, user, roles: set[str], items: list[ScreeningItem], cfg: ScreeningSettings,
                         decisions: list[Decision]) -> dict[int, list[Decision]]:
    """The batch form of `visible_decisions`: {item id: of ``decisions`` (on any of ``items``), those on
    it ``user`` may see}, every item a key."""
    others = others_decisions_visible_on(user=user, roles=roles, items=items, cfg=cfg)
    on: dict[int, list[Decision]] = {item.pk: [] for item in items}
    for decision in decisions:
        on.setdefault(decision.item_id, []).append(decision)
    return {item_id: _seen(found, user=user, others=item_id in others) for item_id, found in on.items()}


def _seen(decisions: list[Decision], *, user, others: bool) -> list[Decision]:
    return decisions if others else [d for d in decisions if d.reviewer_id == user.pk]


def visible_decisions_q(*, user, roles: set[str], cfg: ScreeningSettings) -> Q:
    """The rule of `may_see_others_decisions` as a filter on Decision rows, for lists and filters."""
    if not cfg.blind:
        return Q()
    visible = Q(reviewer_id=user.pk) | Q(item__status__in=SETTLED)
    if can(roles=roles, capability="resolve_conflicts"):
        return visible | Q(item__status=Status.CONFLICT)
    if may_resolve_conflicts(user=user, roles=roles, delegate_id=cfg.conflict_resolver_id):
        mine = Decision.objects.filter(item=OuterRef("item"), reviewer_id=user.pk)
        return visible | (Q(item__status=Status.CONFLICT) & ~Exists(mine))
    return visible


# ---------------------------------------------------------------- a lead's bulk exclusion

BULK_EXCLUDE_LIMIT = 1000


def bulk_exclude_refusal(*, roles: set[str]) -> str | None:
    """Why this person may not exclude a selection of records (None: they may): leads only."""
    if can(roles=roles, capability="resolve_conflicts"):
        return None
    return "Excluding a selection of records needs the role Lead."


def bulk_tag_refusal(*, roles: set[str]) -> str | None:
    """Why this person may not tag or untag a selection of records (None: they may): leads only."""
    if can(roles=roles, capability="resolve_conflicts"):
        return None
    return "Tagging a selection of records needs the role Lead."


def bulk_assign_refusal(*, roles: set[str]) -> str | None:
    """Why this person may not assign records to a reviewer's queue (None: they may): leads only."""
    if can(roles=roles, capability="resolve_conflicts"):
        return None
    return "Assigning records to a reviewer needs the role Lead."


def bulk_exclude_item_refusal(*, item: ScreeningItem) -> str | None:
    """Why a lead's bulk exclusion cannot apply to ``item`` (None: it can). Only records nobody has
    decided at that stage: over a reviewer's decision it would overrule them without a conflict
    (an include) or repeat them (an exclude), and a settled or conflicting record has its own
    way out (the conflicts page)."""
    if item.status == Status.WITHDRAWN:
        return "merged into another record"
    if item.status != Status.PENDING:
        return f"already {item.get_status_display().lower()}"
    if item.decisions_count:
        return "already has a reviewer's decision"
    return None


# ---------------------------------------------------------------- agreement between screeners

def may_read_agreement(*, roles: set[str]) -> bool:
    """Who reads the screeners' agreement (the agreement page, the report's figures): the leads,
    who resolve conflicts, as the agreement page declares."""
    return can(roles=roles, capability="resolve_conflicts")
