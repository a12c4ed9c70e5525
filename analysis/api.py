"""The API of analyses: list and read them, run one (leads), and follow its run to the result.

Each view: access check (`ReviewApiView` with the capability per method), one service or
selector, serialize. A run is asked for with the service behind the page's Run button, so while
one is queued or running that one is answered rather than a second started.
"""
from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView, string_list_field
from reviewapp.exceptions import ApplicationError

from . import selectors, services, sof_services
from .models import DESIGNS, Analysis, AnalysisRun


def run_url(run: AnalysisRun, request=None) -> str:
    path = reverse("api_analysis_run", args=[run.analysis.review_id, run.analysis_id, run.pk])
    return request.build_absolute_uri(path) if request else path


class RunBriefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="GET it until `status` is done or failed.")

    class Meta:
        model = AnalysisRun
        fields = ["id", "number", "status", "url"]
        read_only_fields = fields

    def get_url(self, run) -> str:
        return run_url(run, self.context.get("request"))


class AnalysisSerializer(serializers.ModelSerializer):
    outcome = serializers.CharField(source="outcome.name", read_only=True)
    latest_run = serializers.SerializerMethodField(help_text="The latest run, whatever its status (null before any).")

    class Meta:
        model = Analysis
        fields = ["id", "name", "outcome", "measure", "method", "test", "latest_run"]
        read_only_fields = fields

    @extend_schema_field(RunBriefSerializer(allow_null=True))
    def get_latest_run(self, analysis) -> dict | None:
        run = selectors.last_run(analysis=analysis)
        return None if run is None else RunBriefSerializer(run, context=self.context).data


class AnalysisDetailSerializer(AnalysisSerializer):
    designs = string_list_field(choices=DESIGNS, read_only=True, help_text="The study designs that enter.")
    spec = serializers.SerializerMethodField(help_text="What the analysis asks for, as each run stores it.")
    runs_url = serializers.SerializerMethodField(help_text="POST to it to run the analysis (leads).")

    class Meta(AnalysisSerializer.Meta):
        fields = [*AnalysisSerializer.Meta.fields, "timepoint", "designs", "exclude_high_risk", "cluster_field",
                  "subgroup_field", "moderators", "level", "spec", "runs_url", "created_at", "updated_at"]
        read_only_fields = fields

    def get_spec(self, analysis) -> dict:
        return analysis.spec()

    def get_runs_url(self, analysis) -> str:
        path = reverse("api_analysis_runs", args=[analysis.review_id, analysis.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class UsedStudySerializer(serializers.Serializer):
    study_id = serializers.IntegerField()
    label = serializers.CharField()
    yi = serializers.FloatField(help_text="The effect size, pointed the outcome's way.")
    vi = serializers.FloatField(help_text="Its sampling variance.")
    n = serializers.IntegerField(allow_null=True, required=False)
    design = serializers.CharField(required=False)
    timepoint = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.ListField(child=serializers.CharField(), required=False)


class LeftOutStudySerializer(serializers.Serializer):
    study_id = serializers.IntegerField()
    label = serializers.CharField()
    reason = serializers.CharField()


class RunInputsSerializer(serializers.Serializer):
    studies = UsedStudySerializer(many=True, help_text="The studies pooled.")
    excluded = LeftOutStudySerializer(many=True, help_text="The studies left out, each with the reason.")
    notes = serializers.ListField(child=serializers.CharField())


class RunSerializer(RunBriefSerializer):
    analysis = serializers.IntegerField(source="analysis_id", read_only=True)
    results = serializers.SerializerMethodField(
        help_text="Once done: the pooled estimate (b, se, ci_lb, ci_ub, pval, tau2, I2, QE, k, ...); else null.")
    plain_language = serializers.SerializerMethodField()
    inputs = serializers.SerializerMethodField(help_text="Once done: the data the run pooled; else null.")

    class Meta(RunBriefSerializer.Meta):
        fields = [*RunBriefSerializer.Meta.fields, "analysis", "error", "attempts", "spec", "created_at",
                  "started_at", "finished_at", "results", "plain_language", "inputs"]
        read_only_fields = fields

    def _done(self, run) -> bool:
        return run.status == AnalysisRun.Status.DONE and bool(run.results)

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_results(self, run) -> dict | None:
        return run.results.get("summary") if self._done(run) else None

    def get_plain_language(self, run) -> str | None:
        return run.results.get("plain_language") if self._done(run) else None

    @extend_schema_field(RunInputsSerializer(allow_null=True))
    def get_inputs(self, run) -> dict | None:
        if not self._done(run) or not run.inputs:
            return None
        return {key: run.inputs.get(key, []) for key in ("studies", "excluded", "notes")}


class AnalysisListApi(ReviewApiView, generics.ListAPIView):
    """The review's analyses, in their order, each with its latest run."""

    serializer_class = AnalysisSerializer
    ordering_fields = ["position", "name", "id"]
    ordering = ["position", "id"]

    def review_queryset(self):
        return selectors.analyses_list(review=self.review)


class AnalysisDetailApi(ReviewApiView):
    """One analysis with its settings (spec) and latest run."""

    @extend_schema(responses=AnalysisDetailSerializer)
    def get(self, request, review_id: int, analysis_id: int):
        analysis = selectors.analysis_get(review=self.review, analysis_id=analysis_id)
        return Response(AnalysisDetailSerializer(analysis, context={"request": request}).data)


class AnalysisRunsApi(ReviewApiView):
    """Run the analysis (leads): 202 with the run's URL (also in Location). While a run is queued
    or running, that run is answered instead of a second one."""

    capabilities = {"POST": "run_analyses"}

    @extend_schema(request=None, responses={202: RunSerializer})
    def post(self, request, review_id: int, analysis_id: int):
        analysis = selectors.analysis_get(review=self.review, analysis_id=analysis_id)
        run = services.analysis_run_request(actor=request.user, analysis=analysis)
        body = RunSerializer(run, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class AnalysisRunApi(ReviewApiView):
    """A run: its status (queued, running, done, failed), the reason if it failed, and once done
    the result and the data it pooled."""

    @extend_schema(responses=RunSerializer)
    def get(self, request, review_id: int, analysis_id: int, run_id: int):
        run = selectors.run_get(review=self.review, run_id=run_id, analysis_id=analysis_id)
        return Response(RunSerializer(run, context={"request": request}).data)


class AnalysisRunCancelApi(ReviewApiView):
    """Stop a run that is queued or running (leads); a run that has ended is a 400 with the reason."""

    capabilities = {"POST": "run_analyses"}

    @extend_schema(request=None, responses={200: RunSerializer})
    def post(self, request, review_id: int, analysis_id: int, run_id: int):
        run = selectors.run_get(review=self.review, run_id=run_id, analysis_id=analysis_id)
        run = services.analysis_run_cancel(actor=request.user, run=run)
        return Response(RunSerializer(run, context={"request": request}).data)


class AnalysisRunAgainApi(ReviewApiView):
    """Queue a failed or cancelled run again (leads): 202 with the run's URL."""

    capabilities = {"POST": "run_analyses"}

    @extend_schema(request=None, responses={202: RunSerializer})
    def post(self, request, review_id: int, analysis_id: int, run_id: int):
        run = selectors.run_get(review=self.review, run_id=run_id, analysis_id=analysis_id)
        run = services.analysis_run_again(actor=request.user, run=run)
        body = RunSerializer(run, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


# -- summary of findings: the lead's GRADE ratings ------------------------------------------

class RatingInputSerializer(serializers.Serializer):
    change = serializers.IntegerField(help_text="0, -1 or -2 for rating down; 0, +1 or +2 for rating up.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000,
                                   help_text="Needed when the rating differs from the proposal.")


class RatingsInputSerializer(serializers.Serializer):
    ratings = serializers.DictField(child=RatingInputSerializer(), allow_empty=False,
                                    help_text="GRADE domain (risk_of_bias, inconsistency, ...) -> its rating.")


class AcceptedSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="How many domains took their proposal.")


def _sof_outcome(review, outcome_id: int):
    outcome = review.outcomes.filter(pk=outcome_id).first()
    if outcome is None:
        raise Http404("No such outcome.")
    return outcome


class SofRatingsApi(ReviewApiView):
    """The lead's GRADE ratings of one outcome's domains, as the page's form for that outcome saves them:
    every domain is checked first, and a refusal names each domain at fault (``ratings.<domain>``) and
    changes nothing. Answers the stored ratings of the domains sent."""

    capabilities = {"PUT": "grade"}

    @extend_schema(request=RatingsInputSerializer, responses={200: {"type": "object"}})
    def put(self, request, review_id: int, outcome_id: int):
        outcome = _sof_outcome(self.review, outcome_id)
        data = RatingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            stored = sof_services.ratings_set(actor=request.user, review=self.review, outcome=outcome,
                                              ratings=data.validated_data["ratings"], confirm=True)
        except ApplicationError as exc:
            if "errors" not in exc.extra:
                raise
            raise serializers.ValidationError({"ratings": {d: [m] for d, m in exc.extra["errors"].items()}}) from None
        return Response({"ratings": stored})


class SofAcceptApi(ReviewApiView):
    """Accept the proposals of one outcome; ratings the lead changed stay. Audited, as the page's button."""

    capabilities = {"POST": "grade"}

    @extend_schema(request=None, responses=AcceptedSerializer, operation_id="summary_of_findings_outcome_accept")
    def post(self, request, review_id: int, outcome_id: int):
        n = sof_services.proposals_accept(actor=request.user, review=self.review,
                                          outcome=_sof_outcome(self.review, outcome_id))
        return Response(AcceptedSerializer({"accepted": n}).data)


class SofAcceptAllApi(ReviewApiView):
    """Accept the proposals of every outcome in the table; ratings the lead changed stay. Audited per
    outcome, as the page's button."""

    capabilities = {"POST": "grade"}

    @extend_schema(request=None, responses=AcceptedSerializer, operation_id="summary_of_findings_accept_all")
    def post(self, request, review_id: int):
        n = sof_services.proposals_accept(actor=request.user, review=self.review)
        return Response(AcceptedSerializer({"accepted": n}).data)
