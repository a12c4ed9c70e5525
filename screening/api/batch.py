"""API of list mode: a batch of title/abstract records held for you, and your screening mode.

The page's twin (screening/list_views.py): the same service claims the batch; decisions go to the
decisions endpoint (`DecisionListApi`, POST) like those of the one-at-a-time page.
"""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView, StrictFieldsMixin

from .. import selectors, services
from ..models import ScreenerPreference
from .common import stage_or_404
from .decisions import STAGE_PARAMETER, ScreeningItemSerializer


class BatchSerializer(serializers.Serializer):
    items = ScreeningItemSerializer(many=True, help_text="The records held for you, in queue order; empty when "
                                                         "nothing is left for you at this stage.")


class ScreeningBatchApi(ReviewApiView):
    """The records you screen next at this stage, several at once (list mode), each held for you as
    the next-record endpoint holds one. While you hold records not yet decided they come back (the
    hold renewed); once all are decided the next ones are claimed. Title and abstract only."""

    capabilities = {"GET": "screen"}

    @extend_schema(responses=BatchSerializer, parameters=[
        STAGE_PARAMETER,
        OpenApiParameter("size", int, description=f"How many records ({services.BATCH_MIN} to "
                                                  f"{services.BATCH_MAX}); your list mode's length when left out.")])
    def get(self, request, review_id: int, stage: str):
        stage = stage_or_404(stage)
        size_text = request.query_params.get("size", "")
        if size_text and not size_text.isdigit():
            raise serializers.ValidationError({"size": ["A whole number."]})
        size = int(size_text) if size_text else selectors.screener_preference(user=request.user).batch_size
        held = services.screening_batch(reviewer=request.user, review=self.review, stage=stage, size=size)
        items = selectors.screening_items_in_order(review=self.review, item_ids=[item.pk for item in held])
        cfg = selectors.screening_settings_get(review=self.review)
        roles = self.review.user_roles
        # Each record's visible decisions read once for the whole batch (the serializer would ask per record).
        visible = selectors.decisions_visible_on(items=items, user=request.user, roles=roles, cfg=cfg)
        context = {"request": request, "cfg": cfg, "roles": roles, "visible": visible}
        return Response({"items": ScreeningItemSerializer(items, many=True, context=context).data})


class ScreenerPreferenceSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    batch_size = serializers.IntegerField(min_value=services.BATCH_MIN, max_value=services.BATCH_MAX, required=False,
                                          help_text="Records per page in list mode.")

    class Meta:
        model = ScreenerPreference
        fields = ["mode", "batch_size"]


class ScreenerPreferenceApi(ReviewApiView):
    """How you screen titles and abstracts: one record at a time (`single`) or a list per page (`list`).
    Your own choice, the same in every review; PATCH changes it."""

    capabilities = {"GET": "screen", "PATCH": "screen"}

    @extend_schema(responses=ScreenerPreferenceSerializer)
    def get(self, request, review_id: int):
        return Response(ScreenerPreferenceSerializer(selectors.screener_preference(user=request.user)).data)

    @extend_schema(request=ScreenerPreferenceSerializer(partial=True), responses=ScreenerPreferenceSerializer)
    def patch(self, request, review_id: int):
        data = ScreenerPreferenceSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        pref = services.screener_preference_set(user=request.user, **data.validated_data)
        return Response(ScreenerPreferenceSerializer(pref).data)
