"""The page that takes many full texts at once (PDF files or ZIPs of them) and shows what became of each."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reviewapp.exceptions import ApplicationError
from reviewapp.page_access import review_page
from reviewapp.pages import review_page_context
from reviewapp.uploads import body_limit

from . import services
from .forms import FullTextBulkForm
from .upload_limits import FULL_TEXTS_BULK


@body_limit(FULL_TEXTS_BULK)
@review_page(GET="screen", POST="screen")
def fulltext_bulk(request: HttpRequest, review_id: int) -> HttpResponse:
    """GET: the form. POST: attach what matches and show the report (in the response, not stored)."""
    review = request.review
    form = FullTextBulkForm(request.POST if request.method == "POST" else None)
    report, problem = None, None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.fulltexts_bulk_upload(actor=request.user, review=review,
                                                    uploads=request.FILES.getlist("files"), **form.cleaned_data)
        except ApplicationError as exc:
            problem = exc.message
    return render(request, "screening/fulltext_bulk.html", review_page_context(
        review, form=form, report=report, problem=problem, limits={
            "file_mb": settings.MAX_FULLTEXT_MB, "total_mb": settings.MAX_FULLTEXT_BULK_MB,
            "files": settings.MAX_FULLTEXT_BULK_FILES}))
