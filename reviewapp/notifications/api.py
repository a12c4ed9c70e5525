"""The API twins of the notifications page: one's list, marking read, the e-mail choices.
Under /api/v1/me/: they are the caller's own. A token limited to one review sees and marks
that review's notifications only, and cannot change the e-mail choices (they reach beyond it)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api_base import StrictFieldsMixin, no_rows, typed_json
from . import selectors, services, texts
from .models import EmailMode, Kind, Notification


def _token_review(request) -> int | None:
    return getattr(request.auth, "review_id", None)


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="The notification in words.")
    review_title = serializers.CharField(source="review.title", read_only=True)
    read = serializers.SerializerMethodField()
    params = typed_json({"type": "object", "additionalProperties": {"oneOf": [{"type": "string"},
                                                                              {"type": "integer"}]}},
                        read_only=True, help_text="What `text` is made from, by kind: conflict `stage`; consensus "
                                                  "`form`, `form_kind`; analysis `name`, `number`, `status`, `error`; "
                                                  "joined `person`, `roles`.")

    class Meta:
        model = Notification
        fields = ["id", "review", "review_title", "kind", "text", "count", "params", "link", "created_at",
                  "updated_at", "read", "read_at", "emailed_at"]
        read_only_fields = fields

    def get_text(self, notification) -> str:
        return texts.text_of(notification)

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationListApi(generics.ListAPIView):
    """Your notifications, newest first; ?unread=true for the unread ones only."""

    serializer_class = NotificationSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return no_rows(self)
        wanted = self.request.query_params.get("unread")
        unread = {"true": True, "1": True, "false": False, "0": False}.get((wanted or "").lower())
        return selectors.notifications_for(user=self.request.user, unread=unread,
                                           review_id=_token_review(self.request))

    @extend_schema(parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread (true) "
                                                "or only read (false) ones.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationReadApi(APIView):
    """Mark one of your notifications read (the page's Mark read and Open)."""

    @extend_schema(request=None, responses=NotificationSerializer, operation_id="me_notification_read")
    def post(self, request, notification_id: int):
        notification = services.notification_mark_read(user=request.user, notification_id=notification_id,
                                                       review_id=_token_review(request))
        return Response(NotificationSerializer(notification).data)


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")


class NotificationsReadAllApi(APIView):
    """Mark all your notifications read (the page's Mark all read)."""

    @extend_schema(request=None, responses=ReadAllSerializer, operation_id="me_notifications_read_all")
    def post(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user,
                                                                          review_id=_token_review(request))})


class PreferencesSerializer(StrictFieldsMixin, serializers.Serializer):
    """How each kind of notification reaches you by e-mail: off, immediate or daily (a digest)."""

    def get_fields(self):
        return {kind: serializers.ChoiceField(choices=EmailMode.choices, required=False, help_text=label)
                for kind, label in Kind.choices}


class NotificationPreferencesApi(APIView):
    """Your e-mail choices per kind; PATCH changes those named (the page's E-mail form)."""

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request):
        return Response(services.email_modes(user=request.user))

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def patch(self, request):
        if _token_review(request) is not None:
            raise PermissionDenied("A token limited to one review cannot change your e-mail choices.")
        data = PreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.preferences_set(user=request.user, modes=data.validated_data))
