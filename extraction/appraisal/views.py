"""Pages of appraisal: the review's tools and appraisals, a study's appraisals, the appraiser's form
(blind to the other appraiser), the comparison where a lead or the named third person settles, the
figures and the CSV. Each view: access check, one service or selector, render."""
from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from reviewapp.exceptions import ApplicationError
from reviewapp.figures import figure_response
from reviewapp.page_access import require, review_page
from reviewapp.pages import review_page_context
from reviewapp.tabular import csv_text

from .. import double_entry, entry_post, rendering, rules
from .. import selectors as extraction_selectors
from .. import services as extraction_services
from ..models import AppraisalTool, Extraction
from . import figures, judgements, selectors, services, tools
from .forms import CustomToolForm, StartForm

Status = Extraction.Status


def _entry_url(review_id: int, template_id: int, study_id: int, target: str, name: str = "appraisal_entry") -> str:
    url = reverse(name, args=[review_id, template_id, study_id])
    return url + ("?" + urlencode({"target": target}) if target else "")


@review_page(GET="view", POST="build_forms")
def appraisal_home(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    if request.method == "POST":
        try:
            if request.POST.get("action") == "add":
                tool = AppraisalTool.objects.filter(pk=request.POST.get("tool") or 0).first()
                if tool is None:
                    raise ApplicationError("Choose a tool to add.")
                services.tool_form_add(actor=request.user, review=review, tool=tool)
                messages.success(request, f"{tool.name} added to the review.")
            elif request.POST.get("action") == "settler":
                raw = request.POST.get("template", "")
                template_id = int(raw) if raw.isdigit() else 0
                template = selectors.tool_template_get(review=review, template_id=template_id)
                settler = rules.settler_candidates(review=review).filter(pk=request.POST.get("settler") or 0).first()
                extraction_services.template_settler_set(actor=request.user, template=template, settler=settler)
                messages.success(request, "Saved who settles the appraisals of this tool.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("appraisal_home", review.pk)
    status = request.GET.get("status", "")
    rows = selectors.appraisal_rows(review=review, user=request.user)
    templates = selectors.tool_templates(review=review)
    added = {t.tool_id for t in templates}
    people = rules.settler_candidates(review=review)
    return render(request, "extraction/appraisal/home.html", review_page_context(
        review, templates=templates, rows=[r for r in rows if not status or r.extraction.status == status],
        entries_per_study=rules.ENTRIES_PER_STUDY,
        all_rows=len(rows), status=status, people=people, studies=selectors.study_overview(review=review),
        statuses=[(v, label, sum(1 for r in rows if r.extraction.status == v)) for v, label in Status.choices
                  if v != Status.NOT_STARTED],
        addable=[t for t in selectors.builtin_tools() if t.pk not in added]))


@review_page(GET="build_forms", POST="build_forms")
def custom_tool(request: HttpRequest, review_id: int, template_id: int | None = None) -> HttpResponse:
    review = request.review
    template = selectors.tool_template_get(review=review, template_id=template_id) if template_id else None
    initial = None
    if template is not None:
        tool = selectors.tool_definition(template)
        if not tool.get("custom") or template.tool_id:
            raise Http404("Only custom tools are edited here.")
        initial = {"name": template.name, "level": tool["level"], "answers": "\n".join(tool["answers"]),
                   "scale": "\n".join(tool["scale"]), "high_risk_from": tool.get("high_risk_from", ""),
                   "no_information": tool.get("no_information", ""),
                   "domains_text": services.domains_as_text(tool)}
    form = CustomToolForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.custom_tool_save(actor=request.user, review=review, template=template, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{saved.name}: version {saved.current_version.number} published.")
            return redirect("appraisal_home", review.pk)
    return render(request, "extraction/appraisal/custom_tool.html", review_page_context(
        review, form=form, template=template))


@review_page(GET="view")
def appraisal_study(request: HttpRequest, review_id: int, study_id: int) -> HttpResponse:
    review = request.review
    study = extraction_selectors.study_get(review=review, study_id=study_id)
    templates = selectors.tool_templates(review=review)
    outcomes = list(review.outcomes.values_list("name", flat=True))
    design = selectors.study_design(review=review, study=study)
    suggested = next((t.pk for t in templates if t.tool and t.tool.slug == tools.TOOL_BY_DESIGN.get(design)), None)
    form = StartForm(request.GET if "template" in request.GET else None, templates=templates, outcomes=outcomes,
                     effects=list(tools.EFFECTS.items()), initial={"template": suggested, "effect": "assignment"})
    if form.is_bound and form.is_valid():
        require(request, "extract")  # starting an appraisal (the page itself is for every member)
        template = selectors.tool_template_get(review=review, template_id=form.cleaned_data["template"])
        tool = selectors.tool_definition(template)
        target = ""
        if tool.get("level") == "result":
            effect = form.cleaned_data["effect"] if tool.get("effects") else ""
            target = tools.target_make(form.cleaned_data["outcome"], effect)
        try:
            services.check_target(template=template, target=target)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(_entry_url(review.pk, template.pk, study.pk, target))
    rows = [r for r in selectors.appraisal_rows(review=review, user=request.user) if r.extraction.study_id == study.pk]
    return render(request, "extraction/appraisal/study.html", review_page_context(
        review, study=study, rows=rows, form=form, templates=templates, design=design,
        comparable={r.extraction.pk for r in rows if rules.may_see_comparison(
            user=request.user, roles=review.user_roles, extraction=r.extraction)},
        settles={r.extraction.pk for r in rows if rules.may_settle(
            user=request.user, roles=review.user_roles, extraction=r.extraction)}))


def _domain_views(definition: dict, values: dict, errors: dict, answers: dict, target: str) -> tuple[list, object]:
    """What the appraisal form draws per applicable domain: each question with its answer and
    support inputs, the saved proposal, and the judgement and reason inputs."""
    tool = tools.tool_of(definition)
    by_key = {f.key: f for section in rendering.form_view(definition, values, errors, []) for f in section.fields}
    evaluated, overall = judgements.evaluate(definition, answers, target)
    out = []
    for domain, judged in zip(tools.domains_for(tool, target), evaluated, strict=True):
        out.append({"key": domain["key"], "title": f"{domain.get('short', '')} {domain['title']}".strip(),
                    "questions": [(q, by_key[q["key"]], by_key[f"{q['key']}_note"]) for q in domain["questions"]],
                    "judged": judged, "judgement": by_key[f"{domain['key']}_judgement"],
                    "reason": by_key[f"{domain['key']}_reason"]})
    overall_view = {"key": "overall", "title": "Overall", "judged": overall,
                    "judgement": by_key["overall_judgement"], "reason": by_key["overall_reason"]}
    return out, overall_view


@review_page(GET="extract", POST="extract")
def appraisal_entry(request: HttpRequest, review_id: int, template_id: int, study_id: int) -> HttpResponse:
    review = request.review
    template = selectors.tool_template_get(review=review, template_id=template_id)
    study = extraction_selectors.study_get(review=review, study_id=study_id)
    target = request.GET.get("target", "")
    refused = None
    if request.method == "POST":
        posted = double_entry.entry_post_response(
            request, template=template, study=study, target=target,
            save=partial(services.appraisal_save, actor=request.user, template=template, study=study, target=target),
            here=_entry_url(review.pk, template.pk, study.pk, target),
            back=reverse("appraisal_study", args=[review.pk, study.pk]),
            nothing_to_reopen="You have no finished appraisal to reopen.",
            saved="Saved; the proposals below follow from your answers.")
        if isinstance(posted, HttpResponse):
            return posted
        refused = posted
    try:
        services.check_target(template=template, target=target)
    except ApplicationError as exc:
        raise Http404(exc.message) from None
    extraction = selectors.appraisal_get(template=template, study=study, target=target)
    # The version the answers will be saved under: an appraisal keeps the tool version it began with,
    # so a second appraiser joining after a new version fills the same questions as the first.
    form = double_entry.entry_form(request, extraction=extraction, refused=refused,
                                   new_version=extraction.version if extraction else template.current_version)
    if form is None:  # check_target has made sure the tool is published
        raise Http404("This is not a published appraisal tool.")
    answers = form.entry.answers if form.entry else {}
    domains, overall = _domain_views(form.version.definition, form.values, form.errors, answers, target)
    tool = tools.tool_of(form.version.definition)
    return render(request, "extraction/appraisal/entry.html", review_page_context(
        review, template=template, study=study, **form.context(request, review), tool=tool,
        target=target, target_label=tools.target_label(target), domains=domains, overall=overall,
        answer_labels=tool.get("answer_labels") or {},
        autosave_url=_entry_url(review.pk, template.pk, study.pk, target, "appraisal_autosave"),
        compare_url=_entry_url(review.pk, template.pk, study.pk, target, "appraisal_compare")))


@review_page(POST="extract")
def appraisal_autosave(request: HttpRequest, review_id: int, template_id: int, study_id: int) -> JsonResponse:
    review = request.review
    template = selectors.tool_template_get(review=review, template_id=template_id)
    study = extraction_selectors.study_get(review=review, study_id=study_id)
    target = request.GET.get("target", "")
    try:
        entry = services.appraisal_autosave(actor=request.user, template=template, study=study, target=target,
                                            data=request.POST)
    except ApplicationError as exc:
        return JsonResponse({"saved": False, "message": exc.message}, status=409)
    # The proposals the typed answers give, so the page shows them before anything is saved.
    return JsonResponse({"saved": True, "at": entry.updated_at.isoformat(),
                         "proposals": selectors.draft_proposals(
                             definition=entry.version.definition, target=target,
                             answers=entry_post.answers_from_post(entry.version.definition, request.POST).answers)})


def _compare_refusal(*, request, review, template_id: int, study_id: int, **_) -> str | None:
    template = selectors.tool_template_get(review=review, template_id=template_id)
    study = extraction_selectors.study_get(review=review, study_id=study_id)
    extraction = selectors.appraisal_get(template=template, study=study, target=request.GET.get("target", ""))
    return double_entry.consensus_page_refusal(request, review, extraction)


@review_page(GET="view", POST="view", obj=_compare_refusal)
def appraisal_compare(request: HttpRequest, review_id: int, template_id: int, study_id: int) -> HttpResponse:
    review = request.review
    template = selectors.tool_template_get(review=review, template_id=template_id)
    study = extraction_selectors.study_get(review=review, study_id=study_id)
    target = request.GET.get("target", "")
    here = _entry_url(review.pk, template.pk, study.pk, target, "appraisal_compare")
    extraction = selectors.appraisal_get(template=template, study=study, target=target)
    refusal = rules.comparison_refusal(user=request.user, roles=review.user_roles, extraction=extraction)
    may_settle = double_entry.may_settle_here(request, review, extraction)
    if refusal and request.method != "POST":
        return render(request, "extraction/appraisal/compare_waiting.html", review_page_context(
            review, template=template, study=study, extraction=extraction, target_label=tools.target_label(target),
            reason=refusal))
    if request.method == "POST":
        double_entry.consensus_post(request, extraction,
                                    finalised=f"The consensus appraisal of {study.label} is final.")
        return redirect(here)
    consensus, open_paths = (extraction.consensus, []) if extraction.status == Status.DONE else \
        extraction_services.consensus_answers(extraction)
    entries, domains = selectors.comparison(extraction=extraction, consensus=consensus)
    still_needed = [] if open_paths else judgements.problems(extraction.version.definition, consensus,
                                                              extraction.target)
    return render(request, "extraction/appraisal/compare.html", review_page_context(
        review, template=template, study=study, extraction=extraction, entries=entries, domains=domains,
        open_count=len(open_paths), may_settle=may_settle, target_label=tools.target_label(target),
        still_needed=still_needed, figures_url=reverse("appraisal_figures", args=[review.pk, template.pk])))


@review_page(GET="view")
def appraisal_figures(request: HttpRequest, review_id: int, template_id: int) -> HttpResponse:
    review = request.review
    template = selectors.tool_template_get(review=review, template_id=template_id)
    outcome = request.GET.get("outcome", "")
    tool = selectors.tool_definition(template)
    query = urlencode({k: v for k, v in (("outcome", outcome), ("weighted", request.GET.get("weighted", ""))) if v})
    rows, *_ = selectors.figure_data(template=template, outcome=outcome or None)
    return render(request, "extraction/appraisal/figures.html", review_page_context(
        review, template=template, tool=tool, outcome=outcome, query=query, count=len(rows),
        weighted=request.GET.get("weighted") == "1",
        outcomes=list(review.outcomes.values_list("name", flat=True)) if tool.get("level") == "result" else []))


@review_page(GET="view")
def appraisal_figure(request: HttpRequest, review_id: int, template_id: int, kind: str, fmt: str) -> HttpResponse:
    review = request.review
    template = selectors.tool_template_get(review=review, template_id=template_id)
    if kind not in ("traffic-light", "summary") or fmt not in ("svg", "png"):
        raise Http404("No such figure.")
    rows, columns, scale, title = selectors.figure_data(template=template,
                                                        outcome=request.GET.get("outcome") or None)
    if kind == "traffic-light":
        svg = figures.traffic_light_svg(rows=rows, columns=columns, scale=scale, title=title)
    else:
        svg = figures.summary_svg(rows=rows, columns=columns, scale=scale, title=title,
                                  weighted=request.GET.get("weighted") == "1")
    if request.GET.get("inline") == "1" and fmt == "svg":
        return HttpResponse(svg, content_type="image/svg+xml")
    return figure_response(svg, fmt, f"{kind}-{template.pk}-review{review.pk}")


@review_page(GET="export_records")
def appraisal_export(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    rows = [selectors.CSV_COLUMNS, *([row.get(k, "") for k in selectors.CSV_COLUMNS]
                                     for row in selectors.table_rows(review=review))]
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="risk-of-bias-review{review.pk}.csv"'
    return response
