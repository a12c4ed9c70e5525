"""List mode for title/abstract screening: a page of records held for the reviewer, one key per
decision (Rayyan's habit), and the per-person choice between it and one record at a time.

The page works without JavaScript (each record's buttons are a form posting to this page, with the
note and tags of the single page in a disclosure under them); with it (static/js/screen-list.js) the
same POST is sent by fetch and answered in JSON. Claims, blindness
and the audit trail are those of the one-at-a-time page: the batch is claimed by
`services.screening_batch`, each decision is stored by `services.decision_record`, and what others
decided is shown only as `selectors.decisions_visible_to` allows.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from reviewapp.exceptions import ApplicationError
from reviewapp.page_access import ReviewRequest, review_page
from reviewapp.pages import review_page_context

from . import rules, selectors, services
from .forms import DecisionForm
from .highlight import highlight
from .models import Decision, ScreenerPreference, ScreeningStage

STAGE = ScreeningStage.TITLE_ABSTRACT
# The records of the list page last shown, so that those decided stay in view (and may be changed)
# until the whole page is decided.
BATCH_SESSION_KEY = "screening-list-batch"
KEYS: dict[str, str] = {Decision.Value.INCLUDE: "i", Decision.Value.MAYBE: "m", Decision.Value.EXCLUDE: "e"}


class ModeForm(forms.Form):
    mode = forms.ChoiceField(choices=ScreenerPreference.Mode.choices)
    batch_size = forms.IntegerField(required=False, min_value=services.BATCH_MIN, max_value=services.BATCH_MAX)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _shown(request: HttpRequest, held: list[int]) -> list[int]:
    """The page's records: the batch shown before while it goes on (its decided records stay), else the new one."""
    before = request.session.get(BATCH_SESSION_KEY, [])
    shown = before + [i for i in held if i not in before] if set(held) & set(before) else held
    request.session[BATCH_SESSION_KEY] = shown
    return shown


def _decide(request: HttpRequest, review) -> HttpResponse:
    form = DecisionForm(request.POST)
    item_id = form.cleaned_data["item"] if form.is_valid() else None
    error = None if item_id else "Choose a decision."
    decision = None
    if item_id:
        try:
            decision = services.decision_record(actor=request.user, review=review, item_id=item_id,
                                                value=form.cleaned_data["value"], reason=form.cleaned_data["reason"],
                                                note=form.cleaned_data["note"], tags=form.cleaned_data["tags"])
        except ApplicationError as exc:
            error = exc.message
    if _wants_json(request):
        if decision is None:
            return JsonResponse({"saved": False, "message": error}, status=409)
        return JsonResponse({"saved": True, "item": decision.item_id, "value": decision.value,
                             "label": decision.get_value_display()})
    if decision is None:
        messages.error(request, error or "")
    return redirect(reverse("screen_list", args=[review.pk]) + (f"#record-{item_id}" if item_id else ""))


@review_page(GET="screen", POST="screen")
def screen_list(request: ReviewRequest, review_id: int) -> HttpResponse:
    """GET: the reviewer's list of records to screen (held for them). POST: one record's decision."""
    review = request.review
    if request.method == "POST":
        return _decide(request, review)
    pref = selectors.screener_preference(user=request.user)
    held = services.screening_batch(reviewer=request.user, review=review, stage=STAGE, size=pref.batch_size)
    held_ids = {item.pk for item in held}
    cfg = selectors.screening_settings_get(review=review)
    words = (cfg.include_keyword_list, cfg.exclude_keyword_list)
    roles: set[str] = review.user_roles  # type: ignore[attr-defined]  # set by @review_page
    # Settled by others meanwhile: a record not decided by this reviewer and no longer held leaves the page.
    batch = [row for row in selectors.batch_rows(review=review, user=request.user,
                                                  item_ids=_shown(request, [i.pk for i in held]))
             if row.mine is not None or row.item.pk in held_ids]
    seen = selectors.decisions_visible_on(items=[row.item for row in batch], user=request.user, roles=roles, cfg=cfg)
    rows = []
    for row in batch:
        record = row.item.record
        rows.append({
            "item": row.item, "record": record, "mine": row.mine,
            "title_html": mark_safe(highlight(record.title, *words)),  # noqa: S308 - highlight escapes the text
            "abstract_html": mark_safe(highlight(record.abstract, *words)),  # noqa: S308
            "others": [d for d in seen[row.item.pk] if d.reviewer_id != request.user.pk],
            "frozen_reason": rules.decision_change_refusal(item=row.item) if row.mine else None,
        })
    values = [(v, Decision.Value(v).label, KEYS[v]) for v in services.decisions_values(STAGE)]
    return render(request, "screening/screen_list.html", review_page_context(
        review, stage=STAGE, cfg=cfg, rows=rows, values=values, pref=pref,
        sizes=range(services.BATCH_MIN, services.BATCH_MAX + 1, 5),
        undecided=sum(1 for r in rows if r["mine"] is None),
        progress=selectors.screening_progress(review=review, stage=STAGE, user=request.user)))


@review_page(POST="screen")
def screening_mode(request: ReviewRequest, review_id: int) -> HttpResponse:
    """Switch between one record at a time and list mode (and the list's length), remembered for the person."""
    review = request.review
    form = ModeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Choose a mode, and a list of {services.BATCH_MIN} to {services.BATCH_MAX} records.")
        return redirect("screen", review.pk, STAGE)
    pref = services.screener_preference_set(user=request.user, mode=form.cleaned_data["mode"],
                                            batch_size=form.cleaned_data["batch_size"])
    if pref.mode == ScreenerPreference.Mode.LIST:
        return redirect("screen_list", review.pk)
    return redirect("screen", review.pk, STAGE)
