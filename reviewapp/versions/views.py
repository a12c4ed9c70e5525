"""The versions page (list, publish the next one) and a version's download (page and token)."""
from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render

from ..exceptions import ApplicationError
from ..page_access import ReviewRequest, review_page
from ..pages import review_page_context
from ..permissions import can
from .models import ReviewVersion
from .selectors import version_get, versions_of
from .services import version_publish


def version_file_response(version: ReviewVersion) -> FileResponse:
    try:
        stored = version.file.open("rb")
    except FileNotFoundError:  # removed from storage behind the app's back
        raise Http404("This version's file is no longer stored.") from None
    return FileResponse(stored, as_attachment=True, filename=version.download_name, content_type="application/zip")


@review_page(GET="view", POST="publish_versions")
def review_versions(request: ReviewRequest, review_id: int) -> HttpResponse:
    """Every published version; a lead publishes the next one here."""
    review = request.review
    if request.method == "POST":
        try:
            version = version_publish(actor=request.user, review=review, note=request.POST.get("note", ""))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Version {version.label} is published; its archive is kept as it is now.")
        return redirect("review_versions", review.pk)
    roles: set[str] = getattr(review, "user_roles", set())  # set by review_page
    return render(request, "reviewapp/versions.html", review_page_context(
        review, versions=versions_of(review=review), may_publish=can(roles=roles, capability="publish_versions"),
        may_download=can(roles=roles, capability="export_review")))


@review_page(GET="export_review")
def review_version_download(request: ReviewRequest, review_id: int, number: int) -> FileResponse:
    return version_file_response(version_get(review=request.review, number=number))
