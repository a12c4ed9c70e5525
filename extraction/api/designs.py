"""API of study designs."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView, StrictFieldsMixin
from screening.models import StudyDesign

from .. import selectors, services

# ---------------------------------------------------------------- study designs

class DesignMappingSerializer(StrictFieldsMixin, serializers.Serializer):
    field_key = serializers.CharField(max_length=60, help_text="A plain field of the review's extraction form.")
    values = serializers.DictField(child=serializers.ChoiceField(choices=StudyDesign.choices),
                                   help_text="Which answer of the field means which design; other answers: unknown.")
    stored = serializers.BooleanField(read_only=True, help_text="False: no mapping is stored, and the built-in "
                                                                "form's design field is read as it is.")


class DesignMappingApi(ReviewApiView):
    """Where analyses read a study's design when the lead has not set it on the study (PATCH
    `studies/{id}/` with `design`): an extraction field and which of its answers means which
    design. PUT sets it (leads)."""

    capabilities = {"PUT": "build_forms"}

    @extend_schema(responses=DesignMappingSerializer)
    def get(self, request, review_id: int):
        return Response(DesignMappingSerializer(selectors.design_source(review=self.review)).data)

    @extend_schema(request=DesignMappingSerializer, responses=DesignMappingSerializer)
    def put(self, request, review_id: int):
        data = DesignMappingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.design_mapping_set(actor=request.user, review=self.review, **data.validated_data)
        return Response(DesignMappingSerializer(selectors.design_source(review=self.review)).data)
