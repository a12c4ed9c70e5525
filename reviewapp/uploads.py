"""Request bodies bounded at the door: each view that takes a file declares its limit, and a
request over it is refused before its body is read (from Content-Length) or, when the body turns
out longer than it said, as soon as the file's bytes pass the limit. Nothing is buffered or stored
beyond the limit, and the refusal (413) names it.

A page view takes ``@body_limit(...)``; an API view a ``body_limit = BodyLimit(...)`` attribute.
Views that declare nothing get Django's own limit for form data (DATA_UPLOAD_MAX_MEMORY_SIZE),
files included. The middleware sits before CsrfViewMiddleware, which reads the form (and so the
whole upload) to find its token.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse

from .errors import request_too_large

MB = 1024 * 1024
# Room for what a multipart body carries besides the file: boundaries, part headers, form fields.
FORM_ALLOWANCE_BYTES = MB


@dataclass(frozen=True)
class BodyLimit:
    """The most a view's uploads may hold, read from the settings at request time."""

    what: str  # "A full text", as the refusal starts
    setting: str  # the setting that raises the limit, named in the refusal
    limit_bytes: Callable[[], int]

    def refusal(self) -> str:
        return (f"{self.what} may be at most {self.limit_bytes() / MB:,.0f} MB ({self.setting}); "
                "this request carries more, so nothing was read or stored.")


FORM_DATA = BodyLimit("A form", "DATA_UPLOAD_MAX_MEMORY_SIZE", lambda: settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def body_limit(limit: BodyLimit):
    """Declare a page view's upload limit (outermost, or under decorators that keep attributes)."""

    def mark(view):
        view.body_limit = limit
        return view

    return mark


def view_body_limit(view_func) -> BodyLimit:
    for holder in (view_func, getattr(view_func, "cls", None), getattr(view_func, "view_class", None)):
        limit = getattr(holder, "body_limit", None)
        if isinstance(limit, BodyLimit):
            return limit
    return FORM_DATA


class LimitedUploadHandler(FileUploadHandler):
    """First in the chain: counts the bytes of every file in the request and stops the upload
    once they pass the limit, before that chunk reaches the handlers that keep files (the parser
    then closes, and so deletes, the partial temporary file)."""

    def __init__(self, limit_bytes: int):
        super().__init__()
        self.limit_bytes = limit_bytes
        self.received = 0
        self.stopped = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit_bytes:
            self.stopped = True
            # connection_reset: the rest of the body is not read at all.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler keeps the file


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        limit = view_body_limit(view_func)
        limit_bytes = limit.limit_bytes()
        if _declared_length(request) > limit_bytes + FORM_ALLOWANCE_BYTES:
            return request_too_large(request, reason=limit.refusal())
        if not request.content_type.startswith("multipart/"):
            return None  # Django refuses other bodies over DATA_UPLOAD_MAX_MEMORY_SIZE as it reads them
        counter = LimitedUploadHandler(limit_bytes)
        request.upload_handlers.insert(0, counter)
        request.POST  # parse now, under the counter, before anything else reads the form  # noqa: B018
        if counter.stopped:
            return request_too_large(request, reason=limit.refusal())
        return None


# ---------------------------------------------------------------- ZIP files taken apart on the site

ZIP_RATIO_FLOOR_BYTES = 10 * MB  # members smaller than this are not judged by their ratio


@dataclass(frozen=True)
class ZipLimits:
    """What a ZIP file a user uploads may unpack to, judged from its directory before anything is inflated."""

    max_members: int
    max_member_bytes: int
    max_total_bytes: int
    max_ratio: int = 200
    member_setting: str = ""  # the settings named in refusals
    total_setting: str = ""


def zip_members_checked(archive, *, name: str, limits: ZipLimits) -> list:
    """The files (not folders) of an open ``zipfile.ZipFile`` once its directory shows nothing beyond
    ``limits``; else ValueError naming the file, the member and the limit. Python's zipfile never
    inflates a member beyond the size its directory declares, so these sizes bound the reading."""
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > limits.max_members:
        raise ValueError(f"{name} holds {len(members):,} files; at most {limits.max_members:,} are taken at once.")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise ValueError(f"{name}: {member.filename} is encrypted; the site cannot open it.")
        if member.file_size > limits.max_member_bytes:
            raise ValueError(f"{name}: {member.filename} unpacks to {member.file_size / MB:,.1f} MB; each file may "
                             f"be at most {limits.max_member_bytes / MB:,.0f} MB ({limits.member_setting}).")
        ratio = member.file_size // max(member.compress_size, 1)
        if member.file_size > ZIP_RATIO_FLOOR_BYTES and ratio > limits.max_ratio:
            raise ValueError(f"{name}: {member.filename} is compressed {ratio:,} to 1 (at most {limits.max_ratio} "
                             "to 1); it is refused as a decompression bomb.")
        total += member.file_size
    if total > limits.max_total_bytes:
        raise ValueError(f"{name} unpacks to {total / MB:,.0f} MB; at most {limits.max_total_bytes / MB:,.0f} MB "
                         f"are taken at once ({limits.total_setting}).")
    return members
