"""The archive page (ask for one, watch it being written, download it), the download itself (the
page and the API), and the pages that make a review from an archive (upload it, follow its import)."""
from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import selectors
from ..exceptions import ApplicationError
from ..models import ArchiveExport
from ..page_access import review_page, signed_in_page
from ..pages import review_page_context
from ..uploads import BodyLimit, body_limit
from .format import MB, max_unpacked_bytes
from .services import (
    archive_export_again,
    archive_export_cancel,
    archive_export_request,
    archive_import_again,
    archive_import_request,
)

ARCHIVE_UPLOAD = BodyLimit("A review archive", "ARCHIVE_MAX_UNPACKED_MB", max_unpacked_bytes)


def archive_file_response(export: ArchiveExport) -> FileResponse:
    """The stored ZIP of a finished export as an attachment; 404 while it is not ready."""
    if export.status != ArchiveExport.Status.DONE or not export.file:
        raise Http404("This archive is not ready (or it failed); ask for a new one.")
    try:
        stored = export.file.open("rb")
    except FileNotFoundError:  # removed from storage behind the app's back (a restore, a cleanup)
        raise Http404("This archive's file is no longer stored; ask for a new one.") from None
    return FileResponse(stored, as_attachment=True, filename=export.download_name, content_type="application/zip")


@review_page(GET="export_review", POST="export_review")
def review_archive(request: HttpRequest, review_id: int) -> HttpResponse:
    """Leads ask for an archive here; the worker writes it and the page offers the download."""
    review = request.review
    if request.method == "POST":
        archive_export_request(actor=request.user, review=review)
        messages.success(request, "The archive is being written; this page offers it when it is ready.")
        return redirect("review_archive", review.pk)
    exports = list(selectors.archive_exports_of(review=review)[:5])
    waiting = any(not e.is_finished for e in exports)
    return render(request, "reviewapp/review_archive.html",
                  review_page_context(review, exports=exports, waiting=waiting))


@review_page(POST="export_review")
def review_archive_cancel(request: HttpRequest, review_id: int, export_id: int) -> HttpResponse:
    """Stop writing an archive that is not ready yet."""
    export = selectors.archive_export_get(review=request.review, export_id=export_id)
    _refused_as_message(request, lambda: archive_export_cancel(actor=request.user, export=export),
                        "The archive was cancelled.")
    return redirect("review_archive", request.review.pk)


@review_page(POST="export_review")
def review_archive_again(request: HttpRequest, review_id: int, export_id: int) -> HttpResponse:
    """Write again an archive that failed or was cancelled."""
    export = selectors.archive_export_get(review=request.review, export_id=export_id)
    _refused_as_message(request, lambda: archive_export_again(actor=request.user, export=export),
                        "The archive is being written again.")
    return redirect("review_archive", request.review.pk)


def _refused_as_message(request, action, done: str) -> None:
    try:
        action()
        messages.success(request, done)
    except ApplicationError as exc:
        messages.error(request, str(exc))


@review_page(GET="export_review")
def review_archive_download(request: HttpRequest, review_id: int, export_id: int) -> FileResponse:
    review = request.review
    return archive_file_response(selectors.archive_export_get(review=review, export_id=export_id))


@body_limit(ARCHIVE_UPLOAD)
@signed_in_page
def review_import(request: HttpRequest) -> HttpResponse:
    """Any signed-in person may make a review from an archive; they become one of its leads. The
    upload is kept and the worker reads it; the import's own page follows it."""
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "Choose an archive (a ZIP file downloaded from a review's page)."
        elif upload.size > max_unpacked_bytes():
            error = f"The file is larger than {max_unpacked_bytes() // MB:,} MB, the most an archive may be."
        else:
            try:
                job = archive_import_request(actor=request.user, upload=upload)
            except ApplicationError as exc:
                error = f"Nothing was imported: {exc.message}"
            else:
                return redirect("review_import_detail", job.pk)
    imports = list(selectors.archive_imports_of(user=request.user)[:5])
    return render(request, "reviewapp/review_import.html", {"error": error, "imports": imports},
                  status=400 if error else 200)


@signed_in_page
def review_import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """One import: waiting, importing (the page reloads itself), the review it made, or why it
    failed with a button to run it again."""
    job = selectors.archive_import_get(user=request.user, import_id=import_id)
    return render(request, "reviewapp/review_import_detail.html",
                  {"job": job, "progress": selectors.archive_import_progress(job=job)})


@signed_in_page
@require_POST
def review_import_again(request: HttpRequest, import_id: int) -> HttpResponse:
    """Run again an import that failed."""
    job = selectors.archive_import_get(user=request.user, import_id=import_id)
    try:
        archive_import_again(actor=request.user, job=job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("review_import_detail", job.pk)
