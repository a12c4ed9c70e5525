"""API of priority screening and stopping."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from reviewapp.api_base import PersonNameField, ReviewApiView, StrictFieldsMixin, typed_json

from .. import selectors, services
from ..models import (
    RankingRun,
    StoppingDecision,
)

# ---------------------------------------------------------------- priority screening and stopping

class StoppingTargetSerializer(serializers.Serializer):
    target = serializers.FloatField(min_value=0.5, max_value=0.999, default=0.95,
                                    help_text="Recall to reach, as a fraction (0.95 = 95%).")
    confidence = serializers.FloatField(min_value=0.5, max_value=0.999, default=0.95,
                                        help_text="Confidence wanted that the recall is reached, as a fraction.")


class StopSerializer(StrictFieldsMixin, StoppingTargetSerializer):
    rule = serializers.ChoiceField(
        choices=["hypergeometric", "decay", "consecutive"], default="hypergeometric",
        help_text="hypergeometric: the ranked test of Callaghan & Müller-Hansen (2020), a statistical "
                  "guarantee; decay: the ranked test at a looser threshold confirmed by a fitted rate of "
                  "inclusions and a quiet stretch of exclusions, no guarantee (reached 95% recall in 57 of 60 "
                  "replays of labelled reviews, 36 of 39 on those its settings were not chosen on, with 37% "
                  "fewer records where the test is late); consecutive: the run of exclusions the "
                  "heuristic asks for, no guarantee.")


class StoppingFiguresSerializer(serializers.Serializer):
    target = serializers.FloatField()
    confidence = serializers.FloatField()
    records = serializers.IntegerField(help_text="Title/abstract records in the review.")
    screened = serializers.IntegerField(help_text="Records settled (included or excluded) so far.")
    unscreened = serializers.IntegerField()
    found = serializers.IntegerField(help_text="Records included so far.")
    p_value = serializers.FloatField(help_text="The ranked hypergeometric test's p for recall below the target.")
    stop = serializers.BooleanField(help_text="Whether the test allows stopping now.")
    remaining_estimate = serializers.FloatField(
        allow_null=True, help_text="Relevant records left at the rate of the last estimate_window decisions, "
                                   "at most the upper bound.")
    estimate_window = serializers.IntegerField(required=False)
    remaining_upper_bound = serializers.IntegerField(allow_null=True,
                                                     help_text="At most this many left, at the confidence asked.")
    decay_stop = serializers.BooleanField(help_text="Whether the decay rule allows stopping now.")
    decay_remaining_bound = serializers.IntegerField(
        allow_null=True, help_text="The decay rule's bound on relevant records left, if inclusions keep thinning "
                                   "along the ranking as they have.")
    decay_p = serializers.FloatField(help_text="The ranked test's p the decay rule needs to be below.")
    decay_quiet_needed = serializers.IntegerField(
        required=False, help_text="Exclusions in a row since the last inclusion the decay rule needs now (30% of "
                                  "the records unscreened); ``run`` is how many there are.")
    run = serializers.IntegerField(help_text="Exclusions in a row at the end of the decisions.")
    run_needed = serializers.IntegerField(help_text="The run the heuristic asks for before it allows stopping.")
    wordless = serializers.IntegerField(help_text="Unscreened records without title or abstract: stopping "
                                                  "leaves them for people.")


class RankingRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = RankingRun
        fields = ["id", "status", "decisions_seen", "included_seen", "ranked", "trained", "seconds", "error",
                  "created_at", "finished_at"]
        read_only_fields = fields


class StoppingDecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, allow_null=True)
    decided_by_name = PersonNameField(source="decided_by")
    details = typed_json(StoppingFiguresSerializer, read_only=True,
                         help_text="The figures the stop was decided on, as they were then.")

    class Meta:
        model = StoppingDecision
        fields = ["id", "rule", "target_recall", "confidence", "p_value", "screened", "included_found",
                  "marked_excluded", "details", "decided_by", "decided_by_name", "decided_at"]
        read_only_fields = fields


class StoppingStateSerializer(serializers.Serializer):
    prioritise = serializers.BooleanField(help_text="Whether priority screening is on (PATCH screening/settings/).")
    ranking = RankingRunSerializer(allow_null=True, help_text="The latest retraining of the ranking.")
    figures = StoppingFiguresSerializer(help_text="Where screening stands against the stopping rules.")
    stops = StoppingDecisionSerializer(many=True, help_text="Every stop made, the latest first.")


class StoppingApi(ReviewApiView):
    """Priority screening: the latest ranking, where title/abstract screening stands against the
    stopping rules (as the screening page shows leads), and the stops made. POST stops screening:
    the records nobody has screened are marked excluded by automation, with the rule and its
    figures kept (records without title or abstract are left for people). Leads only."""

    capabilities = {"GET": "edit_review", "POST": "edit_review"}

    @extend_schema(parameters=[StoppingTargetSerializer], responses=StoppingStateSerializer)
    def get(self, request, review_id: int):
        query = StoppingTargetSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        state = {"prioritise": selectors.screening_settings_get(review=self.review).prioritise,
                 "ranking": selectors.ranking_latest(review=self.review),
                 "figures": selectors.stopping_figures(review=self.review, **query.validated_data),
                 "stops": selectors.stopping_decisions(review=self.review)}
        return Response(StoppingStateSerializer(state).data)

    @extend_schema(request=StopSerializer, responses={201: StoppingDecisionSerializer})
    def post(self, request, review_id: int):
        data = StopSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.screening_stop(actor=request.user, review=self.review, **data.validated_data)
        return Response(StoppingDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
