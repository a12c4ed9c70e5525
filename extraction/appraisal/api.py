"""The API of risk-of-bias appraisal: the review's tools (RoB 2, ROBINS-I, custom ones), the
appraisals with their domain and overall judgements, one's own appraisal, and the consensus.

An appraisal is an extraction on an appraisal tool's form, so saving, settling, finalising and
reopening go through the same services as extraction (after the appraisal's own checks). As on
the appraisal pages, an appraiser is blind to the other appraiser until both are done, and the
comparison is then open to the two appraisers and whoever settles differences only.
"""
from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from reviewapp.api_base import MAX_ID, IdFilter, ReviewApiView, StrictFieldsMixin

from .. import api_types, rules
from .. import services as extraction_services
from ..api import consensus as consensus_api
from ..api import entries as entries_api
from ..api import forms as forms_api
from ..models import Extraction, FormTemplate
from . import judgements, selectors, services, tools

Kind = FormTemplate.Kind
Status = Extraction.Status
TARGET_PARAMETERS = [
    OpenApiParameter("outcome", OpenApiTypes.STR, description="For a tool that judges each result: the outcome "
                                                               "(one of the review's outcomes, by name)"),
    OpenApiParameter("effect", OpenApiTypes.STR, enum=list(tools.EFFECTS),
                     description="For RoB 2: the effect of interest (assignment or adhering)")]


def _tool(template: FormTemplate) -> dict:
    # From the prefetched versions (tool_templates prefetches them): no query per field and tool.
    versions = list(template.versions.all())
    if not versions:
        return {}
    return tools.tool_of(max(versions, key=lambda v: v.number).definition) or {}


# ---------------------------------------------------------------- tools

class ToolSerializer(forms_api.FormSerializer):
    tool = serializers.SerializerMethodField(help_text="The built-in tool's slug (rob2-parallel, robins-i, ...), "
                                                       "or custom.")
    tool_version = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField(help_text="result: appraised per outcome; study: once per study.")
    effects = serializers.SerializerMethodField(help_text="The effects of interest the tool assesses (RoB 2).")
    judgement_levels = serializers.SerializerMethodField(help_text="From best to worst, then 'no information'.")
    high_risk_from = serializers.SerializerMethodField(
        help_text="The level from which a judgement counts as high risk, as the tool sets it; empty: the worse "
                  "half of the scale.")
    high_risk_levels = serializers.SerializerMethodField(
        help_text="The levels that count as high risk (GRADE, the figures, analyses that leave high risk out).")

    class Meta(forms_api.FormSerializer.Meta):
        fields = [*forms_api.FormSerializer.Meta.fields, "tool", "tool_version", "level", "effects",
                  "judgement_levels", "high_risk_from", "high_risk_levels"]
        read_only_fields = fields

    def get_tool(self, template) -> str:
        return _tool(template).get("slug", "")

    def get_tool_version(self, template) -> str:
        return str(_tool(template).get("version", ""))

    def get_level(self, template) -> str:
        return _tool(template).get("level", "study")

    def get_effects(self, template) -> list[str]:
        return list(_tool(template).get("effects") or [])

    def get_judgement_levels(self, template) -> list[str]:
        return tools.judgement_levels(_tool(template))

    def get_high_risk_from(self, template) -> str:
        return _tool(template).get("high_risk_from") or ""

    def get_high_risk_levels(self, template) -> list[str]:
        tool = _tool(template)
        return tools.high_risk_levels(tool) if tool.get("scale") else []


class ToolDetailSerializer(ToolSerializer):
    definition = serializers.SerializerMethodField(
        help_text="The tool: its domains with their signalling questions (key, id, text) and answer options.")

    class Meta(ToolSerializer.Meta):
        fields = [*ToolSerializer.Meta.fields, "definition"]
        read_only_fields = fields

    @extend_schema_field(api_types.ToolDefinitionSerializer)
    def get_definition(self, template):
        return _tool(template)


class ToolAddSerializer(StrictFieldsMixin, serializers.Serializer):
    """A built-in tool by its slug, or a custom tool defined here (as on the custom tool page)."""

    tool = serializers.CharField(required=False, max_length=60,
                                 help_text="A built-in tool's slug: rob2-parallel, rob2-cluster, rob2-crossover, "
                                           "robins-i, prepost-checklist (its latest version).")
    name = serializers.CharField(required=False, max_length=200, help_text="A custom tool's name.")
    level = serializers.ChoiceField(choices=[(v, v) for v in tools.LEVELS], required=False, default="study")
    answers = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list,
                                    max_length=50, help_text="A custom tool's answer options.")
    scale = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list,
                                  max_length=50, help_text="A custom tool's judgement levels, best first.")
    high_risk_from = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=60,
        help_text="A custom tool's level from which a judgement counts as high risk (one of its scale, not "
                  "the best); empty: the worse half of the scale.")
    no_information = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    domains = serializers.CharField(required=False, allow_blank=True, default="", max_length=50000,
                                    help_text="A custom tool's domains: a line per domain's title, and under it a "
                                              "line per question starting with '-' (ending in '(NA)' where not "
                                              "applicable is allowed).")

    def validate(self, data):
        if not data.get("tool") and not data.get("name"):
            raise serializers.ValidationError({"tool": ["Name a built-in tool, or give a custom tool's name."]})
        if data.get("tool") and not selectors.builtin_tools().filter(slug=data["tool"]).exists():
            raise serializers.ValidationError({"tool": ["No built-in tool has this slug."]})
        if data.get("tool") and data.get("high_risk_from"):
            raise serializers.ValidationError({"high_risk_from": ["A built-in tool keeps its own; set it on a "
                                                                  "custom tool."]})
        wrong = tools.high_risk_from_error(data.get("scale") or list(services.CUSTOM_SCALE),
                                           (data.get("high_risk_from") or "").strip())
        if not data.get("tool") and wrong:
            raise serializers.ValidationError({"high_risk_from": [wrong]})
        return data


class ToolSettlerSerializer(StrictFieldsMixin, serializers.Serializer):
    settler = serializers.IntegerField(allow_null=True, min_value=1, max_value=MAX_ID,
                                       help_text="The user id of a member who settles this tool's appraisals "
                                                 "besides the leads; null for leads only.")


class ToolListApi(ReviewApiView, generics.ListAPIView):
    """The review's appraisal tools, published; POST adds a built-in tool or defines a custom one
    (leads)."""

    capabilities = {"POST": "build_forms"}
    serializer_class = ToolSerializer
    filter_backends: list = []

    def review_queryset(self):
        return selectors.tool_templates(review=self.review)

    @extend_schema(request=ToolAddSerializer, responses={201: ToolDetailSerializer})
    def post(self, request, review_id: int):
        data = ToolAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("tool"):
            tool = selectors.builtin_tools().filter(slug=values["tool"]).order_by("-version").first()
            template = services.tool_form_add(actor=request.user, review=self.review, tool=tool)
        else:
            template = services.custom_tool_save(
                actor=request.user, review=self.review, name=values["name"], level=values["level"],
                answers=values["answers"], scale=values["scale"], no_information=values["no_information"],
                high_risk_from=values["high_risk_from"],
                domains_text=values["domains"])
        return Response(ToolDetailSerializer(selectors.tool_template_get(review=self.review, template_id=template.pk)
                                             ).data, status=status.HTTP_201_CREATED)


class ToolDetailApi(ReviewApiView):
    """One appraisal tool with its domains and questions; PATCH names who else settles its
    appraisals (leads)."""

    capabilities = {"PATCH": "build_forms"}

    @extend_schema(responses=ToolDetailSerializer)
    def get(self, request, review_id: int, tool_id: int):
        return Response(ToolDetailSerializer(selectors.tool_template_get(review=self.review, template_id=tool_id)).data)

    @extend_schema(request=ToolSettlerSerializer, responses=ToolDetailSerializer)
    def patch(self, request, review_id: int, tool_id: int):
        template = selectors.tool_template_get(review=self.review, template_id=tool_id)
        data = ToolSettlerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        settler = None
        if data.validated_data["settler"] is not None:
            settler = rules.settler_candidates(review=self.review).filter(pk=data.validated_data["settler"]).first()
            if settler is None:
                raise exceptions.ValidationError({"settler": ["Not an extractor or lead of this review."]})
        extraction_services.template_settler_set(actor=request.user, template=template, settler=settler)
        return Response(ToolDetailSerializer(selectors.tool_template_get(review=self.review, template_id=tool_id)
                                             ).data)


# ---------------------------------------------------------------- appraisals

class JudgementSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The domain's key, or overall.")
    short = serializers.CharField(allow_blank=True)
    title = serializers.CharField()
    proposed = serializers.CharField(allow_null=True, help_text="What the tool's algorithm proposes from the answers.")
    proposal_reason = serializers.CharField(allow_blank=True)
    confirm = serializers.BooleanField(help_text="The proposal must be confirmed by choosing a judgement.")
    chosen = serializers.CharField(allow_null=True, help_text="The judgement the appraiser chose (null: the "
                                                              "proposal stands).")
    final = serializers.CharField(allow_null=True)
    overridden = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, help_text="Why the proposal was overridden.")


class JudgementsSerializer(serializers.Serializer):
    domains = JudgementSerializer(many=True)
    overall = JudgementSerializer()


def judgements_of(extraction: Extraction, answers: dict | None) -> dict | None:
    if answers is None:
        return None
    domains, overall = judgements.evaluate(extraction.version.definition, answers, extraction.target)
    return JudgementsSerializer({"domains": domains, "overall": overall}).data


class AppraisalSerializer(entries_api.ExtractionSerializer):
    tool = serializers.IntegerField(source="template_id", read_only=True)
    tool_name = serializers.CharField(source="template.name", read_only=True)
    outcome = serializers.SerializerMethodField(help_text="The result's outcome ('' for a whole-study appraisal).")
    effect = serializers.SerializerMethodField(help_text="The effect of interest (RoB 2), or ''.")
    overall = serializers.SerializerMethodField(help_text="Once final: the consensus overall judgement.")

    class Meta(entries_api.ExtractionSerializer.Meta):
        fields = ["id", "tool", "tool_name", "study", "study_label", "target", "outcome", "effect", "version",
                  "status", "overall", "entries", "mine", "finalised_by", "finalised_at", "created_at", "updated_at"]
        read_only_fields = fields

    def get_outcome(self, extraction) -> str:
        return tools.target_parse(extraction.target)[0]

    def get_effect(self, extraction) -> str:
        return tools.target_parse(extraction.target)[1]

    def get_overall(self, extraction) -> str | None:
        if extraction.status != Status.DONE or extraction.consensus is None:
            return None
        return judgements.final_judgements(extraction.version.definition, extraction.consensus,
                                           extraction.target)[1]


class AppraisalDetailSerializer(AppraisalSerializer):
    my_entry = serializers.SerializerMethodField(help_text="Your own appraisal with its answers, or null.")
    my_judgements = serializers.SerializerMethodField(help_text="The judgements your answers give, or null.")
    consensus = serializers.SerializerMethodField(help_text="Once final: the settled answers.")
    judgements = serializers.SerializerMethodField(help_text="Once final: each domain's and the overall "
                                                             "judgement of the consensus.")

    class Meta(AppraisalSerializer.Meta):
        fields = [*AppraisalSerializer.Meta.fields, "my_entry", "my_judgements", "consensus", "judgements"]
        read_only_fields = fields

    @extend_schema_field(entries_api.EntrySerializer(allow_null=True))
    def get_my_entry(self, extraction):
        entry = self._mine(extraction)
        return entries_api.EntrySerializer(entry).data if entry else None

    @extend_schema_field(JudgementsSerializer(allow_null=True))
    def get_my_judgements(self, extraction):
        entry = self._mine(extraction)
        return judgements_of(extraction, entry.answers if entry else None)

    @extend_schema_field(api_types.NullableAnswersField(allow_null=True))
    def get_consensus(self, extraction):
        return extraction.consensus if extraction.status == Status.DONE else None

    @extend_schema_field(JudgementsSerializer(allow_null=True))
    def get_judgements(self, extraction):
        return judgements_of(extraction, extraction.consensus if extraction.status == Status.DONE else None)


class AppraisalFilter(django_filters.FilterSet):
    study = IdFilter(field_name="study_id", label="The study (id)")
    tool = IdFilter(field_name="template_id", label="The tool (id)")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    outcome = django_filters.CharFilter(method="of_outcome", label="Appraisals of results of this outcome (name)")

    class Meta:
        model = Extraction
        fields = ["study", "tool", "status", "outcome"]

    def of_outcome(self, queryset, name, value):
        return queryset.filter(target__startswith=value + tools.SEPARATOR)


class AppraisalListApi(entries_api.ExtractionListApi):
    """The review's appraisals: study, result, status, who appraises, your own, and once final the
    overall judgement."""

    kind = Kind.APPRAISAL
    serializer_class = AppraisalSerializer
    filterset_class = AppraisalFilter


class AppraisalDetailApi(entries_api.ExtractionDetailApi):
    """One appraisal: your own answers and judgements, and once final the consensus judgements."""

    kind = Kind.APPRAISAL
    detail_serializer = AppraisalDetailSerializer

    @extend_schema(responses=AppraisalDetailSerializer)
    def get(self, request, review_id: int, appraisal_id: int):
        return self.detail(request, appraisal_id)


class AppraisalEntryApi(entries_api.EntryApi):
    """Your own appraisal of a study (and, for a tool that judges each result, of one outcome and
    effect of interest, named by `outcome` and `effect`): GET it, PUT all its answers (each
    question's answer and `<question>_note` support, `<domain>_judgement` and `<domain>_reason` to
    override a proposal, `overall_judgement`...), with `done` to mark it done. Proposals
    (`<domain>_proposed`) follow from the answers."""

    def _target(self, request) -> str:
        outcome = request.query_params.get("outcome", "")
        effect = request.query_params.get("effect", "")
        return tools.target_make(outcome, effect) if outcome or effect else ""

    def _template(self, form_id: int) -> FormTemplate:
        template = selectors.tool_template_get(review=self.review, template_id=form_id)
        services.check_target(template=template, target=self._target(self.request))
        return template

    def _save(self, request, template, study, data) -> None:
        services.appraisal_save_answers(actor=request.user, template=template, study=study,
                                        target=self._target(request), **data)

    @extend_schema(parameters=TARGET_PARAMETERS, responses=entries_api.EntrySerializer)
    def get(self, request, review_id: int, tool_id: int, study_id: int):
        return super().get(request, review_id, tool_id, study_id)

    @extend_schema(parameters=TARGET_PARAMETERS, request=entries_api.EntryInputSerializer,
                   responses=entries_api.EntrySerializer)
    def put(self, request, review_id: int, tool_id: int, study_id: int):
        return super().put(request, review_id, tool_id, study_id)


class AppraisalEntryReopenApi(AppraisalEntryApi, entries_api.EntryReopenApi):
    """Reopen your appraisal after marking it done (while the consensus is not final)."""

    nothing_to_reopen = "You have no finished appraisal to reopen."

    @extend_schema(parameters=TARGET_PARAMETERS, request=None, responses=entries_api.EntrySerializer)
    def post(self, request, review_id: int, tool_id: int, study_id: int):
        return super().post(request, review_id, tool_id, study_id)


# ---------------------------------------------------------------- comparison and consensus

class QuestionPairSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The path to settle it by.")
    id = serializers.CharField(allow_blank=True)
    text = serializers.CharField()
    a = serializers.CharField(allow_null=True)
    b = serializers.CharField(allow_null=True)
    note_a = serializers.CharField(allow_blank=True)
    note_b = serializers.CharField(allow_blank=True)
    differs = serializers.BooleanField()
    is_settled = serializers.BooleanField()
    settled = api_types.AnswerField(allow_null=True, help_text="The settled answer (when is_settled).")
    settle_note = serializers.CharField(allow_blank=True)
    choices = serializers.ListField(child=serializers.CharField())


class DomainPairSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    questions = QuestionPairSerializer(many=True)
    extra = QuestionPairSerializer(many=True, help_text="The judgements chosen, compared like answers.")
    a = JudgementSerializer(help_text="The first appraiser's judgement.")
    b = JudgementSerializer(help_text="The second appraiser's judgement.")
    consensus = JudgementSerializer(allow_null=True, help_text="What the settled answers give so far.")


class AppraisalComparisonSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    comparable = serializers.BooleanField(help_text="Whether you may see the two appraisals side by side now: not "
                                                    "before both are done, and before the consensus is final "
                                                    "only if you settle it.")
    blind_reason = serializers.CharField(allow_null=True, help_text="Why the appraisals stay hidden (when not "
                                                                    "comparable).")
    may_settle = serializers.BooleanField()
    entries = entries_api.EntryBriefSerializer(many=True)
    open = serializers.IntegerField(help_text="Differences not settled yet.")
    still_needed = serializers.ListField(child=serializers.CharField(),
                                         help_text="What the consensus still needs before it can be final.")
    domains = DomainPairSerializer(many=True)


class AppraisalConsensusMixin(consensus_api.ConsensusMixin):
    kind = Kind.APPRAISAL
    detail_serializer = AppraisalDetailSerializer



class AppraisalDifferencesApi(AppraisalConsensusMixin, ReviewApiView):
    """Both appraisals side by side, domain by domain, once both are done (before, `comparable` is
    false). Open to the two appraisers and whoever settles differences, as the comparison page is."""

    @extend_schema(responses=AppraisalComparisonSerializer)
    def get(self, request, review_id: int, appraisal_id: int):
        extraction = self.extraction(appraisal_id)
        refusal = self.comparison_refusal(extraction)
        body = {"status": extraction.status, "comparable": refusal is None, "blind_reason": refusal,
                "may_settle": self.may_settle(extraction), "entries": [], "open": 0, "still_needed": [], "domains": []}
        if refusal:
            return Response(AppraisalComparisonSerializer(body).data)
        consensus, open_paths = (extraction.consensus, []) if extraction.status == Status.DONE else \
            extraction_services.consensus_answers(extraction)
        entries, domains = selectors.comparison(extraction=extraction, consensus=consensus)
        body.update(entries=entries, domains=domains, open=len(open_paths),
                    still_needed=[] if open_paths else judgements.problems(extraction.version.definition, consensus,
                                                                            extraction.target))
        return Response(AppraisalComparisonSerializer(body).data)


class AppraisalSettlementsApi(AppraisalConsensusMixin, consensus_api.SettlementsApi):
    """Settle one answer on which the two appraisals differ (its key as `path`)."""

    @extend_schema(request=consensus_api.SettleSerializer, responses=consensus_api.SettlementSerializer)
    def post(self, request, review_id: int, appraisal_id: int):
        return super().post(request, review_id, appraisal_id)


class AppraisalFinaliseApi(AppraisalConsensusMixin, consensus_api.FinaliseApi):
    """Make the consensus appraisal final once every difference is settled and every judgement made."""

    @extend_schema(request=None, responses=AppraisalDetailSerializer)
    def post(self, request, review_id: int, appraisal_id: int):
        return super().post(request, review_id, appraisal_id)


class AppraisalReopenApi(AppraisalConsensusMixin, consensus_api.ConsensusReopenApi):
    """Undo a final consensus appraisal (its settlements stay)."""

    @extend_schema(request=None, responses=AppraisalDetailSerializer)
    def post(self, request, review_id: int, appraisal_id: int):
        return super().post(request, review_id, appraisal_id)
