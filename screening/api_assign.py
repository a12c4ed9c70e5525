"""The API twin of the records page's "Assign selected": a lead assigns records to a reviewer's queue."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView, StrictFieldsMixin

from . import rules, services
from .models import ScreeningStage


class AssignSerializer(StrictFieldsMixin, serializers.Serializer):
    stage = serializers.ChoiceField(choices=ScreeningStage.choices)
    records = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
                                    min_length=1, max_length=rules.BULK_EXCLUDE_LIMIT, help_text="Record ids.")
    reviewer = serializers.IntegerField(min_value=1, max_value=2**31 - 1,
                                        help_text="User id of a member who screens (a lead or a reviewer).")


class AssignResultSerializer(serializers.Serializer):
    assigned = serializers.IntegerField(help_text="Records newly assigned to the reviewer.")
    already = serializers.IntegerField(help_text="Records already assigned to them.")
    skipped = serializers.DictField(child=serializers.CharField(),
                                    help_text="Record number -> why it was not assigned (settled, decided by "
                                              "that reviewer, or every place already kept for others).")


class RecordsAssignApi(ReviewApiView):
    """A lead assigns a selection of records at one stage to a reviewer's queue, audited as one action.
    Assigned records come first in that reviewer's queue and keep one place for them until they
    decide; any other place (dual screening) is still taken by another reviewer from the pool."""

    capabilities = {"POST": "resolve_conflicts"}

    @extend_schema(request=AssignSerializer, responses=AssignResultSerializer)
    def post(self, request, review_id: int):
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        valid = data.validated_data
        result = services.records_assign(actor=request.user, review=self.review, stage=valid["stage"],
                                         record_ids=valid["records"], reviewer_id=valid["reviewer"])
        result = {**result, "skipped": {str(k): v for k, v in result["skipped"].items()}}
        return Response(AssignResultSerializer(result).data)
