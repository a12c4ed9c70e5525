"""Who may see and change what in double entry, in one place: data extraction and risk-of-bias
appraisal share it (both are an `Extraction` filled by two people, then settled).

Services enforce these rules (a refusal is an ApplicationError carrying the reason returned
here); pages, the API and templates (through the view's context) ask them instead of deciding
again. Built on `reviewapp.permissions`.

Blind double entry: neither person sees the other's entry until the consensus is final; only
whoever settles sees the two side by side before. Once both entries are done and differ, both
freeze until the consensus is final, so nobody can reopen theirs and copy the other's value.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from reviewapp.permissions import CAPABILITIES, can, may_settle_consensus, roles_of

from . import definition as defs
from .models import Entry, Extraction, FormTemplate

Status = Extraction.Status
Kind = FormTemplate.Kind

# Double entry: two people per study (and target); a third never joins.
ENTRIES_PER_STUDY = 2
COMPARABLE = (Status.AWAITING_CONSENSUS, Status.DONE)


def _doing(extraction: Extraction) -> str:
    return "appraising" if extraction.template.kind == Kind.APPRAISAL else "extracting"


def _entries(extraction: Extraction) -> list[Entry]:
    return list(extraction.entries.all())  # prefetched by the list selectors, so no query there


def is_party(*, user, extraction: Extraction | None) -> bool:
    """Whether ``user`` fills one of the two entries of ``extraction``."""
    return extraction is not None and any(e.user_id == user.pk for e in _entries(extraction))


# ---------------------------------------------------------------- who enters

def new_entry_refusal(*, user, extraction: Extraction | None) -> str | None:
    """Why ``user`` may not start an entry on ``extraction`` (None: they may, or have one already)."""
    if extraction is None or is_party(user=user, extraction=extraction):
        return None
    if extraction.status == Status.DONE:
        return "This study's consensus is final; nothing more is entered for it."
    if len(_entries(extraction)) >= ENTRIES_PER_STUDY:
        return f"Two people are {_doing(extraction)} this already."
    return None


def differing_paths(definition: dict, first: dict, second: dict) -> list[str]:
    """The fields (flat paths) on which two entries' answers differ and a settler must decide.
    Derived answers (an algorithm's proposal) follow from the others; merged ones (supporting
    text) keep both: neither is settled."""
    fa, fb = defs.flatten(definition, first), defs.flatten(definition, second)
    skip = defs.derived_paths(definition) | defs.merged_paths(definition)
    return [p for p in sorted(set(fa) | set(fb)) if p not in skip and not defs.same_value(fa.get(p), fb.get(p))]


def both_done_and_differ(extraction: Extraction) -> bool:
    entries = sorted(_entries(extraction), key=lambda e: e.pk)
    if len(entries) < ENTRIES_PER_STUDY or not all(e.done for e in entries):
        return False
    return bool(differing_paths(extraction.version.definition, entries[0].answers, entries[1].answers))


def entry_change_refusal(*, extraction: Extraction | None) -> str | None:
    """Why an entry of ``extraction`` may no longer be saved, reopened or autosaved (None: it may).
    An entry stays open while the other is not done, and when both are done and agree."""
    if extraction is None:
        return None
    if extraction.status == Status.DONE:
        return "The consensus is final; the entries can no longer change."
    if both_done_and_differ(extraction):
        return ("Both entries are done and differ: they stay as they are until the differences are settled "
                "by a lead or the named settler.")
    return None


# ---------------------------------------------------------------- who settles

def settler_candidates(*, review) -> QuerySet:
    """Whom a lead may name to settle a form's or tool's differences: the members who extract."""
    return (get_user_model().objects.filter(review_memberships__review=review,
                                            review_memberships__role__in=CAPABILITIES["extract"])
            .distinct().order_by("username"))


def settler_refusal(*, review, user) -> str | None:
    if user is None or settler_candidates(review=review).filter(pk=user.pk).exists():
        return None
    return "The one who settles differences must be an extractor or lead of this review."


def settle_refusal(*, user, roles: set[str], extraction: Extraction) -> str | None:
    """Why ``user`` may not settle, finalise or reopen the consensus of ``extraction`` (None: they
    may). Leads settle any; the named settler those they did not fill an entry of."""
    if can(roles=roles, capability="settle_consensus"):
        return None
    if not may_settle_consensus(user=user, roles=roles, delegate_id=extraction.template.settler_id):
        return ("Settling differences needs the role Lead, or to be named the one who settles the differences "
                "of this form.")
    if is_party(user=user, extraction=extraction):
        return "You filled one of the two entries yourself: a lead settles their differences."
    return None


def may_settle(*, user, roles: set[str], extraction: Extraction) -> bool:
    return settle_refusal(user=user, roles=roles, extraction=extraction) is None


def settlers_of(*, extraction: Extraction) -> list:
    """Who may settle ``extraction`` (the leads, and the named settler unless a party): those told
    it awaits a consensus. The rule of `settle_refusal`, asked of each candidate."""
    leads = Q(review_memberships__review_id=extraction.review_id,
              review_memberships__role__in=CAPABILITIES["settle_consensus"])
    candidates = get_user_model().objects.filter(leads | Q(pk=extraction.template.settler_id or 0)).distinct()
    return [user for user in candidates
            if may_settle(user=user, roles=roles_of(user=user, review=extraction.review), extraction=extraction)]


def may_settle_template(*, user, roles: set[str], template: FormTemplate) -> bool:
    """Whether ``user`` settles on this form at all (lists and dashboards; `settle_refusal` decides each study)."""
    return may_settle_consensus(user=user, roles=roles, delegate_id=template.settler_id)


# ---------------------------------------------------------------- who sees the two side by side

def has_stake(*, user, roles: set[str], extraction: Extraction) -> bool:
    """Whether the comparison concerns ``user`` at all: one of the two, an extractor, or a settler."""
    return (is_party(user=user, extraction=extraction) or can(roles=roles, capability="extract")
            or may_settle_template(user=user, roles=roles, template=extraction.template))


def comparison_refusal(*, user, roles: set[str], extraction: Extraction | None) -> str | None:
    """Why ``user`` may not see the two entries of ``extraction`` side by side now (None: they may).
    Nobody before both are done; before the consensus is final, only whoever settles it; after,
    the two, the extractors and the settlers."""
    if extraction is None or extraction.status not in COMPARABLE:
        return "Blind until both entries are done: nobody sees them side by side before."
    if may_settle(user=user, roles=roles, extraction=extraction):
        return None
    if not has_stake(user=user, roles=roles, extraction=extraction):
        return ("The comparison is for the two people filling it, the role Extractor and whoever settles "
                "differences (the role Lead, or the named settler).")
    if extraction.status != Status.DONE:
        return ("Blind until the differences are settled: the two entries are shown side by side to the one "
                "who settles them, and to everyone once the consensus is final.")
    return None


def may_see_comparison(*, user, roles: set[str], extraction: Extraction | None) -> bool:
    return comparison_refusal(user=user, roles=roles, extraction=extraction) is None
