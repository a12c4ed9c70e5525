"""API of screening: settings, progress, the next item, decisions, the log and claims."""
from __future__ import annotations

import dataclasses

import django_filters
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from reviewapp.api_base import IdFilter, PersonNameField, ReviewApiView, StrictFieldsMixin, string_list_field
from reviewapp.exceptions import ApplicationError

from .. import rules, selectors, services
from ..models import (
    Decision,
    ScreeningItem,
    ScreeningSettings,
    ScreeningStage,
    validate_keyword_list,
)
from .common import STAGES, ItemStatus, stage_or_404
from .records import RecordSerializer

# ---------------------------------------------------------------- screening

class ScreeningSettingsSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    exclusion_reasons = string_list_field(required=False, label="Full-text exclusion reasons",
                                          help_text="The reasons a full text may be excluded for.")

    class Meta:
        model = ScreeningSettings
        fields = ["reviewers_per_record", "blind", "criteria", "include_keywords", "exclude_keywords",
                  "exclusion_reasons", "conflict_resolver", "prioritise", "fulltext_resolver"]
        # The model's help text predates the freeze of conflicts (a migration would only reword it).
        extra_kwargs = {"blind": {"help_text": "Reviewers see nothing of each other's decisions on a record until "
                                               "it is settled; a conflict freezes both decisions until resolved."},
                        "include_keywords": {"validators": [validate_keyword_list]},
                        "exclude_keywords": {"validators": [validate_keyword_list]}}

    def validate_exclusion_reasons(self, value):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise serializers.ValidationError("A list of reasons, each a text.")
        try:  # the service's cleaning, as for the page's form
            return services.exclusion_reasons_clean(value)
        except ApplicationError as exc:
            raise serializers.ValidationError(exc.message) from None

    def validate_conflict_resolver(self, user):
        refusal = rules.conflict_resolver_refusal(review=self.context["view"].review, user=user)
        if refusal:
            raise serializers.ValidationError(refusal)
        return user


class ScreeningSettingsApi(ReviewApiView):
    """How the review screens; PATCH changes it (leads)."""

    capabilities = {"PATCH": "edit_review"}

    @extend_schema(responses=ScreeningSettingsSerializer)
    def get(self, request, review_id: int):
        return Response(ScreeningSettingsSerializer(selectors.screening_settings_get(review=self.review)).data)

    @extend_schema(request=ScreeningSettingsSerializer(partial=True), responses=ScreeningSettingsSerializer)
    def patch(self, request, review_id: int):
        cfg = selectors.screening_settings_get(review=self.review)
        data = ScreeningSettingsSerializer(cfg, data=request.data, partial=True, context={"view": self})
        data.is_valid(raise_exception=True)
        cfg = services.screening_settings_update(actor=request.user, review=self.review, **data.validated_data)
        return Response(ScreeningSettingsSerializer(cfg).data)


class StageProgressSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=ScreeningStage.choices)
    label = serializers.CharField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    settled = serializers.IntegerField()
    conflicts = serializers.IntegerField()
    mine = serializers.IntegerField(help_text="Your decisions at this stage.")
    open_for_me = serializers.IntegerField(help_text="Records still waiting for a decision that could be yours.")
    started = serializers.BooleanField()


class ScreeningProgressApi(ReviewApiView):
    """Where each screening stage stands, and your share of it."""

    @extend_schema(responses=StageProgressSerializer(many=True))
    def get(self, request, review_id: int):
        rows = [dataclasses.asdict(selectors.screening_progress(review=self.review, stage=s, user=request.user))
                for s in STAGES]
        return Response(StageProgressSerializer(rows, many=True).data)


class VisibleDecisionSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.get_username", read_only=True)
    reviewer_name = PersonNameField(source="reviewer")
    tags = string_list_field(read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "reviewer", "reviewer_name", "stage", "value", "reason", "note", "tags", "created_at",
                  "updated_at"]
        read_only_fields = fields


class ScreeningItemSerializer(serializers.ModelSerializer):
    record = RecordSerializer(read_only=True)
    decisions = serializers.SerializerMethodField(
        help_text="The decisions you may see: yours always; others' when screening is not blind, once the "
                  "record is settled, or while it is in conflict if you resolve that conflict.")
    may_change = serializers.SerializerMethodField(
        help_text="Whether a decision on this record may still be made, changed or taken back.")
    frozen_reason = serializers.SerializerMethodField(
        help_text="Why decisions on this record can no longer change (null while they can).")
    values = serializers.SerializerMethodField(help_text="The decisions one can make at this stage.")

    class Meta:
        model = ScreeningItem
        fields = ["id", "stage", "status", "decisions_count", "reason", "record", "decisions", "values", "may_change",
                  "frozen_reason"]
        read_only_fields = fields

    @extend_schema_field(VisibleDecisionSerializer(many=True))
    def get_decisions(self, item) -> list[dict]:
        user, cfg = self.context["request"].user, self.context["cfg"]
        if "visible" in self.context:  # read for a whole batch at once (selectors.decisions_visible_on)
            visible = self.context["visible"][item.pk]
        else:
            visible = selectors.decisions_visible_to(item=item, user=user, roles=self.context["roles"], cfg=cfg)
        return VisibleDecisionSerializer(visible, many=True).data

    def get_may_change(self, item) -> bool:
        return rules.may_change_decision(item=item)

    def get_frozen_reason(self, item) -> str | None:
        return rules.decision_change_refusal(item=item)

    def get_values(self, item) -> list[str]:
        return list(services.decisions_values(item.stage))


class NextItemSerializer(serializers.Serializer):
    item = ScreeningItemSerializer(allow_null=True, help_text="Null when nothing is left for you at this stage.")


STAGE_PARAMETER = OpenApiParameter("stage", str, OpenApiParameter.PATH, enum=ScreeningStage.values,
                                   description="The screening stage: `ta` title and abstract, `ft` full text.")


class ScreeningNextApi(ReviewApiView):
    """The record you screen next at this stage (held for you for a while, as on the screening page)."""

    capabilities = {"GET": "screen"}

    @extend_schema(responses=NextItemSerializer, parameters=[
        STAGE_PARAMETER,
        OpenApiParameter("skip", str, description="Comma-separated item ids to pass over this time.")])
    def get(self, request, review_id: int, stage: str):
        stage = stage_or_404(stage)
        skip = [int(s) for s in request.query_params.get("skip", "").split(",") if s.strip().isdigit()][:200]
        item = services.screening_next(reviewer=request.user, review=self.review, stage=stage, skip=skip)
        if item is not None:
            item = selectors.screening_item_get(review=self.review, item_id=item.pk)
        cfg = selectors.screening_settings_get(review=self.review)
        context = {"request": request, "cfg": cfg, "roles": self.review.user_roles}
        return Response({"item": ScreeningItemSerializer(item, context=context).data if item else None})


class ScreeningItemApi(ReviewApiView):
    """One record at one stage, with the decisions you may see on it."""

    capabilities = {"GET": "screen"}

    @extend_schema(responses=ScreeningItemSerializer)
    def get(self, request, review_id: int, item_id: int):
        item = selectors.screening_item_get(review=self.review, item_id=item_id)
        cfg = selectors.screening_settings_get(review=self.review)
        return Response(ScreeningItemSerializer(item, context={"request": request, "cfg": cfg,
                                                               "roles": self.review.user_roles}).data)


class DecisionSerializer(serializers.ModelSerializer):
    record = serializers.IntegerField(source="item.record_id", read_only=True)
    item_status = serializers.CharField(source="item.status", read_only=True)
    may_change = serializers.SerializerMethodField(help_text="Whether you may still change or take back this "
                                                             "decision (not once the other one is in).")
    tags = string_list_field(read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "item", "record", "stage", "value", "reason", "note", "tags", "item_status", "may_change",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def get_may_change(self, decision) -> bool:
        return rules.may_change_decision(item=decision.item)


class DecisionInputSerializer(StrictFieldsMixin, serializers.Serializer):
    item = serializers.IntegerField(help_text="The screening item (a record at a stage), as `next` gave it.")
    value = serializers.ChoiceField(choices=Decision.Value.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                                   help_text="Needed to exclude a full text: one of the review's reasons.")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, default=list)


class DecisionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ItemStatus.choices, field_name="item__status",
                                         label="Where the record stands now")

    class Meta:
        model = Decision
        fields = ["stage", "value", "status"]


class DecisionListApi(ReviewApiView, generics.ListAPIView):
    """Your own screening decisions; POST records one (or changes yours while the record waits)."""

    capabilities = {"GET": "screen", "POST": "screen"}
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    ordering_fields = ["updated_at", "created_at", "id"]
    ordering = ["-updated_at", "-id"]

    def review_queryset(self):
        return Decision.objects.filter(review=self.review, reviewer=self.request.user).select_related("item")

    @extend_schema(request=DecisionInputSerializer, responses={201: DecisionSerializer})
    def post(self, request, review_id: int):
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.decision_record(actor=request.user, review=self.review, item_id=data.validated_data["item"],
                                            value=data.validated_data["value"], reason=data.validated_data["reason"],
                                            note=data.validated_data["note"], tags=data.validated_data["tags"])
        decision = Decision.objects.select_related("item").get(pk=decision.pk)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class DecisionUndoApi(ReviewApiView):
    """Take back your latest decision at this stage; the record is yours to screen again."""

    capabilities = {"POST": "screen"}

    @extend_schema(request=None, responses=ScreeningItemSerializer, parameters=[STAGE_PARAMETER])
    def post(self, request, review_id: int, stage: str):
        stage = stage_or_404(stage)
        item = services.decision_undo(actor=request.user, review=self.review, stage=stage)
        item = selectors.screening_item_get(review=self.review, item_id=item.pk)
        cfg = selectors.screening_settings_get(review=self.review)
        return Response(ScreeningItemSerializer(item, context={"request": request, "cfg": cfg,
                                                               "roles": self.review.user_roles}).data)


class LoggedDecisionSerializer(serializers.ModelSerializer):
    """A decision in the log. Its value and reason are null while blind screening hides them."""

    reviewer = serializers.CharField(source="reviewer.get_username", read_only=True)
    reviewer_name = PersonNameField(source="reviewer")
    record = serializers.IntegerField(source="item.record_id", read_only=True)
    item_status = serializers.CharField(source="item.status", read_only=True)
    hidden = serializers.SerializerMethodField()
    value = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "reviewer", "reviewer_name", "item", "record", "stage", "item_status", "hidden",
                  "value", "reason",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def _hidden(self, d) -> bool:
        return not selectors.decision_value_visible(decision=d, user=self.context["request"].user,
                                                    roles=self.context["roles"], cfg=self.context["cfg"])

    def get_hidden(self, d) -> bool:
        return self._hidden(d)

    def get_value(self, d) -> str | None:
        return None if self._hidden(d) else d.value

    def get_reason(self, d) -> str | None:
        return None if self._hidden(d) else d.reason


class DecisionLogFilter(django_filters.FilterSet):
    reviewer = IdFilter(field_name="reviewer_id", label="The reviewer's user id")

    class Meta:
        model = Decision
        fields = ["stage", "reviewer"]


class DecisionLogApi(ReviewApiView, generics.ListAPIView):
    """Who screened what and when (leads); values of records still waiting stay hidden when blind."""

    capabilities = {"GET": "resolve_conflicts"}
    serializer_class = LoggedDecisionSerializer
    filterset_class = DecisionLogFilter
    ordering_fields = ["updated_at", "id"]
    ordering = ["-updated_at", "-id"]

    def review_queryset(self):
        return selectors.decisions_log(review=self.review)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "review"):
            context["cfg"] = selectors.screening_settings_get(review=self.review)
            context["roles"] = self.review.user_roles
        return context


class ClaimsReleaseSerializer(serializers.Serializer):
    released = serializers.IntegerField(help_text="How many records the person held.")


class ClaimsReleaseApi(ReviewApiView):
    """Give back the records a screener holds (e.g. someone leaving the team), so others can take
    them (leads), as the screening log does."""

    capabilities = {"POST": "resolve_conflicts"}

    @extend_schema(request=None, responses=ClaimsReleaseSerializer)
    def post(self, request, review_id: int, user_id: int):
        person = get_object_or_404(get_user_model(), pk=user_id)
        count = services.claims_release(actor=request.user, review=self.review, reviewer=person)
        return Response({"released": count})
