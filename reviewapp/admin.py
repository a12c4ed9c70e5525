"""The admin shows review data but never writes it: every change of a review goes through the
services, which check the rules (a review keeps a lead, merges stay reversible) and write the
audit trail. Accounts are the admin's to manage, except that a review's last lead cannot be deleted."""
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect

from .exceptions import ApplicationError
from .models import ApiToken, AuditEvent, Membership, Outcome, Review, Webhook, WebhookDelivery
from .services import user_delete_check


class ReadOnlyAdminMixin:
    """View only: add, change and delete belong to the pages and their services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0


class OutcomeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Outcome
    extra = 0


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "status", "is_demo", "updated_at"]
    list_filter = ["status", "is_demo"]
    search_fields = ["title"]
    inlines = [MembershipInline, OutcomeInline]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The trail is evidence, not data to edit."""

    list_display = ["created_at", "review_label", "actor_label", "action", "object_type", "object_label"]
    list_filter = ["action", "object_type"]
    search_fields = ["review_label", "actor_label", "object_label"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who holds which token (people revoke their own on the page API tokens); never the hash."""

    list_display = ["name", "user", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "user__username", "prefix"]
    exclude = ["key_hash"]


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["url", "review", "active", "created_at"]
    list_filter = ["active"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "webhook", "event", "status", "attempts", "response_status"]
    list_filter = ["status", "event"]


User = get_user_model()


@admin.action(description=delete_selected.short_description, permissions=["delete"])
def delete_selected_accounts(modeladmin, request, queryset):
    """Django's bulk delete, after checking that no selected account is a review's last lead."""
    refusals = []
    for user in queryset:
        try:
            user_delete_check(user=user)
        except ApplicationError as exc:
            refusals.append(exc.message)
    if refusals:
        for message in refusals:
            modeladmin.message_user(request, message, messages.ERROR)
        return None
    return delete_selected(modeladmin, request, queryset)


delete_selected_accounts.__name__ = "delete_selected"

admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (delete_selected_accounts, "delete_selected",
                                          delete_selected_accounts.short_description)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, object_id)
        if user is not None:
            try:
                user_delete_check(user=user)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return redirect("admin:auth_user_change", user.pk)
        return super().delete_view(request, object_id, extra_context)
