"""The summary-of-findings page, the lead's GRADE ratings and the downloads for RevMan Web, R
and robvis. Each view: access check, one service or selector, render. Every member reads and
downloads; only leads ("grade") change settings and ratings."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reviewapp.exceptions import ApplicationError
from reviewapp.page_access import review_page
from reviewapp.pages import review_page_context
from reviewapp.tabular import csv_text

from .. import grade
from ..codegen import NotALiteral
from ..selectors import slug
from . import exports, selectors, services
from .forms import AssessmentForm
from .models import GradeAssessment


def _choices(change_domain: str) -> list[tuple[int, str]]:
    if change_domain in grade.UP:
        return [(0, "no change"), (1, "+1 rate up"), (2, "+2 rate up")]
    return [(0, "not serious"), (-1, "−1 serious"), (-2, "−2 very serious")]


def _page(request: HttpRequest, review, *, posted_outcome: int | None = None, posted=None,
          errors: dict[str, str] | None = None) -> HttpResponse:
    """The page; after a refused save, that outcome's form shows what was chosen and typed, with each
    problem beside its domain."""
    rows = selectors.sof_rows(review=review, with_staleness=True)
    for row in rows:
        row.form = AssessmentForm(instance=row.assessment or GradeAssessment(review=review, outcome=row.outcome),
                                  analyses=review.analyses.filter(outcome=row.outcome),
                                  prefix=f"o{row.outcome.pk}")
        row.unconfirmed = sum(1 for d in row.domains if d.rating is None or (d.moved and not d.changed_by_lead))
        for d in row.domains:
            d.choices = _choices(d.domain)
            d.chosen, d.typed, d.error = d.change, (d.rating or {}).get("reason", ""), ""
            if row.outcome.pk == posted_outcome and posted is not None:
                d.chosen = _int(posted.get(f"change-{d.domain}"), d.change)
                d.typed = posted.get(f"reason-{d.domain}", "")
                d.error = (errors or {}).get(d.domain, "")
    return render(request, "analysis/sof.html", review_page_context(
        review, rows=rows, table=selectors.table(review=review, rows=rows), refused=bool(errors),
        unconfirmed=sum(r.unconfirmed for r in rows), robvis=list(exports.robvis_files(review=review))))


def _int(text, default: int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


@review_page(GET="view")
def sof_page(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    return _page(request, review)


def _back(review, outcome_id: int):
    return redirect(reverse("sof", args=[review.pk]) + f"#outcome-{outcome_id}")


def _outcome(review, outcome_id: int):
    outcome = review.outcomes.filter(pk=outcome_id).first()
    if outcome is None:
        raise Http404("No such outcome.")
    return outcome


@review_page(POST="grade")
def sof_settings(request: HttpRequest, review_id: int, outcome_id: int) -> HttpResponse:
    review = request.review
    outcome = _outcome(review, outcome_id)
    form = AssessmentForm(request.POST, analyses=review.analyses.filter(outcome=outcome), prefix=f"o{outcome.pk}")
    if not form.is_valid():
        messages.error(request, "Not saved: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return _back(review, outcome.pk)
    try:
        services.assessment_update(actor=request.user, review=review, outcome=outcome, **form.cleaned_data)
        messages.success(request, f"Saved the settings of “{outcome.name}”.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(review, outcome.pk)


@review_page(POST="grade")
def sof_ratings(request: HttpRequest, review_id: int, outcome_id: int) -> HttpResponse:
    """One outcome's form: save the ratings of its domains, accept its proposals, or take one domain
    back to its proposal."""
    review = request.review
    outcome = _outcome(review, outcome_id)
    try:
        if request.POST.get("clear") in grade.DOMAINS:
            domain = request.POST["clear"]
            services.rating_clear(actor=request.user, review=review, outcome=outcome, domain=domain)
            messages.success(request, f"{grade.DOMAIN_LABELS[domain]} of “{outcome.name}”: back to the proposal.")
        elif request.POST.get("action") == "accept":
            n = services.proposals_accept(actor=request.user, review=review, outcome=outcome)
            messages.success(request, f"“{outcome.name}”: {n} proposal{'' if n == 1 else 's'} accepted.")
        else:
            ratings = {d: {"change": _int(request.POST.get(f"change-{d}"), None),
                           "reason": request.POST.get(f"reason-{d}", "")}
                       for d in grade.DOMAINS if f"change-{d}" in request.POST}
            services.ratings_set(actor=request.user, review=review, outcome=outcome, ratings=ratings)
            messages.success(request, f"Saved the ratings of “{outcome.name}”.")
    except ApplicationError as exc:
        errors = exc.extra.get("errors")
        if not errors:
            messages.error(request, exc.message)
            return _back(review, outcome.pk)
        messages.error(request, f"Not saved: the ratings of “{outcome.name}” need what is said beside them.")
        return _page(request, review, posted_outcome=outcome.pk, posted=request.POST, errors=errors)
    return _back(review, outcome.pk)


@review_page(POST="grade")
def sof_accept_all(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    n = services.proposals_accept(actor=request.user, review=review)
    messages.success(request, f"{n} proposal{'' if n == 1 else 's'} accepted; ratings you changed stay.")
    return redirect("sof", review.pk)


def _download(body, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@review_page(GET="view")
def sof_download(request: HttpRequest, review_id: int, fmt: str) -> HttpResponse:
    review = request.review
    name = f"summary-of-findings-{slug(review.title)}"
    if fmt == "html":
        return _download(exports.sof_html(review=review), "text/html; charset=utf-8", f"{name}.html")
    if fmt == "csv":
        return _download(exports.sof_csv(review=review), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt == "xlsx":
        return _download(exports.sof_xlsx(review=review),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{name}.xlsx")
    raise Http404("No such format.")


@review_page(GET="view")
def revman_download(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    return _download(exports.revman_zip(review=review), "application/zip",
                     f"revman-web-{slug(review.title)}.zip")


@review_page(GET="view")
def r_download(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    try:
        body = exports.r_archive(review=review)
    except NotALiteral as exc:  # stored inputs from a forged archive: no script rather than code
        return HttpResponse(f"The analyses cannot be written as R scripts: {exc}. Run the analyses again.",
                            status=409, content_type="text/plain; charset=utf-8")
    return _download(body, "application/zip", f"analyses-R-{slug(review.title)}.zip")


@review_page(GET="view")
def robvis_download(request: HttpRequest, review_id: int, name: str) -> HttpResponse:
    review = request.review
    files = exports.robvis_files(review=review)
    if name not in files:
        raise Http404("No such appraisal tool in this review.")
    return _download(csv_text(files[name]), "text/csv; charset=utf-8", name)
