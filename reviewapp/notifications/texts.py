"""A notification in words. Each kind's sentence is made here from its params when shown (page,
API, e-mail), so plural forms follow the count and a wording fix reaches old notifications too.
Plain text: pages escape it like any value, e-mails are plain text."""
from __future__ import annotations

from django.utils.translation import gettext, ngettext

from .models import Kind

STAGES = {"ta": "title and abstract", "ft": "full text"}


def _conflict(count: int, params: dict) -> str:
    return ngettext("%(count)d record is in conflict at %(stage)s screening and waits for you to resolve it.",
                    "%(count)d records are in conflict at %(stage)s screening and wait for you to resolve them.",
                    count) % {"count": count, "stage": STAGES.get(params.get("stage"), "")}


def _new_records(count: int, params: dict) -> str:
    return ngettext("%(count)d new record is waiting for screening after an import.",
                    "%(count)d new records are waiting for screening after an import.",
                    count) % {"count": count}


def _consensus(count: int, params: dict) -> str:
    if params.get("form_kind") == "appraisal":
        text = ngettext("%(count)d study's appraisal on “%(form)s” awaits your consensus.",
                        "%(count)d studies' appraisals on “%(form)s” await your consensus.", count)
    else:
        text = ngettext("%(count)d study's extraction on “%(form)s” awaits your consensus.",
                        "%(count)d studies' extractions on “%(form)s” await your consensus.", count)
    return text % {"count": count, "form": params.get("form", "")}


def _analysis(count: int, params: dict) -> str:
    values = {"name": params.get("name", ""), "number": params.get("number", "")}
    if params.get("status") == "done":
        return gettext("Your analysis “%(name)s” finished (run %(number)s).") % values
    if params.get("status") == "cancelled":
        return gettext("Your analysis “%(name)s” was cancelled (run %(number)s).") % values
    return gettext("Your analysis “%(name)s” failed (run %(number)s): %(error)s") % {
        **values, "error": params.get("error") or gettext("no reason given.")}


def _invitation(count: int, params: dict) -> str:
    return gettext("%(person)s accepted your invitation and joined as %(roles)s.") % {
        "person": params.get("person", ""), "roles": params.get("roles", "")}


def _search_rerun(count: int, params: dict) -> str:
    return ngettext("%(count)d search is due to be run again (the protocol says every %(months)s months; "
                    "due %(due)s).",
                    "%(count)d searches are due to be run again (the protocol says every %(months)s months; "
                    "due %(due)s).", count) % {"count": count, "months": params.get("months", ""),
                                               "due": params.get("due", "")}


SENTENCES = {Kind.CONFLICT: _conflict, Kind.NEW_RECORDS: _new_records, Kind.CONSENSUS: _consensus,
             Kind.ANALYSIS: _analysis, Kind.INVITATION: _invitation, Kind.SEARCH_RERUN: _search_rerun}


def text_of(notification) -> str:
    return SENTENCES[notification.kind](notification.count, notification.params or {})


def items_phrase(count: int) -> str:
    return ngettext("%(count)d new notification", "%(count)d new notifications", count) % {"count": count}
