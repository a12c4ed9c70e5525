"""The versions page (list, publish the next one) and a version's download (page and token)."""
from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render

from ..exceptions import ApplicationError
from ..page_access import ReviewRequest, review_page
from ..pages import review_page_context
from ..permissions import can
from .models import ReviewVersion, VersionArchive
from .selectors import version_get, versions_of
from .services import version_archive_again, version_publish


def version_file_response(version: ReviewVersion) -> FileResponse:
    archive = VersionArchive.objects.filter(version=version).first()
    if archive is None or archive.status != VersionArchive.Status.DONE or not archive.file:
        raise Http404("This version's archive is not written yet.")
    try:
        stored = archive.file.open("rb")
    except FileNotFoundError:  # removed from storage behind the app's back
        raise Http404("This version's file is no longer stored.") from None
    return FileResponse(stored, as_attachment=True, filename=version.download_name, content_type="application/zip")


@review_page(GET="view", POST="publish_versions")
def review_versions(request: ReviewRequest, review_id: int) -> HttpResponse:
    """Every published version; a lead publishes the next one here."""
    review = request.review
    if request.method == "POST":
        try:
            if "again" in request.POST:  # a version whose archive failed: write it again
                again = version_get(review=review, number=_number(request.POST["again"]))
                version_archive_again(actor=request.user, version=again)
                messages.success(request, f"The archive of {again.label} is being written again.")
            else:
                version = version_publish(actor=request.user, review=review, note=request.POST.get("note", ""))
                messages.success(request, f"Version {version.label} is published; its archive, the review as it "
                                          "is now, is being written.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("review_versions", review.pk)
    roles: set[str] = getattr(review, "user_roles", set())  # set by review_page
    versions = list(versions_of(review=review))
    waiting = any(not v.archive.is_finished for v in versions if hasattr(v, "archive"))
    return render(request, "reviewapp/versions.html", review_page_context(
        review, versions=versions, waiting=waiting, may_publish=can(roles=roles, capability="publish_versions"),
        may_download=can(roles=roles, capability="export_review")))


def _number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404("No such version of this review.") from None


@review_page(GET="export_review")
def review_version_download(request: ReviewRequest, review_id: int, number: int) -> FileResponse:
    return version_file_response(version_get(review=request.review, number=number))
