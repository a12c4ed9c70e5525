"""API of invitations."""
from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from .. import services
from ..api_base import ReviewApiView, StrictFieldsMixin
from ..models import Invitation
from .common import Role
from .outcomes import InvitationSerializer

# ---------------------------------------------------------------- invitations

class InvitationInputSerializer(StrictFieldsMixin, serializers.Serializer):
    email = serializers.EmailField(help_text="The address to e-mail the invitation to.")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), allow_empty=False,
                                 error_messages={"empty": services.ROLES_REQUIRED})


class InvitationFilter(django_filters.FilterSet):
    pending = django_filters.BooleanFilter(method="filter_pending", label="Neither accepted, declined nor revoked")
    invitee = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Invitation
        fields = ["pending", "invitee"]

    def filter_pending(self, queryset, name, value):
        pending = Invitation.objects.pending().values("pk")
        return queryset.filter(pk__in=pending) if value else queryset.exclude(pk__in=pending)


class InvitationListApi(ReviewApiView, generics.ListAPIView):
    """The review's invitations (leads); POST invites an e-mail address with roles (and e-mails the link);
    members/ invites by username too."""

    capabilities = {"GET": "manage_members", "POST": "manage_members"}
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter
    ordering_fields = ["created_at", "expires_at", "invitee", "id"]
    ordering = ["-created_at", "-id"]

    def review_queryset(self):
        return Invitation.objects.filter(review=self.review).select_related("invited_by")

    @extend_schema(request=InvitationInputSerializer, responses={201: InvitationSerializer})
    def post(self, request, review_id: int):
        data = InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(actor=request.user, review=self.review,
                                                identifier=data.validated_data["email"],
                                                roles=data.validated_data["roles"],
                                                site_url=request.build_absolute_uri("/"))
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationRevokeApi(ReviewApiView):
    """Revoke an invitation: its link stops working (leads)."""

    capabilities = {"POST": "manage_members"}

    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request, review_id: int, invitation_id: int):
        invitation = get_object_or_404(Invitation, pk=invitation_id, review=self.review)
        invitation = services.invitation_revoke(actor=request.user, invitation=invitation)
        return Response(InvitationSerializer(invitation).data)
