"""The summary-of-findings page, the lead's GRADE ratings and the downloads for RevMan Web, R
and robvis. Each view: access check, one service or selector, render. Every member reads and
downloads; only leads ("grade") change settings and ratings."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from reviewapp.exceptions import ApplicationError
from reviewapp.pages import review_page_context
from reviewapp.permissions import review_get_for_user
from reviewapp.tabular import csv_text

from . import grade, sof_exports, sof_selectors, sof_services
from .codegen import NotALiteral
from .selectors import slug
from .sof_forms import AssessmentForm, RatingForm
from .sof_models import GradeAssessment


def _choices(change_domain: str) -> list[tuple[int, str]]:
    if change_domain in grade.UP:
        return [(0, "no change"), (1, "+1 rate up"), (2, "+2 rate up")]
    return [(0, "not serious"), (-1, "−1 serious"), (-2, "−2 very serious")]


@login_required
def sof_page(request: HttpRequest, review_id: int) -> HttpResponse:
    review = review_get_for_user(user=request.user, review_id=review_id)
    rows = sof_selectors.sof_rows(review=review, with_staleness=True)
    for row in rows:
        row.form = AssessmentForm(instance=row.assessment or GradeAssessment(review=review, outcome=row.outcome),
                                  analyses=review.analyses.filter(outcome=row.outcome),
                                  prefix=f"o{row.outcome.pk}")
        for d in row.domains:
            d.choices = _choices(d.domain)
    return render(request, "analysis/sof.html", review_page_context(
        review, rows=rows, table=sof_selectors.table(review=review, rows=rows),
        robvis=list(sof_exports.robvis_files(review=review))))


def _back(review, outcome_id: int):
    return redirect(reverse("sof", args=[review.pk]) + f"#outcome-{outcome_id}")


def _outcome(review, outcome_id: int):
    outcome = review.outcomes.filter(pk=outcome_id).first()
    if outcome is None:
        raise Http404("No such outcome.")
    return outcome


@login_required
@require_POST
def sof_settings(request: HttpRequest, review_id: int, outcome_id: int) -> HttpResponse:
    review = review_get_for_user(user=request.user, review_id=review_id, capability="grade")
    outcome = _outcome(review, outcome_id)
    form = AssessmentForm(request.POST, analyses=review.analyses.filter(outcome=outcome), prefix=f"o{outcome.pk}")
    if not form.is_valid():
        messages.error(request, "Not saved: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return _back(review, outcome.pk)
    try:
        sof_services.assessment_update(actor=request.user, review=review, outcome=outcome, **form.cleaned_data)
        messages.success(request, f"Saved the settings of “{outcome.name}”.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(review, outcome.pk)


@login_required
@require_POST
def sof_rating(request: HttpRequest, review_id: int, outcome_id: int) -> HttpResponse:
    review = review_get_for_user(user=request.user, review_id=review_id, capability="grade")
    outcome = _outcome(review, outcome_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: choose a rating.")
        return _back(review, outcome.pk)
    data = form.cleaned_data
    try:
        if request.POST.get("clear"):
            sof_services.rating_clear(actor=request.user, review=review, outcome=outcome, domain=data["domain"])
            messages.success(request, f"{grade.DOMAIN_LABELS[data['domain']]}: back to the proposal.")
        else:
            sof_services.rating_set(actor=request.user, review=review, outcome=outcome, **data)
            messages.success(request, f"{grade.DOMAIN_LABELS[data['domain']]} of “{outcome.name}” rated.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(review, outcome.pk)


def _download(body, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def sof_download(request: HttpRequest, review_id: int, fmt: str) -> HttpResponse:
    review = review_get_for_user(user=request.user, review_id=review_id)
    name = f"summary-of-findings-{slug(review.title)}"
    if fmt == "html":
        return _download(sof_exports.sof_html(review=review), "text/html; charset=utf-8", f"{name}.html")
    if fmt == "csv":
        return _download(sof_exports.sof_csv(review=review), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt == "xlsx":
        return _download(sof_exports.sof_xlsx(review=review),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{name}.xlsx")
    raise Http404("No such format.")


@login_required
def revman_download(request: HttpRequest, review_id: int) -> HttpResponse:
    review = review_get_for_user(user=request.user, review_id=review_id)
    return _download(sof_exports.revman_zip(review=review), "application/zip",
                     f"revman-web-{slug(review.title)}.zip")


@login_required
def r_download(request: HttpRequest, review_id: int) -> HttpResponse:
    review = review_get_for_user(user=request.user, review_id=review_id)
    try:
        body = sof_exports.r_archive(review=review)
    except NotALiteral as exc:  # stored inputs from a forged archive: no script rather than code
        return HttpResponse(f"The analyses cannot be written as R scripts: {exc}. Run the analyses again.",
                            status=409, content_type="text/plain; charset=utf-8")
    return _download(body, "application/zip", f"analyses-R-{slug(review.title)}.zip")


@login_required
def robvis_download(request: HttpRequest, review_id: int, name: str) -> HttpResponse:
    review = review_get_for_user(user=request.user, review_id=review_id)
    files = sof_exports.robvis_files(review=review)
    if name not in files:
        raise Http404("No such appraisal tool in this review.")
    return _download(csv_text(files[name]), "text/csv; charset=utf-8", name)
