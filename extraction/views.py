"""Pages of extraction: the studies and their status, the form builder, the entry form with
autosave, the comparison with settlement, the study page and the exports. Each view: access
check, one service or selector, render."""
from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reviewapp.exceptions import ApplicationError
from reviewapp.page_access import review_page
from reviewapp.pages import review_page_context
from reviewapp.permissions import can
from reviewapp.selectors import outcome_directions

from . import definition as defs
from . import double_entry, exports, rendering, rules, selectors, services
from .forms import FieldForm, PublishForm, SectionForm, SettlerForm, TemplateCreateForm
from .models import Extraction, FormTemplate

Status = Extraction.Status


@review_page(GET="view")
def extraction_home(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    template = selectors.extraction_template(review=review)
    rows = selectors.study_rows(review=review, template=template, user=request.user)
    status = request.GET.get("status", "")
    shown = [r for r in rows if r.status == status] if status in Status.values else rows
    counts = {value: sum(1 for r in rows if r.status == value) for value in Status.values}
    unknown = (selectors.unknown_outcome_names(review=review)
               if can(roles=review.user_roles, capability="build_forms") else [])
    roles = review.user_roles
    return render(request, "extraction/home.html", review_page_context(
        review, template=template, rows=shown, entries_per_study=rules.ENTRIES_PER_STUDY,
        comparable={r.extraction.pk for r in shown if r.extraction and rules.may_see_comparison(
            user=request.user, roles=roles, extraction=r.extraction)},
        settles={r.extraction.pk for r in shown if r.extraction and rules.may_settle(
            user=request.user, roles=roles, extraction=r.extraction)},
        all_rows=len(rows), status=status,
        statuses=[(value, label, counts[value]) for value, label in Status.choices], unknown_outcomes=unknown))


# -- form builder ------------------------------------------------------------------

@review_page(GET="view", POST="build_forms")
def form_list(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    form = TemplateCreateForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "builtin":
                template = services.template_create_builtin(actor=request.user, review=review)
                messages.success(request, "The built-in form is ready (version 1 published).")
                return redirect("form_builder", review.pk, template.pk)
            if form.is_valid():
                template = services.template_create(actor=request.user, review=review, name=form.cleaned_data["name"])
                return redirect("form_builder", review.pk, template.pk)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    return render(request, "extraction/form_list.html", review_page_context(
        review, templates=selectors.templates_list(review=review, kind=FormTemplate.Kind.EXTRACTION), form=form))


@review_page(GET="view", POST="build_forms")
def form_builder(request: HttpRequest, review_id: int, template_id: int) -> HttpResponse:
    review = request.review
    template = selectors.template_get(review=review, template_id=template_id)
    people = rules.settler_candidates(review=review)
    publish_form = PublishForm(request.POST or None)
    settler_form = SettlerForm(request.POST if request.POST.get("action") == "settler" else None,
                               people=people, initial={"settler": template.settler_id})
    if request.method == "POST":
        action = request.POST.get("action", "")
        section, field = request.POST.get("section", ""), request.POST.get("field") or None
        try:
            if action == "publish" and publish_form.is_valid():
                version = services.version_publish(actor=request.user, template=template, **publish_form.cleaned_data)
                messages.success(request, f"Version {version.number} published; every entry now uses it.")
            elif action == "discard":
                services.draft_discard(actor=request.user, template=template)
            elif action == "settler" and settler_form.is_valid():
                services.template_settler_set(actor=request.user, template=template,
                                              settler=settler_form.cleaned_data["settler"])
                messages.success(request, "Saved who may settle differences.")
            elif action == "outcome_data":
                services.draft_outcome_data_add(actor=request.user, template=template)
            elif action in ("up", "down"):
                services.draft_item_move(actor=request.user, template=template, section_key=section,
                                         field_key=field, up=action == "up")
            elif action == "delete":
                services.draft_item_delete(actor=request.user, template=template, section_key=section,
                                           field_key=field)
            return redirect("form_builder", review.pk, template.pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("form_builder", review.pk, template.pk)
    current = template.current_version
    return render(request, "extraction/form_builder.html", review_page_context(
        review, template=template, draft=template.draft, current=current,
        changed=current is None or current.definition != template.draft,
        versions=template.versions.order_by("-number"), types=defs.FIELD_TYPES,
        publish_form=publish_form, settler_form=settler_form))


@review_page(GET="build_forms", POST="build_forms")
def form_section(request: HttpRequest, review_id: int, template_id: int, section_key: str = "") -> HttpResponse:
    review = request.review
    template = selectors.template_get(review=review, template_id=template_id)
    existing = next((s for s in defs.sections(template.draft) if s["key"] == section_key), None)
    if section_key and existing is None:
        raise Http404("No such section.")
    form = SectionForm(request.POST or None, initial=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_section_save(actor=request.user, template=template, section_key=section_key or None,
                                        **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("form_builder", review.pk, template.pk)
    return render(request, "extraction/section_form.html", review_page_context(
        review, template=template, form=form, section=existing))


@review_page(GET="build_forms", POST="build_forms")
def form_field(request: HttpRequest, review_id: int, template_id: int, section_key: str,
               field_key: str = "") -> HttpResponse:
    review = request.review
    template = selectors.template_get(review=review, template_id=template_id)
    section = next((s for s in defs.sections(template.draft) if s["key"] == section_key), None)
    existing = next((f for f in section["fields"] if f["key"] == field_key), None) if section else None
    if section is None or (field_key and existing is None):
        raise Http404("No such field.")
    form = FieldForm(request.POST or None, initial=FieldForm.initial_from(existing) if existing else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_field_save(actor=request.user, template=template, section_key=section_key,
                                      field_key=field_key or None, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("form_builder", review.pk, template.pk)
    return render(request, "extraction/field_form.html", review_page_context(
        review, template=template, form=form, section=section, field=existing))


# -- entering data ----------------------------------------------------------------

def _directions(review) -> dict[str, bool]:
    return outcome_directions(review=review)


@review_page(GET="extract", POST="extract")
def entry_form(request: HttpRequest, review_id: int, template_id: int, study_id: int) -> HttpResponse:
    review = request.review
    template = selectors.template_get(review=review, template_id=template_id)
    study = selectors.study_get(review=review, study_id=study_id)
    refused = None
    if request.method == "POST":
        posted = double_entry.entry_post_response(
            request, template=template, study=study,
            save=partial(services.entry_save, actor=request.user, template=template, study=study),
            here=reverse("entry_form", args=[review.pk, template.pk, study.pk]),
            back=reverse("extraction_study", args=[review.pk, study.pk]),
            nothing_to_reopen="You have no finished entry to reopen.", saved="Saved.")
        if isinstance(posted, HttpResponse):
            return posted
        refused = posted
    extraction = selectors.extraction_get(template=template, study=study)
    form = double_entry.entry_form(request, extraction=extraction, new_version=template.current_version,
                                   refused=refused)
    if form is None:
        messages.error(request, "The form has not been published yet.")
        return redirect("extraction_home", review.pk)
    effects = None
    if form.entry is not None and not form.refused and not form.restored:
        effects = rendering.row_effects(form.version.definition, form.entry.answers, _directions(review))
    outcome_names = services.entries.outcome_names(review)
    return render(request, "extraction/entry_form.html", review_page_context(
        review, template=template, study=study, **form.context(request, review),
        sections=rendering.form_view(form.version.definition, form.values, form.errors, outcome_names, effects),
        retired=(form.entry.retired if form.entry else {}), countries=defs.countries()))


@review_page(POST="extract")
def entry_autosave(request: HttpRequest, review_id: int, template_id: int, study_id: int) -> JsonResponse:
    review = request.review
    template = selectors.template_get(review=review, template_id=template_id)
    study = selectors.study_get(review=review, study_id=study_id)
    try:
        entry = services.entry_autosave(actor=request.user, template=template, study=study, data=request.POST)
    except ApplicationError as exc:
        return JsonResponse({"saved": False, "message": exc.message}, status=409)
    return JsonResponse({"saved": True, "at": entry.updated_at.isoformat()})


# -- comparison and consensus ------------------------------------------------------

def _compare_refusal(*, request, review, template_id: int, study_id: int, **_) -> str | None:
    template = selectors.template_get(review=review, template_id=template_id)
    study = selectors.study_get(review=review, study_id=study_id)
    extraction = selectors.extraction_get(template=template, study=study)
    return double_entry.consensus_page_refusal(request, review, extraction)


@review_page(GET="view", POST="view", obj=_compare_refusal)
def compare(request: HttpRequest, review_id: int, template_id: int, study_id: int) -> HttpResponse:
    review = request.review
    template = selectors.template_get(review=review, template_id=template_id)
    study = selectors.study_get(review=review, study_id=study_id)
    extraction = selectors.extraction_get(template=template, study=study)
    refusal = rules.comparison_refusal(user=request.user, roles=review.user_roles, extraction=extraction)
    may_settle = double_entry.may_settle_here(request, review, extraction)
    if refusal and request.method != "POST":
        return render(request, "extraction/compare_waiting.html", review_page_context(
            review, template=template, study=study, extraction=extraction, reason=refusal))
    if request.method == "POST":
        double_entry.consensus_post(request, extraction,
                                    finalised=f"The consensus of {study.label} is final: it is the study's data now.")
        return redirect("compare", review.pk, template.pk, study.pk)
    entries, rows = selectors.comparison(extraction=extraction)
    open_count = sum(1 for r in rows if r.differs and not r.is_settled)
    return render(request, "extraction/compare.html", review_page_context(
        review, template=template, study=study, extraction=extraction, entries=entries, rows=rows,
        differences=sum(r.differs for r in rows), open_count=open_count, may_settle=may_settle,
        only_differences=request.GET.get("only") == "differences"))


@review_page(GET="view")
def study_page(request: HttpRequest, review_id: int, study_id: int) -> HttpResponse:
    review = request.review
    study = selectors.study_get(review=review, study_id=study_id)
    template = selectors.extraction_template(review=review)
    extraction = selectors.extraction_get(template=template, study=study) if template else None
    data = None
    if extraction is not None and extraction.status == Status.DONE:
        data = rendering.form_view(extraction.version.definition,
                                   defs.answers_as_post(extraction.version.definition, extraction.consensus),
                                   {}, services.entries.outcome_names(review), with_blank=False)
    return render(request, "extraction/study.html", review_page_context(
        review, study=study, template=template, extraction=extraction, data=data,
        entries=list(extraction.entries.select_related("user")) if extraction else [],
        mine=selectors.entry_of(extraction=extraction, user=request.user),
        effects=selectors.effects_of(review=review, answers=extraction.consensus if extraction else None),
        retired=extraction.retired if extraction else {},
        may_settle=extraction is not None and rules.may_settle(user=request.user, roles=review.user_roles,
                                                               extraction=extraction),
        may_compare=extraction is not None and rules.may_see_comparison(user=request.user, roles=review.user_roles,
                                                                        extraction=extraction),
        may_start=template is not None and rules.new_entry_refusal(user=request.user, extraction=extraction) is None))


@review_page(GET="export_records")
def export(request: HttpRequest, review_id: int, shape: str, fmt: str) -> HttpResponse:
    review = request.review
    template = selectors.extraction_template(review=review)
    if template is None or shape not in ("wide", "long") or fmt not in exports.CONTENT_TYPES:
        raise Http404("Nothing to export.")
    frame = (exports.wide_frame if shape == "wide" else exports.long_frame)(template=template)
    body = exports.write_table(frame, fmt, sheet=f"extraction {shape}")
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="extraction-{shape}-review{review.pk}.{fmt}"'
    return response

