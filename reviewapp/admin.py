from django.contrib import admin

from .models import AuditEvent, Membership, Outcome, Review


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "is_demo", "updated_at"]
    list_filter = ["status", "is_demo"]
    search_fields = ["title"]
    inlines = [MembershipInline, OutcomeInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: the trail is evidence, not data to edit."""

    list_display = ["created_at", "review_label", "actor_label", "action", "object_type", "object_label"]
    list_filter = ["action", "object_type"]
    search_fields = ["review_label", "actor_label", "object_label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
