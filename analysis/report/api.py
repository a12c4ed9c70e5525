"""The review's report over the API: its sections and numbers as JSON (what the page shows,
with each computed number's source page), and the lead's paragraphs and picks (PATCH, the same
service as the page's form)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView, StrictFieldsMixin

from ..api_types import ReportSerializer
from . import builder, gather, services
from .models import TEXT_LIMIT


def _block(block) -> dict:
    if block.kind == "paragraph":
        return {"kind": "paragraph", "text": block.text,
                "links": [{"text": s.text, "href": s.href} for s in block.spans if s.href]}
    if block.kind == "table":
        return {"kind": "table", "caption": block.caption, "header": block.header, "rows": block.rows,
                "href": block.href}
    return {"kind": "figure", "caption": block.caption, "href": block.href}


def report_body(review, roles: set[str]) -> dict:
    report, stored, changed = gather.report(review=review, roles=roles)
    return {
        "sections": [{"key": s.key, "title": s.title, "level": s.level, "blocks": [_block(b) for b in s.blocks]}
                     for s in report.sections],
        "numbers": report.numbers,
        "out_of_date": {"stale_outcomes": report.stale_outcomes, "missing_outcomes": report.missing_outcomes,
                        "changed_since_saved": changed},
        "texts": {k: getattr(stored, k) if stored else "" for k in builder.TEXT_KEYS},
        "summary_fields": stored.summary_fields if stored else None,
        "saved_at": stored.updated_at if stored else None,
    }


class ReportTextSerializer(StrictFieldsMixin, serializers.Serializer):
    background = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False,
                                       max_length=TEXT_LIMIT, help_text="Plain text; a blank line between paragraphs.")
    discussion = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=TEXT_LIMIT)
    conclusions = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=TEXT_LIMIT)
    summary_fields = serializers.ListField(child=serializers.CharField(), required=False,
                                           help_text="Keys of the extraction form's fields whose summaries the "
                                                     "report shows (null: the defaults).")


class ReportApi(ReviewApiView):
    """The review's report (the page report/): sections of sentences with the links of their
    numbers, tables, figure captions, the headline numbers by name and what is out of date.
    PATCH saves the lead's paragraphs and the characteristics summarised (leads)."""

    capabilities = {"PATCH": "edit_review"}

    @extend_schema(responses=ReportSerializer)
    def get(self, request, review_id: int):
        return Response(report_body(self.review, self.review.user_roles))

    @extend_schema(request=ReportTextSerializer, responses=ReportSerializer)
    def patch(self, request, review_id: int):
        data = ReportTextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.report_text_set(actor=request.user, review=self.review, **data.validated_data)
        return Response(report_body(self.review, self.review.user_roles))
