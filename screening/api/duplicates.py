"""API of possible duplicate pairs and the decisions on them."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from reviewapp.api_base import PersonNameField, ReviewApiView, StrictFieldsMixin, string_list_field

from .. import selectors, services
from ..models import (
    DuplicatePair,
)
from .records import RecordBriefSerializer

# ---------------------------------------------------------------- duplicates

class DuplicatePairSerializer(serializers.ModelSerializer):
    record_a = RecordBriefSerializer(read_only=True)
    record_b = RecordBriefSerializer(read_only=True)
    decided_by = serializers.CharField(source="decided_by.get_username", default=None, allow_null=True, read_only=True)
    decided_by_name = PersonNameField(source="decided_by")
    reasons = string_list_field(read_only=True, help_text="Why the two look alike, in words.")

    class Meta:
        model = DuplicatePair
        fields = ["id", "record_a", "record_b", "score", "sure", "reasons", "status", "decided_by",
                  "decided_by_name", "decided_at",
                  "created_at"]
        read_only_fields = fields


class DuplicateDecisionSerializer(StrictFieldsMixin, serializers.Serializer):
    action = serializers.ChoiceField(choices=[("merge", "Merge the two records"),
                                              ("keep_apart", "They are different reports"),
                                              ("unmerge", "Undo a merge and keep the two apart"),
                                              ("unmerge_to_queue", "Undo a merge; the pair waits for a decision"),
                                              ("reopen", "Take back 'kept apart'; the pair waits for a decision")])


class DuplicateListApi(ReviewApiView, generics.ListAPIView):
    """Pairs of records found alike; `status=possible` (the lead's queue) unless asked otherwise."""

    serializer_class = DuplicatePairSerializer
    filterset_fields = ["status", "sure"]
    ordering_fields = ["score", "id", "decided_at"]
    ordering = ["-score", "id"]

    def review_queryset(self):
        return (DuplicatePair.objects.filter(review=self.review)
                .select_related("record_a", "record_b", "decided_by"))


class DuplicateDetailApi(ReviewApiView):
    """One pair of records found alike: both records, the score, the reasons and its status."""

    @extend_schema(responses=DuplicatePairSerializer)
    def get(self, request, review_id: int, pair_id: int):
        return Response(DuplicatePairSerializer(selectors.duplicate_pair_get(review=self.review, pair_id=pair_id)).data)


class DuplicateDecisionApi(ReviewApiView):
    """Merge a pair, keep it apart, undo a merge (keeping the two apart or back to waiting), or put a
    pair kept apart back in the queue (leads)."""

    capabilities = {"POST": "resolve_duplicates"}
    ACTIONS = services.DUPLICATE_ACTIONS

    @extend_schema(request=DuplicateDecisionSerializer, responses=DuplicatePairSerializer)
    def post(self, request, review_id: int, pair_id: int):
        pair = selectors.duplicate_pair_get(review=self.review, pair_id=pair_id)
        data = DuplicateDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = self.ACTIONS[data.validated_data["action"]](actor=request.user, pair=pair)
        return Response(DuplicatePairSerializer(selectors.duplicate_pair_get(review=self.review, pair_id=pair.pk)).data)
