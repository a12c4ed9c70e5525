"""API twin of the "Run this search again" page, and every run of a search with what each found."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView, StrictFieldsMixin

from . import selectors, services
from .api.searches import SearchSerializer
from .models import Search
from .reruns import query_difference, run_counts, search_runs


class SearchRerunSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Search
        fields = ["date_run", "query", "limits", "reported_hits", "notes"]
        extra_kwargs = {"query": {"required": False, "allow_blank": True}}


class QueryLineSerializer(serializers.Serializer):
    mark = serializers.ChoiceField(choices=["-", "+", " "], help_text="- removed, + added, blank kept")
    line = serializers.CharField(allow_blank=True)


class SearchRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date_run = serializers.DateField()
    repeats = serializers.IntegerField(allow_null=True, help_text="The run this one repeats.")
    query = serializers.CharField()
    query_difference = QueryLineSerializer(many=True, help_text="Against the run repeated; empty when the same.")
    records_imported = serializers.IntegerField()
    records_new = serializers.IntegerField(help_text="Never seen before: they entered screening.")
    records_found_again = serializers.IntegerField(help_text="Already in the review: merged, provenance kept.")


def _run_row(run: Search) -> dict:
    counts = run_counts(run)
    before = run.repeats.query if run.repeats is not None else run.query
    return {"id": run.pk, "date_run": run.date_run, "repeats": run.repeats_id, "query": run.query,
            "query_difference": [{"mark": m, "line": text} for m, text in query_difference(before, run.query)],
            "records_imported": counts.imported, "records_new": counts.new,
            "records_found_again": counts.found_again}


class SearchRunsApi(ReviewApiView):
    """Every run of a search (first run first) with what each found; POST records a new run (leads)."""

    capabilities = {"POST": "manage_searches"}

    @extend_schema(responses=SearchRunSerializer(many=True))
    def get(self, request, review_id: int, search_id: int):
        search = selectors.search_get(review=self.review, search_id=search_id)
        return Response(SearchRunSerializer([_run_row(r) for r in search_runs(search)], many=True).data)

    @extend_schema(request=SearchRerunSerializer, responses={201: SearchSerializer})
    def post(self, request, review_id: int, search_id: int):
        search = selectors.search_get(review=self.review, search_id=search_id)
        data = SearchRerunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rerun = services.search_rerun(actor=request.user, search=search, **data.validated_data)
        created = selectors.searches_with_counts(review=self.review).get(pk=rerun.pk)
        return Response(SearchSerializer(created).data, status=status.HTTP_201_CREATED)
