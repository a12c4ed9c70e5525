"""API of the comparison of two entries and their consensus."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from reviewapp.api_base import PersonNameField, ReviewApiView, StrictFieldsMixin

from .. import api_types, rules, selectors, services
from ..models import Extraction, Settlement
from .common import Kind, Status, username_of
from .entries import EntryBriefSerializer, ExtractionDetailSerializer

# ---------------------------------------------------------------- comparison and consensus

class DifferenceSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="The field (`key`, or `group[row].key`); settle it by this path.")
    section = serializers.CharField()
    label = serializers.CharField()
    a = api_types.AnswerField(allow_null=True, help_text="The first entry's value.")
    b = api_types.AnswerField(allow_null=True, help_text="The second entry's value.")
    differs = serializers.BooleanField()
    derived = serializers.BooleanField(help_text="Filled by the application from other answers; never settled.")
    is_settled = serializers.BooleanField()
    settled = api_types.AnswerField(allow_null=True, help_text="The settled value (when is_settled).")
    note = serializers.CharField(allow_blank=True)


class ComparisonSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    comparable = serializers.BooleanField(help_text="Whether you may see the two entries side by side now: not "
                                                    "before both are done, and before the consensus is final "
                                                    "only if you settle it.")
    blind_reason = serializers.CharField(allow_null=True,
                                         help_text="Why the entries stay hidden (when not comparable).")
    may_settle = serializers.BooleanField(help_text="Whether you may settle differences and finalise.")
    entries = EntryBriefSerializer(many=True, help_text="First (a) and second (b) entry.")
    open = serializers.IntegerField(help_text="Differences not settled yet.")
    rows = DifferenceSerializer(many=True)


class SettleSerializer(StrictFieldsMixin, serializers.Serializer):
    path = serializers.CharField(max_length=300, help_text="A field on which the two entries differ.")
    choice = serializers.ChoiceField(choices=[("a", "The first entry's value"), ("b", "The second entry's value"),
                                              ("empty", "Neither: leave it empty"), ("other", "The value in `other`")])
    other = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000,
                                  help_text="With choice `other`: the value, as typed in the form (lines for a "
                                            "multiple choice).")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class SettlementSerializer(serializers.ModelSerializer):
    settled_by = serializers.SerializerMethodField()
    settled_by_name = PersonNameField(source="settled_by")
    value = api_types.AnswerField(allow_null=True, read_only=True)

    class Meta:
        model = Settlement
        fields = ["path", "value", "note", "settled_by", "settled_by_name", "settled_at"]
        read_only_fields = fields

    def get_settled_by(self, settlement) -> str | None:
        return username_of(settlement.settled_by)


class ConsensusMixin:
    """The consensus of an extraction, as the comparison page gives it: settling, finalising and
    reopening only for whom `rules.settle_refusal` allows (leads, or the form's named settler on
    entries not their own)."""

    kind = Kind.EXTRACTION
    detail_serializer = ExtractionDetailSerializer

    def extraction(self, extraction_id: int) -> Extraction:
        return selectors.extraction_by_id(review=self.review, extraction_id=extraction_id, kind=self.kind)

    def may_settle(self, extraction: Extraction) -> bool:
        return rules.may_settle(user=self.request.user, roles=self.review.user_roles, extraction=extraction)

    def settler_only(self, extraction: Extraction) -> None:
        refusal = rules.settle_refusal(user=self.request.user, roles=self.review.user_roles, extraction=extraction)
        if refusal:
            raise exceptions.PermissionDenied(refusal)

    def comparison_refusal(self, extraction: Extraction) -> str | None:
        """Why the caller may not see the two side by side (`rules.comparison_refusal`): 403 for those
        it does not concern once there is something to compare; the reason in the body for the others."""
        roles, user = self.review.user_roles, self.request.user
        refusal = rules.comparison_refusal(user=user, roles=roles, extraction=extraction)
        if (refusal and extraction.status in rules.COMPARABLE
                and not rules.has_stake(user=user, roles=roles, extraction=extraction)):
            raise exceptions.PermissionDenied(refusal)
        return refusal

    def detail(self, extraction_id: int) -> Response:
        return Response(self.detail_serializer(self.extraction(extraction_id), context={"request": self.request}).data)


class DifferencesApi(ConsensusMixin, ReviewApiView):
    """The two entries side by side, field by field, once both are done (before, `comparable` is
    false and nothing of them is shown). Open to the two extractors, the role Extractor and whoever
    settles differences, as the comparison page is."""

    @extend_schema(responses=ComparisonSerializer)
    def get(self, request, review_id: int, extraction_id: int):
        extraction = self.extraction(extraction_id)
        refusal = self.comparison_refusal(extraction)
        body = {"status": extraction.status, "comparable": refusal is None, "blind_reason": refusal,
                "may_settle": self.may_settle(extraction), "entries": [], "open": 0, "rows": []}
        if refusal:
            return Response(ComparisonSerializer(body).data)
        entries, rows = selectors.comparison(extraction=extraction)
        body.update(entries=entries, rows=rows, open=sum(1 for r in rows if r.differs and not r.is_settled))
        return Response(ComparisonSerializer(body).data)


class SettlementsApi(ConsensusMixin, ReviewApiView):
    """Settle one field on which the two entries differ: take a's or b's value, leave it empty, or
    give another value (checked as the field's type). Settling again replaces the earlier one."""

    capabilities = {"POST": "view"}  # rules.settle_refusal decides

    @extend_schema(request=SettleSerializer, responses=SettlementSerializer)
    def post(self, request, review_id: int, extraction_id: int):
        extraction = self.extraction(extraction_id)
        self.settler_only(extraction)
        data = SettleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        settlement = services.settlement_record(actor=request.user, extraction=extraction, **data.validated_data)
        return Response(SettlementSerializer(settlement).data)


class FinaliseApi(ConsensusMixin, ReviewApiView):
    """Make the consensus final once every difference is settled: it becomes the study's data."""

    capabilities = {"POST": "view"}  # rules.settle_refusal decides

    @extend_schema(request=None, responses=ExtractionDetailSerializer)
    def post(self, request, review_id: int, extraction_id: int):
        extraction = self.extraction(extraction_id)
        self.settler_only(extraction)
        services.consensus_finalise(actor=request.user, extraction=extraction)
        return self.detail(extraction_id)


class ConsensusReopenApi(ConsensusMixin, ReviewApiView):
    """Undo a final consensus (its settlements stay), e.g. after a mistake was found."""

    capabilities = {"POST": "view"}  # rules.settle_refusal decides

    @extend_schema(request=None, responses=ExtractionDetailSerializer)
    def post(self, request, review_id: int, extraction_id: int):
        extraction = self.extraction(extraction_id)
        self.settler_only(extraction)
        services.consensus_reopen(actor=request.user, extraction=extraction)
        return self.detail(extraction_id)
