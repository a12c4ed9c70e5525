"""API of reviews: list, create, detail."""
from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from .. import services
from ..api_base import ReviewApiView, StrictFieldsMixin, no_rows
from ..models import Membership, Review
from ..permissions import reviews_for_user, token_allows
from .common import Role

# ---------------------------------------------------------------- reviews

class ReviewSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField(help_text="Your roles in this review.")

    class Meta:
        model = Review
        fields = ["id", "title", "question", "population", "intervention", "intervention_name", "comparator",
                  "comparator_name", "outcomes_summary",
                  "study_designs", "planned_databases", "search_from", "search_to", "search_update_months", "status",
                  "is_demo",
                  "created_at", "updated_at", "roles"]
        read_only_fields = fields

    def get_roles(self, review) -> list[str]:
        roles = getattr(review, "user_roles", None)
        if roles is None:
            user = self.context["request"].user
            roles = {m.role for m in review.memberships.all() if m.user_id == user.pk}
        return [r for r in Role.values if r in roles]


class ReviewInputSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = list(services.REVIEW_FIELDS)


class ReviewFilter(django_filters.FilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Review
        fields = ["status", "title"]


class AccountListApi(generics.ListAPIView):
    """A list outside any review, of the signed-in account's own rows (`account_queryset`); none
    while drf-spectacular builds the schema (it has no signed-in account)."""

    def get_queryset(self):
        return no_rows(self) if getattr(self, "swagger_fake_view", False) else self.account_queryset()

    def account_queryset(self):
        raise NotImplementedError(f"{type(self).__name__} lists nothing")


class ReviewListApi(AccountListApi):
    """The reviews you are a member of; POST creates one (you become its lead)."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    ordering_fields = ["title", "updated_at", "created_at", "id"]
    ordering = ["-updated_at", "id"]

    def account_queryset(self):
        user = self.request.user
        return reviews_for_user(user=user, token=self.request.auth).prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.filter(user=user)))

    @extend_schema(request=ReviewInputSerializer, responses={201: ReviewSerializer})
    def post(self, request):
        if not token_allows(token=request.auth, review_id=None):
            raise PermissionDenied("This API token is limited to one review; it cannot create reviews.")
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_create(creator=request.user, **data.validated_data)
        review.user_roles = {Role.LEAD}
        return Response(ReviewSerializer(review, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ReviewDetailApi(ReviewApiView):
    """One review (its protocol); PATCH changes it (leads)."""

    capabilities = {"PATCH": "edit_review"}

    @extend_schema(responses=ReviewSerializer)
    def get(self, request, review_id: int):
        return Response(ReviewSerializer(self.review, context={"request": request}).data)

    @extend_schema(request=ReviewInputSerializer, responses=ReviewSerializer)
    def patch(self, request, review_id: int):
        data = ReviewInputSerializer(self.review, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        roles = self.review.user_roles
        review = services.review_update(actor=request.user, review=self.review, **data.validated_data)
        review.user_roles = roles
        return Response(ReviewSerializer(review, context={"request": request}).data)
