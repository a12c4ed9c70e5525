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

from reviewapp.api_base import ReviewApiView, StrictFieldsMixin, string_list_field
from reviewapp.exceptions import ApplicationError
from reviewapp.models import Outcome

from . import grade, selectors, services
from .api_types import AnalysisSpecSerializer, RatingsStoredSerializer, RunResultSerializer
from .models import DESIGNS, Analysis, AnalysisRun
from .sof import selectors as sof_selectors
from .sof import services as sof_services
from .sof.models import GradeAssessment


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
    moderators = string_list_field(read_only=True, help_text="Extraction fields (keys) for a meta-regression.")
    spec = serializers.SerializerMethodField(help_text="What the analysis asks for, as each run stores it.")
    runs_url = serializers.SerializerMethodField(help_text="POST to it to run the analysis (leads).")

    class Meta(AnalysisSerializer.Meta):
        fields = [*AnalysisSerializer.Meta.fields, "timepoint", "designs", "exclude_high_risk", "cluster_field",
                  "subgroup_field", "moderators", "level", "spec", "runs_url", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(AnalysisSpecSerializer)
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
    spec = serializers.SerializerMethodField(help_text="What the run was asked for (the analysis as it was then).")

    class Meta(RunBriefSerializer.Meta):
        fields = [*RunBriefSerializer.Meta.fields, "analysis", "error", "attempts", "spec", "created_at",
                  "started_at", "finished_at", "results", "plain_language", "inputs"]
        read_only_fields = fields

    def _done(self, run) -> bool:
        return run.status == AnalysisRun.Status.DONE and bool(run.results)

    @extend_schema_field(RunResultSerializer(allow_null=True))
    def get_results(self, run) -> dict | None:
        return run.results.get("summary") if self._done(run) else None

    @extend_schema_field(AnalysisSpecSerializer)
    def get_spec(self, run) -> dict:
        return run.spec

    def get_plain_language(self, run) -> str | None:
        return run.results.get("plain_language") if self._done(run) else None

    @extend_schema_field(RunInputsSerializer(allow_null=True))
    def get_inputs(self, run) -> dict | None:
        if not self._done(run) or not run.inputs:
            return None
        return {key: run.inputs.get(key, []) for key in ("studies", "excluded", "notes")}


class AnalysisInputSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """What the page's analysis form asks; the service checks the rest (designs, study-level fields,
    names unique in the review) for both."""

    outcome = serializers.PrimaryKeyRelatedField(queryset=Outcome.objects.none(),
                                                 help_text="The outcome (id) whose results are pooled.")
    name = serializers.CharField(max_length=200, required=False, help_text="Default: the outcome's name.")
    designs = serializers.ListField(child=serializers.ChoiceField(choices=DESIGNS), required=False,
                                    help_text="The study designs that enter. Default: controlled designs only.")
    moderators = serializers.ListField(child=serializers.CharField(max_length=100), required=False,
                                       help_text="Study-level extraction fields (keys) for a meta-regression.")
    level = serializers.FloatField(required=False, help_text="The confidence level in percent: at least 50, "
                                                             "below 100 (e.g. 95).")

    class Meta:
        model = Analysis
        fields = ["outcome", "name", "timepoint", "measure", "method", "test", "designs", "exclude_high_risk",
                  "subgroup_field", "cluster_field", "moderators", "level"]

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        if review is not None:  # None: the schema's description only
            self.fields["outcome"].queryset = review.outcomes.all()


class AnalysisListApi(ReviewApiView, generics.ListAPIView):
    """The review's analyses, in their order, each with its latest run; POST defines one (leads),
    as the page New analysis does."""

    capabilities = {"POST": "run_analyses"}
    serializer_class = AnalysisSerializer
    ordering_fields = ["position", "name", "id"]
    ordering = ["position", "id"]

    def review_queryset(self):
        return selectors.analyses_list(review=self.review)

    @extend_schema(request=AnalysisInputSerializer, responses={201: AnalysisDetailSerializer})
    def post(self, request, review_id: int):
        data = AnalysisInputSerializer(data=request.data, review=self.review)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        analysis = services.analysis_create(actor=request.user, review=self.review, **fields)
        return Response(AnalysisDetailSerializer(analysis, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class AnalysisDetailApi(ReviewApiView):
    """One analysis with its settings (spec) and latest run; PATCH changes its definition (leads),
    which marks the last run stale when the change affects it."""

    capabilities = {"PATCH": "run_analyses"}

    @extend_schema(responses=AnalysisDetailSerializer)
    def get(self, request, review_id: int, analysis_id: int):
        analysis = selectors.analysis_get(review=self.review, analysis_id=analysis_id)
        return Response(AnalysisDetailSerializer(analysis, context={"request": request}).data)

    @extend_schema(request=AnalysisInputSerializer(partial=True), responses=AnalysisDetailSerializer)
    def patch(self, request, review_id: int, analysis_id: int):
        analysis = selectors.analysis_get(review=self.review, analysis_id=analysis_id)
        data = AnalysisInputSerializer(analysis, data=request.data, partial=True, review=self.review)
        data.is_valid(raise_exception=True)
        analysis = services.analysis_update(actor=request.user, analysis=analysis, **data.validated_data)
        return Response(AnalysisDetailSerializer(analysis, context={"request": request}).data)


class AnalysesDefaultsApi(ReviewApiView):
    """Define one analysis with the default settings for each outcome that has none (leads), as the
    page's button does: the answer lists those made."""

    capabilities = {"POST": "run_analyses"}

    @extend_schema(request=None, responses={201: AnalysisSerializer(many=True)})
    def post(self, request, review_id: int):
        made = services.analyses_create_defaults(actor=request.user, review=self.review)
        return Response(AnalysisSerializer(made, many=True, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class AnalysesRunAllApi(ReviewApiView):
    """Run every analysis (leads), as the page's Run all does: 202 with the runs queued."""

    capabilities = {"POST": "run_analyses"}

    @extend_schema(request=None, responses={202: RunBriefSerializer(many=True)})
    def post(self, request, review_id: int):
        runs = services.analyses_run_all(actor=request.user, review=self.review)
        return Response(RunBriefSerializer(runs, many=True, context={"request": request}).data,
                        status=status.HTTP_202_ACCEPTED)


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

class RatingInputSerializer(StrictFieldsMixin, serializers.Serializer):
    change = serializers.IntegerField(help_text="0, -1 or -2 for rating down; 0, +1 or +2 for rating up.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000,
                                   help_text="Needed when the rating differs from the proposal.")


class DomainRatingsInputSerializer(serializers.Serializer):
    """The schema's view of `ratings`: a property per GRADE domain, each optional."""

    def get_fields(self):
        return {domain: RatingInputSerializer(required=False, label=grade.DOMAIN_LABELS[domain])
                for domain in grade.DOMAINS}


@extend_schema_field(DomainRatingsInputSerializer)
class DomainRatingsField(serializers.DictField):
    """Ratings by GRADE domain (checked by the service, which names an unknown domain)."""


class RatingsInputSerializer(StrictFieldsMixin, serializers.Serializer):
    ratings = DomainRatingsField(
        child=RatingInputSerializer(), allow_empty=False,
        help_text="GRADE domain -> its rating; the domains sent are rated, the others stay. Rating down "
                  "(risk_of_bias, inconsistency, indirectness, imprecision, publication_bias) takes 0, -1 or -2; "
                  "rating up (large_effect, dose_response, confounding) 0, +1 or +2.")


class AcceptedSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="How many domains took their proposal.")


def _sof_outcome(review, outcome_id: int):
    outcome = review.outcomes.filter(pk=outcome_id).first()
    if outcome is None:
        raise Http404("No such outcome.")
    return outcome


class SofDomainSerializer(serializers.Serializer):
    domain = serializers.ChoiceField(choices=list(grade.DOMAINS))
    label = serializers.CharField()
    proposed = serializers.IntegerField(source="proposal.change", help_text="What the data propose.")
    proposal_reason = serializers.CharField(source="proposal.reason")
    rating = serializers.IntegerField(source="change", help_text="The rating in force: the lead's, else the "
                                                                 "proposal.")
    reason = serializers.SerializerMethodField(help_text="The lead's reason, if they rated the domain.")
    changed_by_lead = serializers.BooleanField()
    moved = serializers.BooleanField(help_text="The data now propose something else than when the lead rated.")

    def get_reason(self, row) -> str:
        return (row.rating or {}).get("reason", "")


class SofSettingsSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = GradeAssessment
        fields = ["analysis", "control_risk", "mid", "sd", "sd_scale", "comment"]

    def __init__(self, *args, outcome=None, **kwargs):
        super().__init__(*args, **kwargs)
        if outcome is not None:
            self.fields["analysis"].queryset = outcome.analyses.all()


class SofRowSerializer(serializers.Serializer):
    outcome = serializers.IntegerField(source="outcome.pk")
    outcome_name = serializers.CharField(source="outcome.name")
    analysis = serializers.IntegerField(source="analysis.pk", allow_null=True, default=None,
                                        help_text="The analysis that represents the outcome.")
    run = serializers.IntegerField(source="run.pk", allow_null=True, default=None)
    stale = serializers.BooleanField(help_text="The data changed since that run.")
    certainty = serializers.IntegerField(help_text="4 high, 3 moderate, 2 low, 1 very low (0: no finished run).")
    certainty_label = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    domains = SofDomainSerializer(many=True)
    settings = serializers.SerializerMethodField()

    @extend_schema_field(SofSettingsSerializer(allow_null=True))
    def get_settings(self, row) -> dict | None:
        return None if row.assessment is None else SofSettingsSerializer(row.assessment).data


class SofApi(ReviewApiView):
    """The summary of findings as the page shows it: per outcome, the analysis behind it, each GRADE
    domain's proposal and the rating in force (with the lead's reason), and the certainty."""

    @extend_schema(responses=SofRowSerializer(many=True))
    def get(self, request, review_id: int):
        rows = sof_selectors.sof_rows(review=self.review, with_staleness=True)
        return Response(SofRowSerializer(rows, many=True).data)


class SofSettingsApi(ReviewApiView):
    """One outcome's settings in the summary of findings (which analysis represents it, the assumed
    control risk, the minimal important difference, the SD for back-translation, a comment); PATCH
    changes them (leads), as the page's settings form does."""

    capabilities = {"PATCH": "grade"}

    @extend_schema(request=SofSettingsSerializer(partial=True), responses=SofSettingsSerializer)
    def patch(self, request, review_id: int, outcome_id: int):
        outcome = _sof_outcome(self.review, outcome_id)
        data = SofSettingsSerializer(data=request.data, partial=True, outcome=outcome)
        data.is_valid(raise_exception=True)
        assessment = sof_services.assessment_update(actor=request.user, review=self.review, outcome=outcome,
                                                    **data.validated_data)
        return Response(SofSettingsSerializer(assessment).data)


class SofRatingClearApi(ReviewApiView):
    """Take one domain of an outcome back to its proposal (leads), as the page's button does."""

    capabilities = {"DELETE": "grade"}

    @extend_schema(responses={204: None})
    def delete(self, request, review_id: int, outcome_id: int, domain: str):
        if domain not in grade.DOMAINS:
            raise Http404(f"No such GRADE domain; use one of: {', '.join(grade.DOMAINS)}.")
        sof_services.rating_clear(actor=request.user, review=self.review,
                                  outcome=_sof_outcome(self.review, outcome_id), domain=domain)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SofRatingsApi(ReviewApiView):
    """The lead's GRADE ratings of one outcome's domains, as the page's form for that outcome saves them:
    every domain is checked first, and a refusal names each domain at fault (``ratings.<domain>``) and
    changes nothing. Answers the stored ratings of the domains sent."""

    capabilities = {"PUT": "grade"}

    @extend_schema(request=RatingsInputSerializer, responses={200: RatingsStoredSerializer})
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
