"""API of the outcomes of the protocol."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from .. import selectors, services
from ..api_base import PersonNameField, ReviewApiView, StrictFieldsMixin, string_list_field
from ..archive.services import archive_export_again, archive_export_cancel, archive_export_request
from ..archive.views import archive_file_response
from ..models import ArchiveExport, Invitation, Outcome, Review
from .common import Role

# ---------------------------------------------------------------- outcomes of the protocol

class OutcomeSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["id", "name", "direction", "note", "position"]
        read_only_fields = ["id", "position"]


def _outcome(review: Review, outcome_id: int) -> Outcome:
    return get_object_or_404(Outcome, pk=outcome_id, review=review)


class OutcomeListApi(ReviewApiView, generics.ListAPIView):
    """The named outcomes of the protocol, in their order, with the direction that favours the
    intervention; POST adds one (leads), as the page Outcomes does."""

    capabilities = {"POST": "edit_review"}
    serializer_class = OutcomeSerializer
    pagination_class = None

    def get_queryset(self):
        return self.review.outcomes.all() if hasattr(self, "review") else Outcome.objects.none()

    @extend_schema(request=OutcomeSerializer, responses={201: OutcomeSerializer})
    def post(self, request, review_id: int):
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.outcome_create(actor=request.user, review=self.review, **data.validated_data)
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


class OutcomeDetailApi(ReviewApiView):
    """One outcome; PATCH renames it (carried into outcome data and appraisals) or changes its
    direction or note, DELETE removes it unless a later stage uses it (leads)."""

    capabilities = {"PATCH": "edit_review", "DELETE": "edit_review"}

    @extend_schema(responses=OutcomeSerializer)
    def get(self, request, review_id: int, outcome_id: int):
        return Response(OutcomeSerializer(_outcome(self.review, outcome_id)).data)

    @extend_schema(request=OutcomeSerializer(partial=True), responses=OutcomeSerializer)
    def patch(self, request, review_id: int, outcome_id: int):
        outcome = _outcome(self.review, outcome_id)
        data = OutcomeSerializer(outcome, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        outcome = services.outcome_update(actor=request.user, outcome=outcome, **data.validated_data)
        return Response(OutcomeSerializer(outcome).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id: int, outcome_id: int):
        services.outcome_delete(actor=request.user, outcome=_outcome(self.review, outcome_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ArchiveExportSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, allow_null=True)
    requested_by_name = PersonNameField(source="requested_by")
    url = serializers.SerializerMethodField(help_text="GET it until `status` is done or failed.")
    file_url = serializers.SerializerMethodField(help_text="The ZIP, once `status` is done (else null).")

    class Meta:
        model = ArchiveExport
        fields = ["id", "status", "requested_by", "requested_by_name", "size", "objects_count", "error",
                  "created_at", "finished_at",
                  "url", "file_url"]
        read_only_fields = fields

    def _absolute(self, name: str, export) -> str:
        path = reverse(name, args=[export.review_id, export.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, export) -> str:
        return self._absolute("api_review_archive", export)

    def get_file_url(self, export) -> str | None:
        return self._absolute("api_review_archive_file", export) if export.status == "done" else None


class ReviewArchiveListApi(ReviewApiView, generics.ListAPIView):
    """The review's archives (leads): one ZIP with every object as JSON, the uploaded files and each
    stage's CSVs (reviewapp/archive/FORMAT.md). POST asks for a new one: 202 with its URL; the
    worker writes it (while one is being written, that one is answered)."""

    capabilities = {"GET": "export_review", "POST": "export_review"}
    serializer_class = ArchiveExportSerializer
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def review_queryset(self):
        return selectors.archive_exports_of(review=self.review)

    @extend_schema(request=None, responses={202: ArchiveExportSerializer})
    def post(self, request, review_id: int):
        export = archive_export_request(actor=request.user, review=self.review)
        body = ArchiveExportSerializer(export, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ReviewArchiveApi(ReviewApiView):
    """One archive and its state (leads)."""

    capabilities = {"GET": "export_review"}

    @extend_schema(responses=ArchiveExportSerializer)
    def get(self, request, review_id: int, export_id: int):
        export = selectors.archive_export_get(review=self.review, export_id=export_id)
        return Response(ArchiveExportSerializer(export, context={"request": request}).data)


class ReviewArchiveCancelApi(ReviewApiView):
    """Stop writing an archive that is not ready yet (leads); one that has ended is a 400 with the reason."""

    capabilities = {"POST": "export_review"}

    @extend_schema(request=None, responses={200: ArchiveExportSerializer})
    def post(self, request, review_id: int, export_id: int):
        export = selectors.archive_export_get(review=self.review, export_id=export_id)
        export = archive_export_cancel(actor=request.user, export=export)
        return Response(ArchiveExportSerializer(export, context={"request": request}).data)


class ReviewArchiveAgainApi(ReviewApiView):
    """Write again an archive that failed or was cancelled (leads): 202 with its URL."""

    capabilities = {"POST": "export_review"}

    @extend_schema(request=None, responses={202: ArchiveExportSerializer})
    def post(self, request, review_id: int, export_id: int):
        export = selectors.archive_export_get(review=self.review, export_id=export_id)
        export = archive_export_again(actor=request.user, export=export)
        body = ArchiveExportSerializer(export, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ReviewArchiveFileApi(ReviewApiView):
    """The ZIP of a finished archive (leads); 404 while it is being written."""

    capabilities = {"GET": "export_review"}

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, review_id: int, export_id: int):
        return archive_file_response(selectors.archive_export_get(review=self.review, export_id=export_id))


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation as leads see it: whom they named (``invitee``), never the account behind it."""

    state = serializers.CharField(read_only=True)
    roles = string_list_field(choices=Role.choices, read_only=True, help_text="Roles given on acceptance.")
    invited_by = serializers.CharField(source="invited_by.get_username", default=None, allow_null=True, read_only=True)
    invited_by_name = PersonNameField(source="invited_by")

    class Meta:
        model = Invitation
        fields = ["id", "invitee", "roles", "state", "invited_by", "invited_by_name", "created_at",
                  "expires_at", "accepted_at",
                  "declined_at", "revoked_at"]
        read_only_fields = fields
