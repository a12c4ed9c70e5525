"""Double entry on the pages, for extraction forms and appraisal tools alike: a person's own entry
(its post: save, mark done, reopen; and what its form shows), the other person's entry once the
comparison may be seen, and the consensus (the settling actions of a comparison page).

An appraisal is an extraction on a tool's form, so both entry pages and both comparison pages go
through these steps; each page adds only what is its own (the outcome data's effects, the
appraisal's target and judgements). The API's twin of the entry steps is
`extraction.api.entries.EntryApi`, which the appraisal API extends in the same way.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect

from reviewapp.exceptions import ApplicationError

from . import definition as defs
from . import entry_post, rules, selectors, services
from .models import Entry, Extraction, FormTemplate, FormVersion

# -- one's own entry ---------------------------------------------------------------


@dataclass
class Refused:
    """A post the service refused on its answers: the form is drawn again with what was typed."""

    errors: dict[str, str]
    posted: QueryDict


def entry_post_response(request: HttpRequest, *, template: FormTemplate, study, save: Callable, here: str,
                        back: str, nothing_to_reopen: str, saved: str, target: str = "") -> HttpResponse | Refused:
    """One post of an entry form: reopen the entry, or save it (``save`` is the service, given the
    answers, the typed inputs as ``draft`` and ``done``). A redirect once done (to ``here``, or to
    ``back`` with the refusal as a message), else the problems to show on the form."""
    action = request.POST.get("action", "save")
    try:
        if action == "reopen":
            extraction = selectors.extraction_get(template=template, study=study, target=target)
            if extraction is None:
                raise ApplicationError(nothing_to_reopen)
            services.entry_reopen(actor=request.user, extraction=extraction)
            return redirect(here)
        posted_as = entry_post.posted_answers(template=template, study=study, user=request.user, data=request.POST,
                                              target=target)
        result = save(answers=posted_as.answers, draft=request.POST, done=action == "done")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if result.saved:
        messages.success(request, "Marked done: thank you." if result.entry.done else saved)
        return redirect(here)
    return Refused(errors=posted_as.input_errors(result.errors), posted=request.POST)


@dataclass
class EntryForm:
    """What an entry form shows: the person's own entry (None before they save), the version its
    answers are kept under, and the inputs' values (as typed after a refused post, the autosaved
    draft, else the saved answers)."""

    extraction: Extraction | None
    entry: Entry | None
    version: FormVersion
    values: dict
    restored: bool
    errors: dict[str, str]
    refused: bool

    def context(self, request: HttpRequest, review) -> dict:
        """The template variables both entry pages share."""
        return {"entry": self.entry, "version": self.version, "extraction": self.extraction,
                "errors": self.errors, "restored": self.restored, "done": bool(self.entry and self.entry.done),
                "frozen_reason": rules.entry_change_refusal(extraction=self.extraction),
                "may_compare": rules.may_see_comparison(user=request.user, roles=review.user_roles,
                                                        extraction=self.extraction)}


def entry_form(request: HttpRequest, *, extraction: Extraction | None, new_version: FormVersion | None,
               refused: Refused | None = None) -> EntryForm | None:
    """The person's own entry on ``extraction`` as its form shows it; a new entry takes
    ``new_version``. None while there is no version to fill (the form is not published); a third
    person on a study two people are on (or one settled) is refused (403)."""
    entry = selectors.entry_of(extraction=extraction, user=request.user)
    version = entry.version if entry else new_version
    if version is None:
        return None
    refusal = rules.new_entry_refusal(user=request.user, extraction=extraction)
    if refusal:
        raise PermissionDenied(refusal)
    restored = refused is None and entry is not None and entry.draft is not None
    values: dict
    if refused is not None:
        values = {k: v for k, v in refused.posted.lists()}
    elif restored:
        assert entry is not None
        values = entry.draft or {}
    else:
        values = defs.answers_as_post(version.definition, entry.answers if entry else {})
    return EntryForm(extraction=extraction, entry=entry, version=version, values=values, restored=restored,
                     errors=refused.errors if refused else {}, refused=refused is not None)


# -- the comparison and the consensus -----------------------------------------------

def consensus_page_refusal(request: HttpRequest, review, extraction) -> str | None:
    """The object rule of both comparison pages (extraction and appraisal): a 403 for those the
    comparison does not concern once it is comparable (`rules.has_stake`), and for a POST (settle,
    finalise, reopen) from anyone who does not settle it (`rules.settle_refusal`)."""
    roles = review.user_roles
    refusal = rules.comparison_refusal(user=request.user, roles=roles, extraction=extraction)
    if (refusal and extraction is not None and extraction.status in rules.COMPARABLE
            and not rules.has_stake(user=request.user, roles=roles, extraction=extraction)):
        return refusal
    if request.method == "POST":
        return (rules.settle_refusal(user=request.user, roles=roles, extraction=extraction)
                if extraction is not None else "There is nothing to settle yet.")
    return None


def may_settle_here(request: HttpRequest, review, extraction) -> bool:
    return extraction is not None and rules.may_settle(user=request.user, roles=review.user_roles,
                                                       extraction=extraction)


def consensus_post(request: HttpRequest, extraction, *, finalised: str) -> None:
    """One settling action on a comparison page (settle a difference, finalise, reopen), for
    extractions and appraisals alike; a refusal becomes a message."""
    action = request.POST.get("action", "")
    try:
        if action == "settle":
            services.settlement_record(actor=request.user, extraction=extraction, path=request.POST.get("path", ""),
                                       choice=request.POST.get("choice", ""), other=request.POST.get("other", ""),
                                       note=request.POST.get("note", ""))
        elif action == "finalise":
            services.consensus_finalise(actor=request.user, extraction=extraction)
            messages.success(request, finalised)
        elif action == "reopen":
            services.consensus_reopen(actor=request.user, extraction=extraction)
    except ApplicationError as exc:
        messages.error(request, exc.message)
