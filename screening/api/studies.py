"""API of studies and the reports linked to them."""
from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView, StrictFieldsMixin

from .. import selectors, services
from ..models import (
    Record,
    Study,
    StudyDesign,
)
from .records import RecordBriefSerializer

# ---------------------------------------------------------------- studies

class StudySerializer(StrictFieldsMixin, serializers.ModelSerializer):
    reports = RecordBriefSerializer(many=True, read_only=True)
    design = serializers.ChoiceField(choices=StudyDesign.choices, allow_blank=True, required=False,
                                     help_text="The design the lead set (leads PATCH it); empty: analyses read "
                                               "it through the review's design mapping from the extraction.")

    class Meta:
        model = Study
        fields = ["id", "label", "design", "previous_version", "created_at", "reports"]
        read_only_fields = ["id", "previous_version", "created_at", "reports"]


class StudyLinkSerializer(StrictFieldsMixin, serializers.Serializer):
    record = serializers.IntegerField(help_text="A record of this review to make a report of the study.")


class StudyListApi(ReviewApiView, generics.ListAPIView):
    """The included studies and their reports."""

    serializer_class = StudySerializer
    filterset_fields = {"label": ["exact", "icontains"], "previous_version": ["exact"]}
    ordering_fields = ["label", "id", "created_at"]
    ordering = ["label", "id"]

    def review_queryset(self):
        return (Study.objects.filter(review=self.review)
                .prefetch_related(Prefetch("reports", queryset=Record.objects.order_by("year", "id"))))


class StudyDetailApi(ReviewApiView):
    """One study and its reports; PATCH renames it or sets its design (leads)."""

    capabilities = {"PATCH": "edit_review"}

    @extend_schema(responses=StudySerializer)
    def get(self, request, review_id: int, study_id: int):
        return Response(StudySerializer(selectors.study_get(review=self.review, study_id=study_id)).data)

    @extend_schema(request=StudySerializer(partial=True), responses=StudySerializer)
    def patch(self, request, review_id: int, study_id: int):
        study = selectors.study_get(review=self.review, study_id=study_id)
        data = StudySerializer(study, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "label" in data.validated_data:
            study = services.study_rename(actor=request.user, study=study, label=data.validated_data["label"])
        if "design" in data.validated_data:
            study = services.study_design_set(actor=request.user, study=study, design=data.validated_data["design"])
        return Response(StudySerializer(selectors.study_get(review=self.review, study_id=study_id)).data)


class StudyReportsApi(ReviewApiView):
    """Link a further report (record) to a study (leads)."""

    capabilities = {"POST": "edit_review"}

    @extend_schema(request=StudyLinkSerializer, responses=StudySerializer)
    def post(self, request, review_id: int, study_id: int):
        study = selectors.study_get(review=self.review, study_id=study_id)
        data = StudyLinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = Record.objects.filter(pk=data.validated_data["record"], review=self.review).first()
        if record is None:
            raise exceptions.ValidationError({"record": ["No record with that number in this review."]})
        study = services.study_link_report(actor=request.user, record=record, study=study)
        return Response(StudySerializer(selectors.study_get(review=self.review, study_id=study.pk)).data)
