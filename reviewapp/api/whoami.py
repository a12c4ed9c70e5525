"""API of who am I: the user and the token they call with."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..api_base import PersonNameField, string_list_field
from ..models import Invitation
from ..people import display_name
from .common import Role
from .reviews import AccountListApi

# ---------------------------------------------------------------- who am I

class MeSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField(help_text="Full name, else the username.")
    token = serializers.CharField(allow_null=True, help_text="The name of the token used, if one was.")
    scope = serializers.CharField(help_text="read or read-write")


class MyInvitationSerializer(serializers.ModelSerializer):
    """An invitation as its invitee sees it."""

    review_id = serializers.IntegerField(read_only=True)
    review_title = serializers.CharField(source="review.title", read_only=True)
    roles = string_list_field(choices=Role.choices, read_only=True, help_text="Roles given on acceptance.")
    invited_by = serializers.CharField(source="invited_by.get_username", default=None, allow_null=True, read_only=True)
    invited_by_name = PersonNameField(source="invited_by")

    class Meta:
        model = Invitation
        fields = ["id", "review_id", "review_title", "roles", "invited_by", "invited_by_name", "created_at",
                  "expires_at"]
        read_only_fields = fields


class MyInvitationListApi(AccountListApi):
    """The open invitations addressed to your account: accept or decline each."""

    serializer_class = MyInvitationSerializer
    ordering_fields = ["expires_at", "id"]
    ordering = ["expires_at", "id"]

    def account_queryset(self):
        return selectors.invitations_for(user=self.request.user)


class MyInvitationAnswerApi(APIView):
    """Accept (you join the review with its roles) or decline an invitation addressed to you.
    A token limited to one review cannot answer: joining reaches beyond it."""

    answer = "accept"

    @extend_schema(request=None, responses=MyInvitationSerializer)
    def post(self, request, invitation_id: int):
        if getattr(request.auth, "review_id", None) is not None:
            raise PermissionDenied("A token limited to one review cannot answer invitations.")
        invitation = get_object_or_404(selectors.invitations_for(user=request.user), pk=invitation_id)
        answer = services.invitation_accept if self.answer == "accept" else services.invitation_decline
        answer(user=request.user, invitation_id=invitation.pk)
        return Response(MyInvitationSerializer(invitation).data)


class MeApi(APIView):
    """Who the request is authenticated as, and with what scope."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        token = request.auth if hasattr(request.auth, "scope") else None
        return Response({"user_id": request.user.pk, "username": request.user.get_username(),
                         "display_name": display_name(request.user),
                         "token": token.name if token else None,
                         "scope": token.scope if token else "read-write"})
