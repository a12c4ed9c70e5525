"""API of the descriptive summaries."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView, StrictFieldsMixin

from .. import api_types, selectors, services

# ---------------------------------------------------------------- descriptive summaries

class SummariesApi(ReviewApiView):
    """The descriptive summaries of the included studies (the page extraction/summaries/): per
    field, counts and percentages per value or sum, mean, median and range, with the studies
    behind each and those missing; per outcome, the studies that measured it; and, with `rows`
    and `columns` (field keys), their cross-tabulation."""

    @extend_schema(responses=api_types.SummariesSerializer, parameters=[
        OpenApiParameter("rows", OpenApiTypes.STR, description="Field key of the cross-tabulation's rows"),
        OpenApiParameter("columns", OpenApiTypes.STR, description="Field key of its columns")])
    def get(self, request, review_id: int):
        from .. import summaries

        described = selectors.described_studies(review=self.review)
        body = {"studies": len(described.studies),
                "without_consensus": [{"id": s.pk, "label": s.label} for s in described.without_consensus],
                "fields": [summaries.summary_json(summaries.summarise(f, described.studies))
                           for f in described.fields],
                "outcomes": [summaries.outcome_json(o) for o in
                             summaries.outcome_frequencies(described.studies, described.outcome_names)],
                "cross_table": None}
        wanted = (request.query_params.get("rows", ""), request.query_params.get("columns", ""))
        if any(wanted) and not all(wanted):
            raise exceptions.ValidationError({"rows/columns": ["Give both rows and columns to cross."]})
        if any(wanted):
            picked = {key: selectors.summary_field_get(described, key) for key in wanted}
            unknown = [key for key, f in picked.items() if f is None]
            if unknown:
                raise exceptions.ValidationError(
                    {"rows/columns": [f"The form has no field “{key}” to cross." for key in unknown]})
            body["cross_table"] = summaries.cross_table_json(
                summaries.cross_table(picked[wanted[0]], picked[wanted[1]], described.studies))
        return Response(body)


class CharacteristicsLayoutSerializer(StrictFieldsMixin, serializers.Serializer):
    columns = api_types.LayoutColumnsField(
        help_text="Column (methods, participants, interventions, outcomes, notes) -> the keys of the form's fields "
                  "or repeating groups it shows, in order.")


def _characteristics_body(review) -> dict:
    from .. import characteristics

    table = selectors.characteristics_table(review=review)
    return {"columns": table.layout, "default": not table.stored,
            "items": [{"key": i.key, "label": i.label, "group": i.field is None} for i in table.items],
            "header": characteristics.header(),
            "rows": [{"study": {"id": r.study_id, "label": r.label},
                      "cells": {c: [{"label": label, "value": value} for label, value in lines]
                                for c, lines in r.cells.items()},
                      "risk_of_bias": r.risk_of_bias} for r in table.rows],
            "without_consensus": [{"id": s.pk, "label": s.label} for s in table.without_consensus]}


class CharacteristicsApi(ReviewApiView):
    """The characteristics of included studies table (the page extraction/characteristics/): a row per
    study with a final consensus; PUT chooses which fields go in which column (leads)."""

    capabilities = {"PUT": "build_forms"}

    @extend_schema(responses=api_types.CharacteristicsSerializer)
    def get(self, request, review_id: int):
        return Response(_characteristics_body(self.review))

    @extend_schema(request=CharacteristicsLayoutSerializer, responses=api_types.CharacteristicsSerializer)
    def put(self, request, review_id: int):
        data = CharacteristicsLayoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.characteristics_layout_set(actor=request.user, review=self.review,
                                            columns=data.validated_data["columns"])
        return Response(_characteristics_body(self.review))
