"""API twin of the page that takes many full texts at once: the same service, the same report as JSON."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView, StrictFieldsMixin

from . import services
from .upload_limits import FULL_TEXTS_BULK


class FullTextBulkUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(), allow_empty=False,
        help_text="PDF files, or ZIP files of them (several `files` parts); each PDF within MAX_FULLTEXT_MB, "
                  "all together within MAX_FULLTEXT_BULK_MB and MAX_FULLTEXT_BULK_FILES.")
    pattern = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default="",
        help_text="Empty: match by the DOI, PMID or PMCID in each name. Else one of {number}, {doi}, {pmid}, "
                  "{pmcid}, {ris_id} with literal text and * around it, e.g. {number}.pdf.")
    replace = serializers.BooleanField(required=False, default=False,
                                       help_text="Replace full texts that matched records already have.")


class _AttachedSerializer(serializers.Serializer):
    file = serializers.CharField()
    record = serializers.IntegerField(help_text="The record's number in the review.")
    record_id = serializers.IntegerField()
    how = serializers.CharField(help_text="What matched: DOI, PMID, PMCID or the pattern's placeholder.")
    replaced = serializers.BooleanField()


class _AmbiguousSerializer(serializers.Serializer):
    file = serializers.CharField()
    records = serializers.ListField(child=serializers.IntegerField(), help_text="Numbers of the records it fits.")
    why = serializers.CharField()


class _FileSerializer(serializers.Serializer):
    file = serializers.CharField()


class _RefusedSerializer(serializers.Serializer):
    file = serializers.CharField()
    why = serializers.CharField()


class FullTextBulkReportSerializer(serializers.Serializer):
    attached = _AttachedSerializer(many=True)
    ambiguous = _AmbiguousSerializer(many=True)
    unmatched = _FileSerializer(many=True)
    refused = _RefusedSerializer(many=True)


class FullTextBulkApi(ReviewApiView):
    """POST (multipart) many full texts, matched to records by their names; the answer is the page's
    report: attached, ambiguous (nothing attached), unmatched, refused (why). Screeners."""

    body_limit = FULL_TEXTS_BULK
    capabilities = {"POST": "screen"}

    @extend_schema(request={"multipart/form-data": FullTextBulkUploadSerializer},
                   responses={200: FullTextBulkReportSerializer})
    def post(self, request, review_id: int):
        data = FullTextBulkUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        valid = data.validated_data
        report = services.fulltexts_bulk_upload(actor=request.user, review=self.review, uploads=valid["files"],
                                                pattern=valid["pattern"], replace=valid["replace"])
        return Response(FullTextBulkReportSerializer(report.as_dict()).data)
