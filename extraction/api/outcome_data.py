"""API of the outcome data analyses pool."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers

from reviewapp.api_base import MAX_ID, ReviewApiView

from .. import api_types, selectors

# ---------------------------------------------------------------- outcome data

class OutcomeEffectSerializer(serializers.Serializer):
    complete = serializers.BooleanField(help_text="Whether the row gives an effect; if not, `missing` says why.")
    missing = serializers.ListField(child=serializers.CharField())
    measure = serializers.CharField(allow_blank=True, help_text="SMD, OR, SMCR, or a reported effect's measure.")
    yi = serializers.FloatField(allow_null=True, help_text="The effect, pointed the outcome's way (ratios as logs).")
    vi = serializers.FloatField(allow_null=True, help_text="Its sampling variance.")
    se = serializers.FloatField(allow_null=True)
    ci_lb = serializers.FloatField(allow_null=True)
    ci_ub = serializers.FloatField(allow_null=True)
    flipped = serializers.BooleanField(help_text="The sign was turned: the instrument scores the other way.")
    favours = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


class OutcomeDataSerializer(serializers.Serializer):
    study = serializers.IntegerField(source="study.pk")
    study_label = serializers.CharField(source="study.label")
    design = serializers.CharField(allow_blank=True)
    row = serializers.IntegerField(help_text="The row's place among the study's outcome data, from 0.")
    outcome = serializers.CharField(source="values.outcome", default="")
    timepoint = serializers.CharField(source="values.timepoint", default="")
    data_type = serializers.CharField(source="values.data_type", default="")
    values = api_types.RowValuesField(help_text="Every value of the row by field key (arms' n, means, SDs, events, "
                                             "a reported effect, pre-post values...).")
    effect = serializers.SerializerMethodField()

    @extend_schema_field(OutcomeEffectSerializer)
    def get_effect(self, row) -> dict:
        e = row.effect
        ci = e.ci
        return OutcomeEffectSerializer({
            "complete": e.complete, "missing": e.missing, "measure": e.measure, "yi": e.yi, "vi": e.vi, "se": e.se,
            "ci_lb": ci[0] if ci else None, "ci_ub": ci[1] if ci else None, "flipped": e.flipped,
            "favours": e.favours, "note": e.note}).data


class OutcomeDataFilterSerializer(serializers.Serializer):
    outcome = serializers.CharField(required=False, max_length=200)
    study = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class OutcomeDataApi(ReviewApiView, generics.ListAPIView):
    """The outcome data of every study whose extraction is final (what analyses pool), a row per
    outcome, time point and comparison, with its harmonised effect size."""

    serializer_class = OutcomeDataSerializer
    filter_backends: list = []

    @extend_schema(parameters=[
        OpenApiParameter("outcome", OpenApiTypes.STR, description="Rows of this outcome (its name)"),
        OpenApiParameter("study", OpenApiTypes.INT, description="Rows of this study (id)")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def review_queryset(self):
        query = OutcomeDataFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.outcome_data_rows(review=self.review, outcome=query.validated_data.get("outcome"),
                                           study_id=query.validated_data.get("study"))
