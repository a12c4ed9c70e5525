"""The API of reviews: the reviews themselves, their members and roles, invitations, the audit
trail and webhooks. Each view: access check (`ReviewApiView`), one service or selector, serialize."""
from __future__ import annotations

import threading

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .api_base import ReviewApiView, StrictFieldsMixin, no_rows, string_list_field, typed_json
from .archive.services import archive_export_again, archive_export_cancel, archive_export_request
from .archive.views import archive_file_response
from .models import ArchiveExport, AuditEvent, Invitation, Membership, Outcome, Review, Webhook, WebhookDelivery
from .permissions import reviews_for_user, token_allows

User = get_user_model()
Role = Membership.Role


# ---------------------------------------------------------------- reviews

class ReviewSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField(help_text="Your roles in this review.")

    class Meta:
        model = Review
        fields = ["id", "title", "question", "population", "intervention", "intervention_name", "comparator",
                  "comparator_name", "outcomes_summary",
                  "study_designs", "planned_databases", "search_from", "search_to", "status", "is_demo",
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


# ---------------------------------------------------------------- outcomes of the protocol

class OutcomeSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["id", "name", "direction", "note", "position"]
        read_only_fields = ["id", "position"]


def _outcome(review: Review, outcome_id: int) -> Outcome:
    return get_object_or_404(Outcome, pk=outcome_id, review=review)


class OutcomeListApi(ReviewApiView, generics.ListAPIView):
    """The named outcomes of the protocol, in their order, with the direction that favours the
    intervention; POST adds one (leads), as the page Outcomes does."""

    capabilities = {"POST": "edit_review"}
    serializer_class = OutcomeSerializer
    pagination_class = None

    def get_queryset(self):
        return self.review.outcomes.all() if hasattr(self, "review") else Outcome.objects.none()

    @extend_schema(request=OutcomeSerializer, responses={201: OutcomeSerializer})
    def post(self, request, review_id: int):
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.outcome_create(actor=request.user, review=self.review, **data.validated_data)
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


class OutcomeDetailApi(ReviewApiView):
    """One outcome; PATCH renames it (carried into outcome data and appraisals) or changes its
    direction or note, DELETE removes it unless a later stage uses it (leads)."""

    capabilities = {"PATCH": "edit_review", "DELETE": "edit_review"}

    @extend_schema(responses=OutcomeSerializer)
    def get(self, request, review_id: int, outcome_id: int):
        return Response(OutcomeSerializer(_outcome(self.review, outcome_id)).data)

    @extend_schema(request=OutcomeSerializer(partial=True), responses=OutcomeSerializer)
    def patch(self, request, review_id: int, outcome_id: int):
        outcome = _outcome(self.review, outcome_id)
        data = OutcomeSerializer(outcome, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        outcome = services.outcome_update(actor=request.user, outcome=outcome, **data.validated_data)
        return Response(OutcomeSerializer(outcome).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id: int, outcome_id: int):
        services.outcome_delete(actor=request.user, outcome=_outcome(self.review, outcome_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ArchiveExportSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField(help_text="GET it until `status` is done or failed.")
    file_url = serializers.SerializerMethodField(help_text="The ZIP, once `status` is done (else null).")

    class Meta:
        model = ArchiveExport
        fields = ["id", "status", "requested_by", "size", "objects_count", "error", "created_at", "finished_at",
                  "url", "file_url"]
        read_only_fields = fields

    def _absolute(self, name: str, export) -> str:
        path = reverse(name, args=[export.review_id, export.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, export) -> str:
        return self._absolute("api_review_archive", export)

    def get_file_url(self, export) -> str | None:
        return self._absolute("api_review_archive_file", export) if export.status == "done" else None


class ReviewArchiveListApi(ReviewApiView, generics.ListAPIView):
    """The review's archives (leads): one ZIP with every object as JSON, the uploaded files and each
    stage's CSVs (reviewapp/archive/FORMAT.md). POST asks for a new one: 202 with its URL; the
    worker writes it (while one is being written, that one is answered)."""

    capabilities = {"GET": "export_review", "POST": "export_review"}
    serializer_class = ArchiveExportSerializer
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def review_queryset(self):
        return selectors.archive_exports_of(review=self.review)

    @extend_schema(request=None, responses={202: ArchiveExportSerializer})
    def post(self, request, review_id: int):
        export = archive_export_request(actor=request.user, review=self.review)
        body = ArchiveExportSerializer(export, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ReviewArchiveApi(ReviewApiView):
    """One archive and its state (leads)."""

    capabilities = {"GET": "export_review"}

    @extend_schema(responses=ArchiveExportSerializer)
    def get(self, request, review_id: int, export_id: int):
        export = selectors.archive_export_get(review=self.review, export_id=export_id)
        return Response(ArchiveExportSerializer(export, context={"request": request}).data)


class ReviewArchiveCancelApi(ReviewApiView):
    """Stop writing an archive that is not ready yet (leads); one that has ended is a 400 with the reason."""

    capabilities = {"POST": "export_review"}

    @extend_schema(request=None, responses={200: ArchiveExportSerializer})
    def post(self, request, review_id: int, export_id: int):
        export = selectors.archive_export_get(review=self.review, export_id=export_id)
        export = archive_export_cancel(actor=request.user, export=export)
        return Response(ArchiveExportSerializer(export, context={"request": request}).data)


class ReviewArchiveAgainApi(ReviewApiView):
    """Write again an archive that failed or was cancelled (leads): 202 with its URL."""

    capabilities = {"POST": "export_review"}

    @extend_schema(request=None, responses={202: ArchiveExportSerializer})
    def post(self, request, review_id: int, export_id: int):
        export = selectors.archive_export_get(review=self.review, export_id=export_id)
        export = archive_export_again(actor=request.user, export=export)
        body = ArchiveExportSerializer(export, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ReviewArchiveFileApi(ReviewApiView):
    """The ZIP of a finished archive (leads); 404 while it is being written."""

    capabilities = {"GET": "export_review"}

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, review_id: int, export_id: int):
        return archive_file_response(selectors.archive_export_get(review=self.review, export_id=export_id))


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation as leads see it: whom they named (``invitee``), never the account behind it."""

    state = serializers.CharField(read_only=True)
    roles = string_list_field(choices=Role.choices, read_only=True, help_text="Roles given on acceptance.")
    invited_by = serializers.CharField(source="invited_by.get_username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "invitee", "roles", "state", "invited_by", "created_at", "expires_at", "accepted_at",
                  "declined_at", "revoked_at"]
        read_only_fields = fields


# ---------------------------------------------------------------- members and roles

class MemberSerializer(serializers.ModelSerializer):
    """A member as the team sees them: never their e-mail address (that is theirs to give)."""

    user_id = serializers.IntegerField(source="pk", read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["user_id", "username", "first_name", "last_name", "roles"]
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


# ---------------------------------------------------------------- audit trail

# A snapshot of the object's fields (name -> its value as JSON, any JSON type), or null.
_SNAPSHOT = {"type": "object", "nullable": True, "additionalProperties": {
    "nullable": True, "description": "The field's value as stored (a text, number, boolean, list or object)."}}


class AuditEventSerializer(serializers.ModelSerializer):
    before = typed_json(_SNAPSHOT, read_only=True, help_text="The changed object's fields before (null: created).")
    after = typed_json(_SNAPSHOT, read_only=True, help_text="Its fields after (null: deleted).")

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor_label", "action", "object_type", "object_id", "object_label",
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


# ---------------------------------------------------------------- who am I

class MeSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    token = serializers.CharField(allow_null=True, help_text="The name of the token used, if one was.")
    scope = serializers.CharField(help_text="read or read-write")


class MyInvitationSerializer(serializers.ModelSerializer):
    """An invitation as its invitee sees it."""

    review_id = serializers.IntegerField(read_only=True)
    review_title = serializers.CharField(source="review.title", read_only=True)
    roles = string_list_field(choices=Role.choices, read_only=True, help_text="Roles given on acceptance.")
    invited_by = serializers.CharField(source="invited_by.get_username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "review_id", "review_title", "roles", "invited_by", "created_at", "expires_at"]
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
                         "token": token.name if token else None,
                         "scope": token.scope if token else "read-write"})


# ---------------------------------------------------------------- the schema

class SchemaApi(SpectacularAPIView):
    """The OpenAPI schema. drf-spectacular loads its extensions while building the first one and
    is not safe to build two at once (threads of a cold server may crash it), so one at a time."""

    _building = threading.Lock()

    def _get_schema_response(self, request):
        with self._building:
            return super()._get_schema_response(request)
