"""A run compared with the finished run before it (a living review's update), as JSON."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView
from reviewapp.exceptions import ApplicationError

from . import selectors
from .run_compare import compare_runs, previous_done


class FiguresSerializer(serializers.Serializer):
    b = serializers.FloatField(allow_null=True, help_text="The pooled estimate, on the scale people read.")
    ci_lb = serializers.FloatField(allow_null=True)
    ci_ub = serializers.FloatField(allow_null=True)
    I2 = serializers.FloatField(allow_null=True, help_text="I², percent.")
    tau2 = serializers.FloatField(allow_null=True)
    pi_lb = serializers.FloatField(allow_null=True, help_text="Prediction interval, lower bound.")
    pi_ub = serializers.FloatField(allow_null=True)


class RunSideSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The run's number within its analysis.")
    k = serializers.IntegerField(help_text="Studies pooled.")
    figures = FiguresSerializer()
    certainty = serializers.CharField(allow_blank=True, help_text="GRADE certainty (data's proposal, lead's ratings).")
    side = serializers.CharField(help_text="Where the CI lies against the threshold: above, below or crosses.")


class RunComparisonSerializer(serializers.Serializer):
    previous = RunSideSerializer()
    current = RunSideSerializer()
    added = serializers.ListField(child=serializers.CharField(), help_text="Studies new in this run.")
    removed = serializers.ListField(child=serializers.CharField(), help_text="Studies of the previous run left out.")
    threshold = serializers.ChoiceField(choices=["null", "MID"])
    crossed = serializers.BooleanField(help_text="The CI moved to the other side of the threshold (or onto it).")
    conclusion = serializers.CharField()


class AnalysisRunCompareApi(ReviewApiView):
    """A finished run side by side with the finished run before it; 400 with the reason when there is none."""

    @extend_schema(responses=RunComparisonSerializer)
    def get(self, request, review_id: int, analysis_id: int, run_id: int):
        run = selectors.run_get(review=self.review, run_id=run_id, analysis_id=analysis_id)
        previous = previous_done(run) if run.status == "done" else None
        if previous is None:
            raise ApplicationError("This run has no earlier finished run to compare it with (or is not finished).")
        return Response(RunComparisonSerializer(compare_runs(run=run, previous=previous)).data)
