"""API of conflicts and their resolution, and the bulk actions on records (exclude, tag)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response

from reviewapp.api_base import PersonNameField, ReviewApiView, StrictFieldsMixin

from .. import rules, selectors, services
from ..models import (
    Decision,
    ScreeningItem,
    ScreeningStage,
)
from .decisions import VisibleDecisionSerializer
from .records import RecordBriefSerializer

# ---------------------------------------------------------------- conflicts

class ConflictSerializer(serializers.ModelSerializer):
    record = RecordBriefSerializer(read_only=True)
    decisions = VisibleDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = ScreeningItem
        fields = ["id", "stage", "status", "record", "decisions"]
        read_only_fields = fields


class ResolveSerializer(StrictFieldsMixin, serializers.Serializer):
    value = serializers.ChoiceField(choices=Decision.Value.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ResolvedItemSerializer(serializers.ModelSerializer):
    resolved_by = serializers.CharField(source="resolved_by.get_username", default=None, allow_null=True,
                                        read_only=True)
    resolved_by_name = PersonNameField(source="resolved_by")

    class Meta:
        model = ScreeningItem
        fields = ["id", "stage", "status", "reason", "resolved_by", "resolved_by_name", "resolution_note", "settled_at"]
        read_only_fields = fields


class ConflictResolverMixin:
    """Leads resolve conflicts, and so does the third reviewer a lead names (`rules.may_resolve_some`;
    the service refuses them their own conflicts)."""

    def check_review(self, request) -> None:
        cfg = selectors.screening_settings_get(review=self.review)
        if not rules.may_resolve_some(user=request.user, roles=self.review.user_roles, cfg=cfg):
            raise exceptions.PermissionDenied(
                "Resolving conflicts needs the role Lead, or to be named the third reviewer.")


class ConflictListApi(ConflictResolverMixin, ReviewApiView, generics.ListAPIView):
    """Records in conflict, with every decision on them (whoever may resolve conflicts)."""

    serializer_class = ConflictSerializer
    filterset_fields = ["stage"]
    ordering_fields = ["stage", "id"]
    ordering = ["stage", "id"]

    def review_queryset(self):
        return selectors.conflicts(review=self.review, user=self.request.user, roles=self.review.user_roles)


class ConflictResolveApi(ConflictResolverMixin, ReviewApiView):
    """Settle a conflict with an outcome (a reason is needed to exclude a full text)."""

    capabilities = {"POST": "view"}  # the conflict rule of ConflictResolverMixin decides

    @extend_schema(request=ResolveSerializer, responses=ResolvedItemSerializer)
    def post(self, request, review_id: int, item_id: int):
        item = selectors.screening_item_get(review=self.review, item_id=item_id)
        refusal = rules.conflict_resolve_refusal(user=request.user, roles=self.review.user_roles, item=item,
                                                 cfg=selectors.screening_settings_get(review=self.review))
        if refusal:
            raise exceptions.PermissionDenied(refusal)
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.conflict_resolve(actor=request.user, review=self.review, item_id=item.pk, **data.validated_data)
        return Response(ResolvedItemSerializer(item).data)


class BulkExcludeSerializer(StrictFieldsMixin, serializers.Serializer):
    stage = serializers.ChoiceField(choices=ScreeningStage.choices)
    records = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
                                    min_length=1, max_length=rules.BULK_EXCLUDE_LIMIT,
                                    help_text="Record ids; all or none are excluded.")
    reason = serializers.CharField(max_length=200)


class BulkExcludeResultSerializer(serializers.Serializer):
    excluded = serializers.IntegerField()


class RecordsExcludeApi(ReviewApiView):
    """A lead excludes a selection of records at one stage with one reason (the records page's
    "Exclude selected"), audited as one action listing them. Only records nobody has decided at
    that stage; otherwise nothing changes and the refusal names them."""

    capabilities = {"POST": "resolve_conflicts"}

    @extend_schema(request=BulkExcludeSerializer, responses=BulkExcludeResultSerializer)
    def post(self, request, review_id: int):
        data = BulkExcludeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.records_exclude(actor=request.user, review=self.review, stage=data.validated_data["stage"],
                                         record_ids=data.validated_data["records"],
                                         reason=data.validated_data["reason"])
        return Response(BulkExcludeResultSerializer({"excluded": count}).data)


class BulkTagSerializer(StrictFieldsMixin, serializers.Serializer):
    records = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
                                    min_length=1, max_length=rules.BULK_EXCLUDE_LIMIT, help_text="Record ids.")
    tag = serializers.CharField(max_length=50)
    action = serializers.ChoiceField(choices=[("add", "Put the tag on them"), ("remove", "Take it off")],
                                     default="add")


class BulkTagResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="Records that gained (or lost) the tag.")


class RecordsTagApi(ReviewApiView):
    """A lead tags or untags a selection of records (the records page's "Tag selected"), audited as
    one action listing the records it changed; the records list's `tag` filter finds them."""

    capabilities = {"POST": "resolve_conflicts"}

    @extend_schema(request=BulkTagSerializer, responses=BulkTagResultSerializer)
    def post(self, request, review_id: int):
        data = BulkTagSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        valid = data.validated_data
        changed = services.records_tag(actor=request.user, review=self.review, record_ids=valid["records"],
                                       name=valid["tag"], add=valid["action"] == "add")
        return Response(BulkTagResultSerializer({"changed": changed}).data)
