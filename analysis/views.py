"""Pages of the analysis app: the analyses of a review, one analysis with its runs and results,
the run's live status, plots and the reproducible folder. Each view: access check, one service
or selector, render. Everyone in the review reads; only leads define and run."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext

from reviewapp.exceptions import ApplicationError
from reviewapp.figures import figure_response
from reviewapp.page_access import review_page
from reviewapp.pages import review_page_context
from reviewapp.svg_markup import svg_markup

from . import reproduce, selectors, services
from .codegen import NotALiteral
from .compute import PLOTS
from .forms import AnalysisForm
from .models import AnalysisRun
from .run_compare import comparable_runs, compare_runs, previous_done


@review_page(GET="view")
def analysis_list(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    overviews = selectors.analyses_overviews(review=review)
    return render(request, "analysis/list.html", review_page_context(
        review, overviews=overviews, has_outcomes=review.outcomes.exists()))


def _form_page(request, review, analysis=None):
    form = AnalysisForm(request.POST or None, instance=analysis, review=review,
                        study_fields=selectors.study_fields(review=review))
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items()}
        outcome = fields.pop("outcome")
        try:
            if analysis is None:
                analysis = services.analysis_create(actor=request.user, review=review, outcome=outcome, **fields)
                messages.success(request, f"Analysis “{analysis.name}” defined; run it when ready.")
            else:
                analysis = services.analysis_update(actor=request.user, analysis=analysis, outcome=outcome, **fields)
                messages.success(request, "Saved; the last run is now marked stale if the change affects it.")
            return redirect("analysis_detail", review.pk, analysis.pk)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    return render(request, "analysis/form.html", review_page_context(
        review, form=form, analysis=analysis, design_rows=selectors.study_designs(review=review)))


@review_page(GET="run_analyses", POST="run_analyses")
def analysis_new(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    return _form_page(request, review)


@review_page(GET="run_analyses", POST="run_analyses")
def analysis_edit(request: HttpRequest, review_id: int, analysis_id: int) -> HttpResponse:
    review = request.review
    return _form_page(request, review, selectors.analysis_get(review=review, analysis_id=analysis_id))


@review_page(POST="run_analyses")
def analyses_defaults(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    made = services.analyses_create_defaults(actor=request.user, review=review)
    messages.success(request, f"{len(made)} {ngettext('analysis', 'analyses', len(made))} defined with the "
                              "default settings (random effects, REML; controlled designs only).")
    return redirect("analysis_list", review.pk)


@review_page(POST="run_analyses")
def analyses_run_all(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    runs = services.analyses_run_all(actor=request.user, review=review)
    messages.success(request, f"{len(runs)} {ngettext('run', 'runs', len(runs))} queued.")
    return redirect("analysis_list", review.pk)


@review_page(POST="run_analyses")
def analysis_run(request: HttpRequest, review_id: int, analysis_id: int) -> HttpResponse:
    review = request.review
    analysis = selectors.analysis_get(review=review, analysis_id=analysis_id)
    services.analysis_run_request(actor=request.user, analysis=analysis)
    return redirect("analysis_detail", review.pk, analysis.pk)


@review_page(POST="run_analyses")
def run_cancel(request: HttpRequest, review_id: int, run_id: int) -> HttpResponse:
    """Stop a run that has not ended (a result the worker still brings is not kept)."""
    run = selectors.run_get(review=request.review, run_id=run_id)
    try:
        services.analysis_run_cancel(actor=request.user, run=run)
        messages.success(request, f"Run {run.number} cancelled.")
    except ApplicationError as exc:
        messages.error(request, str(exc))
    return redirect("analysis_run_detail", request.review.pk, run.pk)


@review_page(POST="run_analyses")
def run_again(request: HttpRequest, review_id: int, run_id: int) -> HttpResponse:
    """Queue a failed or cancelled run again, with the data as they are now."""
    run = selectors.run_get(review=request.review, run_id=run_id)
    try:
        services.analysis_run_again(actor=request.user, run=run)
        messages.success(request, f"Run {run.number} queued again.")
    except ApplicationError as exc:
        messages.error(request, str(exc))
    return redirect("analysis_detail", request.review.pk, run.analysis_id)


def _detail(request, review, analysis, run: AnalysisRun | None):
    overview = selectors.analysis_overview(analysis=analysis)
    shown = run or overview.latest_done
    design_rows = selectors.study_designs(review=review)
    runs = list(selectors.runs_of(analysis=analysis))
    return render(request, "analysis/detail.html", review_page_context(
        review, o=overview, analysis=analysis, run=shown, watching=overview.latest,
        runs=runs, comparable=comparable_runs(runs), pinned=run is not None, design_rows=design_rows,
        designs=selectors.design_count(analysis=analysis, rows=design_rows), **_field_names(review, analysis, shown)))


def _field_names(review, analysis, run) -> dict:
    """The analysis's extraction fields by their labels (pages never show the stored keys)."""
    labels = selectors.study_field_labels(review=review)
    return {"coefficients": selectors.metareg_coefficients(run=run, labels=labels),
            "subgroup_label": labels.get(analysis.subgroup_field, analysis.subgroup_field),
            "cluster_label": labels.get(analysis.cluster_field, analysis.cluster_field),
            "moderator_labels": [labels.get(m, m) for m in analysis.moderators]}


@review_page(GET="view")
def analysis_detail(request: HttpRequest, review_id: int, analysis_id: int) -> HttpResponse:
    review = request.review
    return _detail(request, review, selectors.analysis_get(review=review, analysis_id=analysis_id), None)


@review_page(GET="view")
def run_compare(request: HttpRequest, review_id: int, analysis_id: int, run_id: int) -> HttpResponse:
    """A finished run side by side with the finished run before it (the page twin of the compare API)."""
    review = request.review
    run = selectors.run_get(review=review, run_id=run_id, analysis_id=analysis_id)
    previous = previous_done(run) if run.status == AnalysisRun.Status.DONE else None
    if previous is None:
        raise Http404("This run has no earlier finished run to compare it with (or is not finished).")
    return render(request, "analysis/compare.html", review_page_context(
        review, analysis=run.analysis, run=run, previous=previous, c=compare_runs(run=run, previous=previous)))


@review_page(GET="view")
def run_detail(request: HttpRequest, review_id: int, run_id: int) -> HttpResponse:
    review = request.review
    run = selectors.run_get(review=review, run_id=run_id)
    return _detail(request, review, run.analysis, run)


@review_page(GET="view")
def run_status(request: HttpRequest, review_id: int, run_id: int) -> JsonResponse:
    review = request.review
    run = selectors.run_get(review=review, run_id=run_id)
    return JsonResponse({"id": run.pk, "number": run.number, "status": run.status,
                         "label": run.status_label, "error": run.error, "finished": run.is_finished,
                         "attempts": run.attempts,
                         "results_url": reverse("analysis_run_results", args=[review.pk, run.pk])})


@review_page(GET="view")
def run_results(request: HttpRequest, review_id: int, run_id: int) -> HttpResponse:
    """The results block of a run, which the page's script puts in place when the run ends."""
    review = request.review
    run = selectors.run_get(review=review, run_id=run_id)
    return render(request, "analysis/_results.html", review_page_context(
        review, run=run, analysis=run.analysis, **_field_names(review, run.analysis, run)))


@review_page(GET="view")
def run_plot(request: HttpRequest, review_id: int, run_id: int, plot: str, fmt: str) -> HttpResponse:
    review = request.review
    run = selectors.run_get(review=review, run_id=run_id)
    # Rebuilt like the page's: a plot stored before imports drew plots again (or by any other
    # means) reaches no download, nor CairoSVG (which would fetch an <image>'s address), as it is.
    svg = str(svg_markup((run.plots or {}).get(plot, "")))
    if not svg or fmt not in ("svg", "png"):
        raise Http404("No such plot.")
    return figure_response(svg, fmt, f"{selectors.slug(run.analysis.name)}-run{run.number}-{plot}")


@review_page(GET="view")
def run_zip(request: HttpRequest, review_id: int, run_id: int) -> HttpResponse:
    review = request.review
    run = selectors.run_get(review=review, run_id=run_id)
    if run.status != AnalysisRun.Status.DONE:
        raise Http404("Only a finished run can be downloaded.")
    name = f"{selectors.slug(run.analysis.name)}-run{run.number}"
    try:
        body = reproduce.run_zip(inputs=run.inputs, results=run.results,
                                 plots={name: str(svg_markup((run.plots or {}).get(name, ""))) for name in PLOTS},
                                 title=f"{run.analysis.name}, run {run.number} ({review.title})")
    except NotALiteral as exc:  # stored inputs from a forged archive: no script rather than code
        return HttpResponse(f"Run {run.number} of “{run.analysis.name}” cannot be written as scripts: {exc}. "
                            "Run the analysis again.", status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return response
