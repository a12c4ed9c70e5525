"""The API twin of the versions page: list and publish versions, download one (same services)."""
from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from ..api_base import PersonNameField, ReviewApiView, StrictFieldsMixin
from .models import ReviewVersion, VersionArchive
from .selectors import version_get, versions_of
from .services import version_archive_again, version_publish
from .views import version_file_response


class VersionArchiveSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(read_only=True, help_text="The state in words, e.g. \"Being written\".")

    class Meta:
        model = VersionArchive
        fields = ["status", "status_label", "progress", "error", "attempts", "size", "later_changes", "finished_at"]
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="label", read_only=True, help_text="v1, v2, ...")
    published_by = serializers.CharField(source="published_by.username", read_only=True, allow_null=True)
    published_by_name = PersonNameField(source="published_by")
    archive = VersionArchiveSerializer(read_only=True, help_text=(
        "The version's archive, written by the worker: `status` done (then `file_url` downloads it), "
        "queued or running (being written) or failed (`error` says why; POST the version to write it again)."))
    file_url = serializers.SerializerMethodField(
        help_text="The version's archive (ZIP), once `archive.status` is done.")

    class Meta:
        model = ReviewVersion
        fields = ["number", "version", "note", "published_by", "published_by_name", "published_at", "audit_event_id",
                  "archive", "file_url"]
        read_only_fields = fields

    def get_file_url(self, version) -> str:
        path = reverse("api_review_version_file", args=[version.review_id, version.number])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class VersionPublishSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="What this version says or changed.")


class ReviewVersionListApi(ReviewApiView, generics.ListAPIView):
    """The review's published versions, newest first. POST (leads) publishes the next one: 202 at
    once with the version (number, note, publisher fixed now) and its archive's state; the worker
    writes the archive (the review as it stood at publication). A version is never changed nor deleted."""

    capabilities = {"GET": "view", "POST": "publish_versions"}
    serializer_class = VersionSerializer
    ordering_fields = ["number"]
    ordering = ["-number"]

    def review_queryset(self):
        return versions_of(review=self.review)

    @extend_schema(request=VersionPublishSerializer, responses={202: VersionSerializer})
    def post(self, request, review_id: int):
        data = VersionPublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = version_publish(actor=request.user, review=self.review, note=data.validated_data["note"])
        return _accepted(request, version)


def _accepted(request, version: ReviewVersion) -> Response:
    fresh = version_get(review=version.review, number=version.number)
    body = VersionSerializer(fresh, context={"request": request}).data
    location = reverse("api_review_version", args=[version.review_id, version.number])
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": request.build_absolute_uri(location)})


class ReviewVersionApi(ReviewApiView):
    """One published version and its archive's state. POST (leads) writes again the archive of a
    version whose writing failed: 202 with the version; any other is a 400 with the reason."""

    capabilities = {"GET": "view", "POST": "publish_versions"}

    @extend_schema(operation_id="versions_archive_again", request=None, responses={202: VersionSerializer})
    def post(self, request, review_id: int, number: int):
        version = version_get(review=self.review, number=number)
        version_archive_again(actor=request.user, version=version)
        return _accepted(request, version)

    @extend_schema(responses=VersionSerializer)
    def get(self, request, review_id: int, number: int):
        return Response(VersionSerializer(version_get(review=self.review, number=number),
                                          context={"request": request}).data)


class ReviewVersionFileApi(ReviewApiView):
    """A version's archive, as it was when published (leads, as every archive)."""

    capabilities = {"GET": "export_review"}

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, review_id: int, number: int):
        return version_file_response(version_get(review=self.review, number=number))
