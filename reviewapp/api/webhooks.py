"""API of webhooks and their deliveries."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from .. import services
from ..api_base import ReviewApiView, StrictFieldsMixin
from ..models import Webhook, WebhookDelivery

# ---------------------------------------------------------------- webhooks

class WebhookSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=Webhook.Event.choices))

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "active", "created_at"]
        read_only_fields = ["id", "created_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown once: verify each delivery's signature with it.")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookInputSerializer(StrictFieldsMixin, serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=Webhook.Event.choices), allow_empty=False)
    active = serializers.BooleanField(default=True)
    secret = serializers.CharField(required=False, allow_blank=True, max_length=100, write_only=True,
                                   help_text="Leave out to have one made.")


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "body", "status", "attempts", "response_status", "response_body", "error",
                  "created_at", "last_attempt_at"]
        read_only_fields = fields


class WebhookListApi(ReviewApiView, generics.ListAPIView):
    """The review's webhooks (leads); POST registers a URL for events."""

    capabilities = {"GET": "manage_webhooks", "POST": "manage_webhooks"}
    serializer_class = WebhookSerializer
    filterset_fields = ["active"]
    ordering_fields = ["id", "created_at", "url"]
    ordering = ["id"]

    def review_queryset(self):
        return Webhook.objects.filter(review=self.review)

    @extend_schema(request=WebhookInputSerializer, responses={201: WebhookCreatedSerializer})
    def post(self, request, review_id: int):
        data = WebhookInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hook = services.webhook_create(actor=request.user, review=self.review, **data.validated_data)
        return Response(WebhookCreatedSerializer(hook).data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(ReviewApiView):
    """One webhook (leads); PATCH changes its URL, events or whether it is active, DELETE removes it."""

    capabilities = {"GET": "manage_webhooks", "PATCH": "manage_webhooks", "DELETE": "manage_webhooks"}

    def _hook(self, webhook_id: int) -> Webhook:
        return get_object_or_404(Webhook, pk=webhook_id, review=self.review)

    @extend_schema(responses=WebhookSerializer)
    def get(self, request, review_id: int, webhook_id: int):
        return Response(WebhookSerializer(self._hook(webhook_id)).data)

    @extend_schema(request=WebhookSerializer(partial=True), responses=WebhookSerializer)
    def patch(self, request, review_id: int, webhook_id: int):
        hook = self._hook(webhook_id)
        data = WebhookSerializer(hook, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        hook = services.webhook_update(actor=request.user, webhook=hook, **data.validated_data)
        return Response(WebhookSerializer(hook).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id: int, webhook_id: int):
        services.webhook_delete(actor=request.user, webhook=self._hook(webhook_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListApi(ReviewApiView, generics.ListAPIView):
    """Every delivery to one webhook, newest first, with the receiver's answer (leads)."""

    capabilities = {"GET": "manage_webhooks"}
    serializer_class = WebhookDeliverySerializer
    filterset_fields = ["status", "event"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def review_queryset(self):
        hook = get_object_or_404(Webhook, pk=self.kwargs["webhook_id"], review=self.review)
        return WebhookDelivery.objects.filter(webhook=hook)
