"""API of members and their roles."""
from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from .. import services
from ..api_base import PersonNameField, ReviewApiView, StrictFieldsMixin
from ..models import Membership
from .common import Role, User
from .outcomes import InvitationSerializer

# ---------------------------------------------------------------- members and roles

class MemberSerializer(serializers.ModelSerializer):
    """A member as the team sees them: never their e-mail address (that is theirs to give)."""

    user_id = serializers.IntegerField(source="pk", read_only=True)
    display_name = PersonNameField(source="*")
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["user_id", "username", "display_name", "first_name", "last_name", "roles"]
        read_only_fields = fields

    def get_roles(self, user) -> list[str]:
        held = {m.role for m in getattr(user, "roles_here", [])}
        return [r for r in Role.values if r in held]


class RolesSerializer(StrictFieldsMixin, serializers.Serializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), allow_empty=True,
                                  help_text="Exactly the roles the person should hold; none removes them.")


class MemberAddSerializer(StrictFieldsMixin, serializers.Serializer):
    identifier = serializers.CharField(help_text="Username or e-mail address of the person to invite.")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), allow_empty=False,
                                 error_messages={"empty": services.ROLES_REQUIRED})


class MemberFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, field_name="review_memberships__role",
                                       label="Members holding this role")
    username = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = User
        fields = ["role", "username"]


def _members(review):
    return (User.objects.filter(review_memberships__review=review).distinct()
            .prefetch_related(Prefetch("review_memberships", queryset=Membership.objects.filter(review=review),
                                       to_attr="roles_here")))


class MemberListApi(ReviewApiView, generics.ListAPIView):
    """The people of the review and their roles; POST invites someone (leads)."""

    capabilities = {"POST": "manage_members"}
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    ordering_fields = ["username", "id"]
    ordering = ["username"]

    def review_queryset(self):
        return _members(self.review)

    @extend_schema(request=MemberAddSerializer, responses={202: InvitationSerializer})
    def post(self, request, review_id: int):
        """Invite someone by username or e-mail address: they become a member when they accept.
        The answer is the same whether or not the name or address has an account."""
        data = MemberAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(actor=request.user, review=self.review,
                                                site_url=request.build_absolute_uri("/"), **data.validated_data)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_202_ACCEPTED)


class MemberDetailApi(ReviewApiView):
    """One member; PUT sets exactly their roles, DELETE removes them from the review (leads)."""

    capabilities = {"PUT": "manage_members", "DELETE": "manage_members"}

    def _member(self, user_id: int):
        return get_object_or_404(_members(self.review), pk=user_id)

    @extend_schema(responses=MemberSerializer)
    def get(self, request, review_id: int, user_id: int):
        return Response(MemberSerializer(self._member(user_id)).data)

    @extend_schema(request=RolesSerializer, responses=MemberSerializer)
    def put(self, request, review_id: int, user_id: int):
        member = self._member(user_id)
        data = RolesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.member_roles_set(actor=request.user, review=self.review, user=member,
                                  roles=data.validated_data["roles"])
        # With no roles left they are out of the review: the answer says so with an empty list.
        member.roles_here = list(Membership.objects.filter(review=self.review, user=member))
        return Response(MemberSerializer(member).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id: int, user_id: int):
        services.member_roles_set(actor=request.user, review=self.review, user=self._member(user_id), roles=[])
        return Response(status=status.HTTP_204_NO_CONTENT)
