"""The app's own error pages (400, 403, 404, 500), with navigation and a reason.

Django shows its technical pages when DEBUG is on (as in `make run`); people trying the app
should never see them, so the middleware below answers with these pages in every mode and
leaves the traceback to the log (the console of `make run`).
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .pages import review_page_context
from .permissions import review_get_for_user

log = logging.getLogger(__name__)

NOT_FOUND = ("There is no such page, or what it shows was removed, or it belongs to a review "
             "you are not a member of.")
SERVER_ERROR = ("Something went wrong on our side and nothing was changed by this request. "
                "Please try again; if it happens again, tell the person who runs this site.")
CSRF_FAILED = ("The form was sent without its security token, or with an outdated one (for example "
               "after signing in again in another tab). Go back, reload the page and send the form again.")
BAD_REQUEST = "The request could not be understood. Go back and try again."


def _review_context(request: HttpRequest) -> dict:
    """The review's navigation, when the page belongs to a review this person is a member of."""
    match = getattr(request, "resolver_match", None)
    review_id = match.kwargs.get("review_id") if match else None
    if review_id is None or not getattr(request, "user", None):
        return {}
    try:
        return review_page_context(review_get_for_user(user=request.user, review_id=review_id))
    except (Http404, PermissionDenied):
        return {}


def _error_page(request: HttpRequest, *, status: int, title: str, reason: str,
                with_review: bool = True) -> HttpResponse:
    if request.path.startswith("/api/"):
        # Programs get the API's error shape, also for an address no route matches and for a crash.
        response = JsonResponse({"detail": reason, "field": None}, status=status)
        response.app_error_page = True
        return response
    context = {"status": status, "error_title": title, "reason": reason}
    try:
        if with_review:
            context.update(_review_context(request))
        response = render(request, "error.html", context, status=status)
    except Exception:  # the page of last resort must not fail itself
        log.exception("could not render the %s page", status)
        response = HttpResponse(f"{title}\n\n{reason}\n", status=status, content_type="text/plain; charset=utf-8")
    response.app_error_page = True
    return response


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _error_page(request, status=400, title="Bad request", reason=BAD_REQUEST)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    # permissions.py words the reason ("This needs the role Lead; ..."); show it as it is.
    reason = str(exception) if exception and str(exception) else "You may not do this in this review."
    return _error_page(request, status=403, title="Not allowed", reason=reason)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error_page(request, status=404, title="Page not found", reason=NOT_FOUND)


def server_error(request: HttpRequest) -> HttpResponse:
    # The database may be what failed: no queries for the review's navigation here.
    return _error_page(request, status=500, title="Server error", reason=SERVER_ERROR, with_review=False)


def request_too_large(request: HttpRequest, *, reason: str) -> HttpResponse:
    # Answered before the view (reviewapp.uploads): the review's navigation costs nothing extra.
    return _error_page(request, status=413, title="Too large", reason=reason)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(request, status=403, title="The form has expired", reason=CSRF_FAILED,
                       with_review=False)


class ErrorPagesMiddleware:
    """Answers with the app's error pages even when DEBUG is on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (settings.DEBUG and response.status_code == 404 and not getattr(response, "app_error_page", False)
                and response.get("Content-Type", "").startswith("text/html")):
            # An address no URL pattern matches never reaches a view (nor process_exception);
            # with DEBUG on Django answers it with its technical page, replaced here.
            return page_not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        if isinstance(exception, (BadRequest, SuspiciousOperation)):
            return bad_request(request, exception)
        if settings.DEBUG:
            log.error("Internal server error: %s", request.path, exc_info=exception)
            return server_error(request)
        return None  # Django logs it (and mails the admins if set up) and calls handler500
