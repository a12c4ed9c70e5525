"""API of the PRISMA 2020 counts and checklist."""
from __future__ import annotations

import dataclasses

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView, StrictFieldsMixin

from .. import prisma, selectors, services

# ---------------------------------------------------------------- PRISMA

class PrismaColumnSerializer(serializers.Serializer):
    records_identified = serializers.IntegerField()
    records_removed = serializers.IntegerField(help_text="Before screening: duplicates, automation, other reasons.")
    automation_ineligible = serializers.IntegerField()
    records_screened = serializers.IntegerField()
    records_excluded = serializers.IntegerField()
    records_awaiting = serializers.IntegerField()
    sought = serializers.IntegerField()
    not_retrieved = serializers.IntegerField()
    assessed = serializers.IntegerField()
    excluded = serializers.IntegerField()
    excluded_by_reason = serializers.DictField(child=serializers.IntegerField())
    included = serializers.IntegerField()
    awaiting = serializers.IntegerField()


class PrismaCountsSerializer(serializers.Serializer):
    identified_databases = serializers.IntegerField()
    identified_registers = serializers.IntegerField()
    identified_by_database = serializers.DictField(child=serializers.IntegerField())
    identified_other = serializers.IntegerField()
    identified_other_by_source = serializers.DictField(child=serializers.IntegerField())
    duplicates_removed = serializers.IntegerField()
    automation_ineligible = serializers.IntegerField()
    other_removed = serializers.IntegerField()
    records_screened = serializers.IntegerField()
    records_excluded = serializers.IntegerField()
    records_awaiting = serializers.IntegerField()
    main = PrismaColumnSerializer(help_text="Records and reports from databases and registers.")
    other = PrismaColumnSerializer(help_text="Records and reports from other methods.")
    studies_included = serializers.IntegerField()
    reports_included = serializers.IntegerField()
    previous_studies = serializers.IntegerField()
    previous_reports = serializers.IntegerField()
    update = serializers.BooleanField(help_text="An update's diagram: the review has a published version or a "
                                                "search run again; the counts above are then the update's own.")
    found_again = serializers.IntegerField(help_text="Of the duplicates removed, records the update's searches "
                                                     "found again (already in the review).")
    previous_version = serializers.IntegerField(allow_null=True, help_text="The published version it updates.")


class PrismaApi(ReviewApiView):
    """The PRISMA 2020 flow diagram's counts, computed from the decision log."""

    @extend_schema(responses=PrismaCountsSerializer)
    def get(self, request, review_id: int):
        counts = selectors.prisma_counts_kept(review=self.review)
        return Response(PrismaCountsSerializer(dataclasses.asdict(counts)).data)



class ChecklistItemSerializer(StrictFieldsMixin, serializers.Serializer):
    item = serializers.CharField(help_text="The PRISMA 2020 item number, e.g. 1, 10a, 16b.")
    section = serializers.CharField(read_only=True)
    topic = serializers.CharField(read_only=True)
    asks = serializers.CharField(read_only=True, help_text="What the item asks the report to say.")
    saved = serializers.BooleanField(read_only=True, help_text="False: the location and note are only what "
                                                                "the review's data suggests, not yet saved.")
    location = serializers.CharField(allow_blank=True, max_length=300, help_text="Where the report says it.")
    note = serializers.CharField(allow_blank=True, required=False, default="")


class ChecklistInputSerializer(StrictFieldsMixin, serializers.Serializer):
    items = ChecklistItemSerializer(many=True, help_text="Only the items sent change; the others stay.")


class ChecklistUpdatedSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="How many items changed.")
    items = ChecklistItemSerializer(many=True)


class PrismaChecklistApi(ReviewApiView):
    """The PRISMA 2020 checklist: where the report says each item; PATCH saves the items sent
    (leads), as the checklist page does."""

    capabilities = {"PATCH": "edit_review"}

    @extend_schema(responses=ChecklistItemSerializer(many=True))
    def get(self, request, review_id: int):
        return Response(ChecklistItemSerializer(prisma.checklist_rows(review=self.review), many=True).data)

    @extend_schema(request=ChecklistInputSerializer, responses=ChecklistUpdatedSerializer)
    def patch(self, request, review_id: int):
        data = ChecklistInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = {row["item"]: (row["location"], row["note"]) for row in data.validated_data["items"]}
        changed = services.checklist_save(actor=request.user, review=self.review, answers=answers)
        return Response({"changed": changed, "items": ChecklistItemSerializer(
            prisma.checklist_rows(review=self.review), many=True).data})
