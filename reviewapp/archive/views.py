"""The archive as a download (the review's page and the API), and the page that makes a review
from one."""
from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from ..exceptions import ApplicationError
from ..models import Review
from ..permissions import review_get_for_user
from .format import MB, max_unpacked_bytes
from .services import review_archive_import, review_archive_write


def archive_response(review: Review) -> FileResponse:
    """The archive, written to a temporary file first (a ZIP's directory comes last, so it cannot
    be streamed as it is made) and sent from there; the file goes when the response is closed."""
    spool = tempfile.TemporaryFile()
    review_archive_write(review=review, out=spool)
    spool.seek(0)
    name = f"review-{review.pk}-{slugify(review.title)[:60] or 'archive'}.zip"
    return FileResponse(spool, as_attachment=True, filename=name, content_type="application/zip")


@login_required
def review_archive(request: HttpRequest, review_id: int) -> FileResponse:
    review = review_get_for_user(user=request.user, review_id=review_id, capability="export_review")
    return archive_response(review)


@login_required
def review_import(request: HttpRequest) -> HttpResponse:
    """Any signed-in person may make a review from an archive; they become one of its leads."""
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "Choose an archive (a ZIP file downloaded from a review's page)."
        elif upload.size > max_unpacked_bytes():
            error = f"The file is larger than {max_unpacked_bytes() // MB:,} MB, the most an archive may be."
        else:
            try:
                review = review_archive_import(source=upload, actor=request.user, owner=request.user,
                                               trusted=request.user.is_staff)
            except ApplicationError as exc:
                error = f"Nothing was imported: {exc.message}"
            else:
                messages.success(request, f"Review “{review.title}” imported.")
                return redirect("review_dashboard", review.pk)
    return render(request, "reviewapp/review_import.html", {"error": error}, status=400 if error else 200)
