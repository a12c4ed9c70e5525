"""Pages for screening: the queue a reviewer works through, conflicts, decisions, agreement, studies.
Each view: access check, one service or selector, render."""
from __future__ import annotations

from csp.decorators import csp_exempt
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin

from reviewapp.disposition import content_disposition
from reviewapp.exceptions import ApplicationError
from reviewapp.page_access import review_page
from reviewapp.pages import next_url, query_without_page, review_page_context
from reviewapp.permissions import can
from reviewapp.uploads import body_limit

from . import pace, rules, selectors, services
from .agreement import KAPPA_CI_LEVEL, KAPPA_CI_METHOD
from .forms import (
    CorrectionForm,
    DecisionForm,
    FullTextForm,
    ResolveForm,
    ScreeningSettingsForm,
    StopForm,
    StudyLinkForm,
)
from .highlight import highlight
from .models import Decision, Record, ScreenerPreference, ScreeningItem, ScreeningStage
from .upload_limits import FULL_TEXT

STAGES = dict(ScreeningStage.choices)
# Records a reviewer passed over with "next" in this session, so the queue does not offer them again at once.
SKIP_SESSION_KEY = "screening-skipped"
# The records shown in this session, per stage, in order: what J and K walk along.
HISTORY_SESSION_KEY = "screening-history"
MAX_SKIPPED = 200


def _stage_or_404(stage: str) -> str:
    if stage not in STAGES:
        raise Http404("No such screening stage.")
    return stage


@review_page(GET="view")
def screening_home(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    cfg = selectors.screening_settings_get(review=review)
    progress = [selectors.screening_progress(review=review, stage=s, user=request.user, cfg=cfg) for s in STAGES]
    stop_form = StopForm(request.GET or None)
    target, confidence = (stop_form.cleaned_data["target"] / 100, stop_form.cleaned_data["confidence"] / 100) \
        if stop_form.is_valid() else (0.95, 0.95)
    show_stopping = cfg.prioritise and can(roles=review.user_roles, capability="edit_review")
    return render(request, "screening/screening_home.html", review_page_context(
        review, cfg=cfg, progress=progress, studies=selectors.studies_list(review=review).count(),
        ranking=selectors.ranking_latest(review=review),
        stopping=selectors.stopping_figures(review=review, target=target, confidence=confidence)
        if show_stopping else None, stop_form=stop_form if stop_form.is_bound else StopForm(),
        stops=selectors.stopping_decisions(review=review),
        may_resolve=rules.may_resolve_some(user=request.user, roles=review.user_roles, cfg=cfg)))


def _skipped(request: HttpRequest, stage: str) -> list[int]:
    return request.session.get(SKIP_SESSION_KEY, {}).get(stage, [])


def _skip(request: HttpRequest, stage: str, item_id: int) -> None:
    skipped = request.session.get(SKIP_SESSION_KEY, {})
    ids = [i for i in skipped.get(stage, []) if i != item_id][-MAX_SKIPPED + 1:] + [item_id]
    request.session[SKIP_SESSION_KEY] = {**skipped, stage: ids}


def _walk(request: HttpRequest, stage: str, item_id: int | None, last_decided_id: int | None) -> dict:
    """Previous (K) and next (J) along one history: the records this session showed, in the order
    it showed them, whether they were decided or passed over. A record seen again keeps its place,
    so K after J returns to the record passed over, and J after K goes forward again.

    Before the session has a history (a new sign-in), K falls back to the last decision."""
    visits = request.session.get(HISTORY_SESSION_KEY, {})
    history = list(visits.get(stage, []))
    if item_id is not None and item_id not in history:
        history = history[-MAX_SKIPPED + 1:] + [item_id]
        request.session[HISTORY_SESSION_KEY] = {**visits, stage: history}
    here = history.index(item_id) if item_id in history else len(history)
    previous = history[here - 1] if here > 0 else None
    if previous is None and last_decided_id not in (None, item_id):
        previous = last_decided_id
    following = history[here + 1] if here + 1 < len(history) else None
    return {"previous_id": previous, "next_id": following}


@review_page(GET="screen", POST="screen")
def screen(request: HttpRequest, review_id: int, stage: str) -> HttpResponse:
    """One record at a time. GET shows the next record (or ?item=, one of the reviewer's own);
    POST stores a decision and shows the next."""
    stage = _stage_or_404(stage)
    review = request.review
    cfg = selectors.screening_settings_get(review=review)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.decision_record(actor=request.user, review=review, item_id=form.cleaned_data["item"],
                                         value=form.cleaned_data["value"], reason=form.cleaned_data["reason"],
                                         note=form.cleaned_data["note"], tags=form.cleaned_data["tags"])
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect(f"{reverse('screen', args=[review.pk, stage])}?item={form.cleaned_data['item']}")
            if request.POST.get("return") == "mine":
                messages.success(request, "Decision saved.")
                return redirect("my_decisions", review.pk)
            return redirect("screen", review.pk, stage)
        messages.error(request, "Choose a decision.")
    if request.GET.get("skip"):
        _skip(request, stage, int(request.GET["skip"]) if request.GET["skip"].isdigit() else 0)
        return redirect("screen", review.pk, stage)
    if (stage in services.LIST_STAGES and not request.GET
            and selectors.screener_preference(user=request.user).mode == ScreenerPreference.Mode.LIST):
        return redirect("screen_list", review.pk)  # the person screens titles and abstracts in list mode
    item, mine = None, None
    if request.GET.get("item", "").isdigit():
        item = selectors.screening_item_get(review=review, item_id=int(request.GET["item"]))
        mine = Decision.objects.filter(item=item, reviewer=request.user).first()
        if item.stage != stage:
            return redirect(f"{reverse('screen', args=[review.pk, item.stage])}?item={item.pk}")
    if item is None or (mine is None and item.status != ScreeningItem.Status.PENDING):
        item = services.screening_next(reviewer=request.user, review=review, stage=stage,
                                       skip=_skipped(request, stage))
        mine = None
        if item is not None:
            item = selectors.screening_item_get(review=review, item_id=item.pk)
    progress = selectors.screening_progress(review=review, stage=stage, user=request.user, cfg=cfg)
    last = selectors.last_decision(review=review, user=request.user, stage=stage)
    context = review_page_context(review, stage=stage, stage_label=STAGES[stage], cfg=cfg, item=item,
                                  mine=mine, progress=progress, last=last,
                                  undo_refusal=rules.decision_change_refusal(item=last.item) if last else None,
                                  **_walk(request, stage, item.pk if item else None, last.item_id if last else None))
    if item is not None:
        record = item.record
        words = (cfg.include_keyword_list, cfg.exclude_keyword_list)
        context.update(
            record=record,
            title_html=mark_safe(highlight(record.title, *words)),  # noqa: S308 - highlight escapes the text
            abstract_html=mark_safe(highlight(record.abstract, *words)),  # noqa: S308
            others=[d for d in selectors.decisions_visible_to(item=item, user=request.user, roles=review.user_roles,
                                                              cfg=cfg)
                    if d.reviewer_id != request.user.pk],
            frozen_reason=rules.decision_change_refusal(item=item),
            duplicate_pair=selectors.screened_duplicate_pair(record=record),
            fulltext=getattr(record, "fulltext", None) if stage == ScreeningStage.FULL_TEXT else None,
            fulltext_form=FullTextForm() if stage == ScreeningStage.FULL_TEXT else None,
            values=[(v, Decision.Value(v).label) for v in services.decisions_values(stage)],
        )
    return render(request, "screening/screen.html", context)


@review_page(POST="edit_review")
def priority_switch(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    on = request.POST.get("on") == "1"
    services.screening_settings_update(actor=request.user, review=review, prioritise=on)
    messages.success(request, "Priority screening is on: the ranking is being trained in the background."
                     if on else "Priority screening is off: records come in import order.")
    return redirect("screening_home", review.pk)


@review_page(POST="edit_review")
def screening_stop(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    form = StopForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the target recall and the confidence as percentages between 50 and 99.9.")
        return redirect("screening_home", review.pk)
    try:
        decision = services.screening_stop(actor=request.user, review=review, rule=form.cleaned_data["rule"],
                                           target=form.cleaned_data["target"] / 100,
                                           confidence=form.cleaned_data["confidence"] / 100)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        marked = decision.marked_excluded
        messages.success(request, f"Screening stopped: {marked} {ngettext('record', 'records', marked)} marked as "
                                  "excluded by automation, with the rule and its figures recorded.")
    return redirect("screening_home", review.pk)


@review_page(POST="screen")
def screen_undo(request: HttpRequest, review_id: int, stage: str) -> HttpResponse:
    stage = _stage_or_404(stage)
    review = request.review
    try:
        item = services.decision_undo(actor=request.user, review=review, stage=stage)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("screen", review.pk, stage)
    messages.success(request, "Your last decision was taken back.")
    return redirect(f"{reverse('screen', args=[review.pk, stage])}?item={item.pk}")


@review_page(GET="screen")
def my_decisions(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    filters = {k: request.GET.get(k, "") for k in ("stage", "value", "status")}
    decisions = selectors.my_decisions(review=review, user=request.user, **filters)
    page = Paginator(decisions, 50).get_page(request.GET.get("page"))
    for decision in page:
        decision.frozen_reason = rules.decision_change_refusal(item=decision.item)
    return render(request, "screening/my_decisions.html", review_page_context(
        review, page=page, filters=filters, query=query_without_page(request), stages=ScreeningStage.choices,
        values=Decision.Value.choices, statuses=ScreeningItem.Status.choices))


@review_page(GET=rules.RESOLVES_CONFLICTS)
def conflict_list(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    stage = request.GET.get("stage", "")
    page = Paginator(selectors.conflicts(review=review, user=request.user, roles=review.user_roles,
                                         stage=stage if stage in STAGES else ""), 50).get_page(request.GET.get("page"))
    return render(request, "screening/conflicts.html", review_page_context(
        review, page=page, stage=stage, stages=ScreeningStage.choices, query=query_without_page(request)))


@review_page(GET=rules.RESOLVES_CONFLICTS, POST=rules.RESOLVES_CONFLICTS)
def conflict_resolve(request: HttpRequest, review_id: int, item_id: int) -> HttpResponse:
    review = request.review
    cfg = selectors.screening_settings_get(review=review)
    item = selectors.screening_item_get(review=review, item_id=item_id)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_resolve(actor=request.user, review=review, item_id=item.pk, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Conflict on record #{item.record_id} resolved.")
            following = selectors.conflicts(review=review, user=request.user, roles=review.user_roles).first()
            return redirect("conflict_resolve", review.pk, following.pk) if following else redirect(
                "conflict_list", review.pk)
    refusal = rules.conflict_resolve_refusal(user=request.user, roles=review.user_roles, item=item, cfg=cfg)
    return render(request, "screening/conflict_resolve.html", review_page_context(
        review, item=item, record=item.record, form=form, cfg=cfg, refusal=refusal,
        fulltext=getattr(item.record, "fulltext", None) if item.stage == ScreeningStage.FULL_TEXT else None,
        decisions=selectors.decisions_visible_to(item=item, user=request.user, roles=review.user_roles, cfg=cfg),
        values=[(v, Decision.Value(v).label) for v in services.decisions_values(item.stage)]))


@review_page(GET="resolve_conflicts")
def decisions_log(request: HttpRequest, review_id: int) -> HttpResponse:
    """Who screened what and when (for leads). Values stay hidden while blind screening hides them."""
    review = request.review
    cfg = selectors.screening_settings_get(review=review)
    reviewer_id = int(request.GET["reviewer"]) if request.GET.get("reviewer", "").isdigit() else None
    stage = request.GET.get("stage", "")
    decisions = selectors.decisions_log(review=review, stage=stage if stage in STAGES else "",
                                        reviewer_id=reviewer_id)
    page = Paginator(decisions, 100).get_page(request.GET.get("page"))
    for decision in page:
        decision.hidden = not selectors.decision_value_visible(decision=decision, user=request.user,
                                                               roles=review.user_roles, cfg=cfg)
    screeners = get_user_model().objects.filter(review_memberships__review=review).distinct().order_by("username")
    return render(request, "screening/decisions_log.html", review_page_context(
        review, page=page, cfg=cfg, screeners=screeners, reviewer_id=reviewer_id, stage=stage,
        stages=ScreeningStage.choices, query=query_without_page(request),
        counts=selectors.decisions_per_reviewer(review=review)))


@review_page(GET="resolve_conflicts")
def team(request: HttpRequest, review_id: int) -> HttpResponse:
    """The lead's team view: who has done what at each stage and how fast, to balance the work."""
    review = request.review
    return render(request, "screening/team.html", review_page_context(
        review, rows=selectors.team_view(review=review), break_minutes=pace.BREAK_SECONDS // 60))


@review_page(POST="resolve_conflicts")
def claims_release(request: HttpRequest, review_id: int, user_id: int) -> HttpResponse:
    review = request.review
    person = get_object_or_404(get_user_model(), pk=user_id)
    count = services.claims_release(actor=request.user, review=review, reviewer=person)
    messages.success(request, f"{count} {ngettext('record', 'records', count)} held by {person.get_username()} "
                              "released to the other screeners.")
    return redirect("decisions_log", review.pk)


@review_page(GET="resolve_conflicts")
def agreement(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    return render(request, "screening/agreement.html", review_page_context(
        review, rows=selectors.agreement_table(review=review), stages=STAGES,
        kappa_ci_level=KAPPA_CI_LEVEL, kappa_ci_method=KAPPA_CI_METHOD))


@review_page(GET="view", POST="edit_review")
def screening_settings(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    instance = selectors.screening_settings_get(review=review)
    form = ScreeningSettingsForm(request.POST or None, instance=instance,
                                 screeners=rules.conflict_resolver_candidates(review=review))
    if request.method == "POST" and form.is_valid():
        try:
            services.screening_settings_update(actor=request.user, review=review, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.extra.get("field"), exc.message)
        else:
            messages.success(request, "Screening settings saved.")
            return redirect("screening_home", review.pk)
    return render(request, "screening/screening_settings.html", review_page_context(
        review, form=form if can(roles=review.user_roles, capability="edit_review") else None, cfg=instance))


def _record_of(review, record_id: int) -> Record:
    return get_object_or_404(Record, pk=record_id, review=review)


@body_limit(FULL_TEXT)
@review_page(GET="view", POST="screen")
@xframe_options_sameorigin
@csp_exempt()  # a PDF, framed by the screening page: X-Frame-Options SAMEORIGIN governs it
def fulltext(request: HttpRequest, review_id: int, record_id: int) -> HttpResponse:
    """GET: the PDF, shown inline beside the decision buttons. POST: upload or replace it."""
    review = request.review
    record = _record_of(review, record_id)
    if request.method == "POST":
        form = FullTextForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.fulltext_upload(actor=request.user, record=record, upload=form.cleaned_data["file"])
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Full text uploaded.")
        else:
            messages.error(request, "Choose a PDF file to upload.")
        item = ScreeningItem.objects.filter(record=record, stage=ScreeningStage.FULL_TEXT).first()
        target = f"{reverse('screen', args=[review.pk, 'ft'])}?item={item.pk}" if item else reverse(
            "record_detail", args=[review.pk, record.pk])
        return redirect(target)
    stored = getattr(record, "fulltext", None)
    if stored is None:
        raise Http404("This record has no full text yet.")
    response = FileResponse(stored.file.open("rb"), content_type="application/pdf")
    # Shown in the page's frame unless asked for as a download; either way under the uploaded name.
    response["Content-Disposition"] = content_disposition(stored.original_name, fallback=f"record-{record.number}.pdf",
                                                          inline=not request.GET.get("download"))
    return response


@review_page(POST="screen")
def record_mend(request: HttpRequest, review_id: int, record_id: int) -> HttpResponse:
    review = request.review
    record = _record_of(review, record_id)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.record_correct(actor=request.user, record=record, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"The {form.cleaned_data['field']} was mended; the original is kept.")
    else:
        messages.error(request, "Give the mended text.")
    return redirect(next_url(request, fallback=reverse("record_detail", args=[review.pk, record.pk])))


@review_page(GET="view")
def study_list(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    return render(request, "screening/studies.html", review_page_context(
        review, studies=selectors.studies_list(review=review)))


@review_page(GET="view", POST="edit_review")
def study_detail(request: HttpRequest, review_id: int, study_id: int) -> HttpResponse:
    review = request.review
    study = selectors.study_get(review=review, study_id=study_id)
    form = StudyLinkForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("label"):
            try:
                services.study_rename(actor=request.user, study=study, label=request.POST["label"])
            except ApplicationError as exc:
                messages.error(request, exc.message)
            return redirect("study_detail", review.pk, study.pk)
        if form.is_valid():
            record = Record.objects.filter(pk=form.cleaned_data["record"], review=review).first()
            if record is None:
                form.add_error("record", "No record with that number in this review.")
            else:
                try:
                    services.study_link_report(actor=request.user, record=record, study=study)
                except ApplicationError as exc:
                    form.add_error("record", exc.message)
                else:
                    messages.success(request, f"Record #{record.pk} is now a report of {study.label}.")
                    return redirect("study_detail", review.pk, study.pk)
    return render(request, "screening/study_detail.html", review_page_context(
        review, study=study, reports=study.reports.select_related("search").order_by("year", "id"),
        form=form if can(roles=review.user_roles, capability="edit_review") else None))
