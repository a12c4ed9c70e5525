"""API of searches, their files and imports (progress, retry)."""
from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView, StrictFieldsMixin

from .. import selectors, services
from ..importers import FORMATS
from ..models import (
    Search,
    SearchFile,
)
from ..upload_limits import SEARCH_EXPORT

# ---------------------------------------------------------------- searches and imports

class SearchSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    records_imported = serializers.IntegerField(read_only=True, default=0)
    records_unique = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Search
        fields = ["id", "source", "database", "platform", "date_run", "query", "limits", "reported_hits", "notes",
                  "repeats", "records_imported", "records_unique", "created_at", "updated_at"]
        read_only_fields = ["id", "repeats", "records_imported", "records_unique", "created_at", "updated_at"]


class SearchFileSerializer(serializers.ModelSerializer):
    progress_url = serializers.SerializerMethodField(help_text="GET it until `finished` is true.")

    class Meta:
        model = SearchFile
        fields = ["id", "search", "original_name", "size", "sha256", "requested_format", "format", "format_name",
                  "status", "records_read", "records_imported", "duplicates_merged", "duplicates_possible", "error",
                  "error_line", "uploaded_at", "started_at", "finished_at", "progress_url"]
        read_only_fields = fields

    def get_progress_url(self, search_file) -> str:
        path = reverse("api_import_progress", args=[search_file.search.review_id, search_file.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class SearchFileUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField(help_text="A search export: RIS, PubMed/MEDLINE, EndNote XML, BibTeX, CSV, WoS…")
    format = serializers.ChoiceField(choices=[("", "Detect automatically"),
                                              *[(k, f.label) for k, f in FORMATS.items()]],
                                     required=False, allow_blank=True, default="")


class ImportProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SearchFile.Status.choices)
    status_label = serializers.CharField()
    finished = serializers.BooleanField()
    records_read = serializers.IntegerField()
    percent = serializers.IntegerField()
    records_imported = serializers.IntegerField()
    duplicates_merged = serializers.IntegerField()
    duplicates_possible = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)


class SearchFilter(django_filters.FilterSet):
    database = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Search
        fields = ["source", "database"]


class SearchListApi(ReviewApiView, generics.ListAPIView):
    """The review's searches with their record counts; POST records a new search (leads)."""

    capabilities = {"POST": "manage_searches"}
    serializer_class = SearchSerializer
    filterset_class = SearchFilter
    ordering_fields = ["date_run", "database", "id"]
    ordering = ["date_run", "id"]

    def review_queryset(self):
        return selectors.searches_with_counts(review=self.review)

    @extend_schema(request=SearchSerializer, responses={201: SearchSerializer})
    def post(self, request, review_id: int):
        data = SearchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        search = services.search_create(actor=request.user, review=self.review, **data.validated_data)
        return Response(SearchSerializer(search).data, status=status.HTTP_201_CREATED)


class SearchDetailApi(ReviewApiView):
    """One search with its record counts; PATCH changes what it records, DELETE removes it while it
    has no imported records (leads)."""

    capabilities = {"PATCH": "manage_searches", "DELETE": "manage_searches"}

    def _search(self, search_id: int) -> Search:
        return get_object_or_404(selectors.searches_with_counts(review=self.review), pk=search_id)

    @extend_schema(responses=SearchSerializer)
    def get(self, request, review_id: int, search_id: int):
        return Response(SearchSerializer(self._search(search_id)).data)

    @extend_schema(request=SearchSerializer(partial=True), responses=SearchSerializer)
    def patch(self, request, review_id: int, search_id: int):
        search = self._search(search_id)
        data = SearchSerializer(search, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.search_update(actor=request.user, search=search, **data.validated_data)
        return Response(SearchSerializer(self._search(search_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id: int, search_id: int):
        services.search_delete(actor=request.user, search=self._search(search_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SearchFileListApi(ReviewApiView, generics.ListAPIView):
    """The files uploaded to a search; POST (multipart) uploads one and queues its import (leads):
    202 with the import's progress URL."""

    body_limit = SEARCH_EXPORT

    capabilities = {"POST": "manage_searches"}
    serializer_class = SearchFileSerializer
    filterset_fields = ["status"]
    ordering_fields = ["uploaded_at", "id"]
    ordering = ["uploaded_at", "id"]

    def review_queryset(self):
        search = selectors.search_get(review=self.review, search_id=self.kwargs["search_id"])
        return SearchFile.objects.filter(search=search).select_related("search")

    @extend_schema(request={"multipart/form-data": SearchFileUploadSerializer}, responses={202: SearchFileSerializer})
    def post(self, request, review_id: int, search_id: int):
        search = selectors.search_get(review=self.review, search_id=search_id)
        data = SearchFileUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        search_file = services.search_file_create(actor=request.user, search=search,
                                                  upload=data.validated_data["file"],
                                                  requested_format=data.validated_data["format"])
        body = SearchFileSerializer(search_file, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["progress_url"]})


class ImportDetailApi(ReviewApiView):
    """An uploaded file and its import: the report once finished; DELETE removes a file whose
    import failed (leads)."""

    capabilities = {"DELETE": "manage_searches"}

    @extend_schema(responses=SearchFileSerializer)
    def get(self, request, review_id: int, file_id: int):
        search_file = selectors.search_file_get(review=self.review, file_id=file_id)
        return Response(SearchFileSerializer(search_file, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id: int, file_id: int):
        search_file = selectors.search_file_get(review=self.review, file_id=file_id)
        services.search_file_delete(actor=request.user, search_file=search_file)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImportRetryApi(ReviewApiView):
    """Import a failed file again (leads), as the file's page does: 202 with the import."""

    capabilities = {"POST": "manage_searches"}

    @extend_schema(request=None, responses={202: SearchFileSerializer})
    def post(self, request, review_id: int, file_id: int):
        search_file = selectors.search_file_get(review=self.review, file_id=file_id)
        search_file = services.search_file_retry(actor=request.user, search_file=search_file)
        return Response(SearchFileSerializer(search_file, context={"request": request}).data,
                        status=status.HTTP_202_ACCEPTED)


class ImportProgressApi(ReviewApiView):
    """Where an import stands: poll it until `finished` is true."""

    @extend_schema(responses=ImportProgressSerializer)
    def get(self, request, review_id: int, file_id: int):
        search_file = selectors.search_file_get(review=self.review, file_id=file_id)
        return Response(selectors.import_progress(search_file=search_file))
