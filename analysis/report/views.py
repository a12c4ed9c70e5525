"""The review's report: the page (everyone in the review reads; a lead writes the paragraphs
and picks the characteristics it summarises) and its Word file. Access check, gather, render."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format

from extraction import selectors as extraction_selectors
from reviewapp.exceptions import ApplicationError
from reviewapp.page_access import review_page
from reviewapp.pages import review_page_context
from reviewapp.permissions import can

from . import builder, docx_file, gather, services

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@review_page(GET="view", POST="edit_review")
def report_page(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    error = ""
    if request.method == "POST":
        try:
            services.report_text_set(
                actor=request.user, review=review, **{k: request.POST.get(k, "") for k in builder.TEXT_KEYS},
                summary_fields=request.POST.getlist("summary_fields"))
            messages.success(request, "The report's paragraphs and choices are saved.")
            return redirect("report", review.pk)
        except ApplicationError as exc:
            error = exc.message
    report, stored, changed = gather.report(review=review, roles=review.user_roles)
    described = extraction_selectors.described_studies(review=review)
    picked = {f.key for f in gather.picked_fields(described, stored)}
    texts = {k: request.POST.get(k, "") if error else (getattr(stored, k) if stored else "")
             for k in builder.TEXT_KEYS}
    response = render(request, "analysis/report.html", review_page_context(
        review, sections=report.sections, report=report, stored=stored,
        changed=[builder.number_label(k) for k in changed], error=error,
        editable=can(roles=review.user_roles, capability="edit_review"),
        text_fields=[(k, builder.TEXT_TITLES[k], texts[k]) for k in builder.TEXT_KEYS],
        fields=[(f, f.key in picked) for f in described.fields]))
    if error:
        response.status_code = 400
    return response


@review_page(GET="view")
def report_docx(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    report, stored, changed = gather.report(review=review, roles=review.user_roles)
    body = docx_file.docx_bytes(report, title=review.title, changed=[builder.number_label(k) for k in changed],
                                demo=review.is_demo,
                                generated=date_format(timezone.localtime(), "j F Y, H:i T"))
    response = HttpResponse(body, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="report-review{review.pk}.docx"'
    return response
