"""API of the audit trail."""
from __future__ import annotations

import django_filters
from rest_framework import generics, serializers

from .. import selectors
from ..api_base import PersonNameField, ReviewApiView, typed_json
from ..models import AuditEvent

# ---------------------------------------------------------------- audit trail

# A snapshot of the object's fields (name -> its value as JSON, any JSON type), or null.
_SNAPSHOT = {"type": "object", "nullable": True, "additionalProperties": {
    "nullable": True, "description": "The field's value as stored (a text, number, boolean, list or object)."}}


class AuditEventSerializer(serializers.ModelSerializer):
    before = typed_json(_SNAPSHOT, read_only=True, help_text="The changed object's fields before (null: created).")
    after = typed_json(_SNAPSHOT, read_only=True, help_text="Its fields after (null: deleted).")
    actor_name = PersonNameField(source="actor", help_text="The actor's full name, else username (null: no account, "
                                                           "e.g. the system or a deleted account; see actor_label).")

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor_label", "actor_name", "action", "object_type", "object_id", "object_label",
                  "before", "after"]
        read_only_fields = fields


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="iexact", label="Username of the actor")
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields = ["action", "object_type", "actor", "since", "until"]


class AuditListApi(ReviewApiView, generics.ListAPIView):
    """Who changed what, when, with the values before and after (leads)."""

    capabilities = {"GET": "read_audit"}
    serializer_class = AuditEventSerializer
    filterset_class = AuditFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def review_queryset(self):
        return selectors.audit_events(review=self.review)
