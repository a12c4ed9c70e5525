"""The API of archive imports: upload an archive (202, the import's URL), follow its import, run a
failed one again. The same services as the pages (reviewapp.archive.views); outside any review, so
a token limited to one review is refused, and each person sees only the imports they uploaded."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..api_base import StrictFieldsMixin
from ..models import ArchiveImport
from ..permissions import token_allows
from .services import archive_import_again, archive_import_request
from .views import ARCHIVE_UPLOAD


class ReviewImportSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField(help_text="A review archive (ZIP), as "
                                           "GET /api/v1/reviews/{id}/archives/{export_id}/file/ gives.")


class ArchiveImportSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="GET it until `status` is done or failed.")
    review: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True,
        help_text="The review the import made, once `status` is done.")
    review_url = serializers.SerializerMethodField(help_text="The new review in the API, once `status` is done.")

    class Meta:
        model = ArchiveImport
        fields = ["id", "status", "original_name", "size", "progress", "attempts", "error", "review", "objects_count",
                  "created_at", "started_at", "finished_at", "url", "review_url"]
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, job) -> str:
        return self._absolute(reverse("api_review_import_job", args=[job.pk]))

    def get_review_url(self, job) -> str | None:
        return self._absolute(reverse("api_review", args=[job.review_id])) if job.review_id else None


class _ImportApiView(APIView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not token_allows(token=request.auth, review_id=None):
            raise PermissionDenied("This API token is limited to one review; it cannot import reviews.")

    def _job(self, request, import_id: int) -> ArchiveImport:
        return selectors.archive_import_get(user=request.user, import_id=import_id, token=request.auth)

    def _accepted(self, request, job: ArchiveImport) -> Response:
        body = ArchiveImportSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ReviewImportApi(_ImportApiView):
    """Make a new review from an archive, all or nothing; you become one of its leads. The archive
    is kept and the worker imports it: 202 with the import's URL (GET it until `status` is done,
    then `review` names the new review). What its directory and manifest show is judged at once
    (400 with the reason). Staff have people matched by username; for anyone else each archived
    person but you gets a new inactive account `<username>-imported` (reviewapp/archive/FORMAT.md)."""

    parser_classes = [MultiPartParser]
    body_limit = ARCHIVE_UPLOAD

    @extend_schema(request={"multipart/form-data": ReviewImportSerializer}, responses={202: ArchiveImportSerializer})
    def post(self, request):
        data = ReviewImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._accepted(request, archive_import_request(actor=request.user, upload=data.validated_data["file"]))


class ArchiveImportApi(_ImportApiView):
    """One of your archive imports and its state: queued, running, done (with the review it made) or
    failed (with the reason in words)."""

    @extend_schema(responses=ArchiveImportSerializer)
    def get(self, request, import_id: int):
        return Response(ArchiveImportSerializer(self._job(request, import_id), context={"request": request}).data)


class ArchiveImportAgainApi(_ImportApiView):
    """Import again an archive whose import failed: 202 with its URL; any other is a 400 with the reason."""

    @extend_schema(request=None, responses={202: ArchiveImportSerializer})
    def post(self, request, import_id: int):
        return self._accepted(request, archive_import_again(actor=request.user, job=self._job(request, import_id)))
