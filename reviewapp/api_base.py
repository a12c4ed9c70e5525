"""What every app's API shares: JSON errors with a reason and the field at fault, their place in
the schema, and the review-scoped view base. Authentication, scope and throttling are in
`api_auth` (DRF's settings import them, so that module imports no DRF view); each app names its
routes on its AppConfig (`api_urls`, see `extensions`).

Access is decided by `reviewapp.permissions`, as for the pages: a view names the capability
each HTTP method needs and `ReviewApiView` resolves the review with it before anything else runs
(404 for people outside the review, 403 for members without the role).
"""
from __future__ import annotations

from collections.abc import Mapping

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView, exception_handler

from . import paging
from .exceptions import ApplicationError
from .models import Review
from .people import display_name
from .permissions import review_get_for_user
from .widgets import IdListField

# ---------------------------------------------------------------- the token in the schema

class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "reviewapp.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "A personal API token: `Token <key>` (created on the page API tokens)."}



# ---------------------------------------------------------------- errors as JSON

class ErrorSerializer(serializers.Serializer):
    """Every error: a reason in words, the field at fault (if one is), and all field errors."""

    detail = serializers.CharField()
    field = serializers.CharField(allow_null=True, required=False)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


def _first(messages) -> str:
    while isinstance(messages, (list, tuple)) and messages:
        messages = messages[0]
    if isinstance(messages, dict):
        return _first(next(iter(messages.values()), ""))
    return str(messages)


def _flat(errors, prefix: str = "") -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            flat.update(_flat(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(errors, (list, tuple)) and any(isinstance(e, (dict, list)) for e in errors):
        for i, value in enumerate(errors):
            flat.update(_flat(value, f"{prefix}.{i}" if prefix else str(i)))
    else:
        flat[prefix or "non_field_errors"] = [str(e) for e in (errors if isinstance(errors, (list, tuple))
                                                                 else [errors])]
    return flat


def _validation_body(errors) -> dict:
    flat = _flat(errors)
    field, messages = next(iter(flat.items()), ("non_field_errors", ["Invalid input."]))
    field_name = None if field in ("non_field_errors", "__all__") else field
    detail = messages[0] if field_name is None else f"{field_name}: {messages[0]}"
    return {"detail": detail, "field": field_name, "errors": flat}


def api_exception_handler(exc, context):
    """DRF's handler, with the app's refusals (ApplicationError) as 400 and every body carrying
    `detail` (the reason) and `field` (the field at fault, or null)."""
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, "field": exc.extra.get("field")}, status=400)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You may not do this.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(response.data)
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "field": None}
    else:
        response.data = {"detail": _first(response.data), "field": None}
    return response


def schema_error_responses(result, generator, request, public):
    """Postprocessing hook of drf-spectacular: document the error answers every operation can give."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = {
        "type": "object", "required": ["detail"],
        "properties": {
            "detail": {"type": "string", "description": "Why the request was refused, in words."},
            "field": {"type": "string", "nullable": True, "description": "The field at fault, if one is."},
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                       "description": "Every field at fault and its messages (validation errors)."},
        },
    }
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    reasons = {"400": "Invalid input, or a rule of the review refused the change",
               "401": "Not authenticated (no, unknown or revoked token)",
               "403": "Authenticated, but the role (or the token's scope) does not allow this",
               "404": "No such object, or not a member of its review",
               "405": "Method not allowed", "406": "Not acceptable", "415": "Unsupported media type",
               "429": "Too many requests for this token; wait and retry"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for code, text in reasons.items():
                if code == "400" and method == "get" and not operation.get("parameters"):
                    continue
                operation.setdefault("responses", {}).setdefault(code, {"description": text, **error})
    return result


# ---------------------------------------------------------------- typed JSON values

def string_list_field(*, choices: list | None = None, **kwargs) -> serializers.JSONField:
    """A JSON list of texts (authors, keywords, tags, reasons, designs), typed as such in the
    schema (with its ``choices`` as an enum, if any) rather than as any JSON value."""
    described = serializers.ListField(child=serializers.ChoiceField(choices=choices) if choices
                                      else serializers.CharField())

    @extend_schema_field(described)
    class StringList(serializers.JSONField):
        pass

    return StringList(**kwargs)


def typed_json(described, **kwargs) -> serializers.JSONField:
    """A JSON value answered as stored, described in the schema by ``described`` (a serializer, a
    serializer field or a JSON Schema dict) rather than as any JSON value."""

    @extend_schema_field(described)
    class TypedJson(serializers.JSONField):
        pass

    return TypedJson(**kwargs)


# ---------------------------------------------------------------- input

UNKNOWN_FIELD = "Unknown field: this operation does not take it."


class PersonNameField(serializers.CharField):
    """A person by name, read-only: full name, else username (``reviewapp.people.display_name``,
    as the pages). ``source`` names the user; null when there is none. Sits beside the username
    fields clients already read."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Full name, else the username.")
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def get_attribute(self, instance):
        try:
            return super().get_attribute(instance)
        except (AttributeError, KeyError):
            return None

    def to_representation(self, value):
        return display_name(value) if value is not None else None


class StrictFieldsMixin:
    """For every serializer that reads a request body: a field the operation does not know is
    refused (400, each named) rather than dropped, so a misspelt or unsupported field never
    answers 200 while changing nothing. Read-only fields an answer carries may be sent back; they
    are ignored, as the schema marks them readOnly."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise exceptions.ValidationError({name: [UNKNOWN_FIELD] for name in unknown})
        return super().to_internal_value(data)


# ---------------------------------------------------------------- lists

# Ids and offsets beyond what a database integer holds are refused (400) or capped, not sent to SQL.
MAX_ID = 2**53


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """A filter on an id (or other whole number), bounded so the database never sees an overflow."""

    field_class = forms.IntegerField

    def __init__(self, *args, min_value: int = 1, max_value: int = MAX_ID, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)


@extend_schema_field({"type": "string", "pattern": "^[0-9]+(, *[0-9]+)*$", "example": "12,15,40"})
class IdListFilter(django_filters.Filter):
    """Comma-separated ids (``?ids=12,15,40``), at most `IdListField.limit`; applied by the view's selector."""

    field_class = IdListField


class Pagination(LimitOffsetPagination):
    """?limit= (at most 1000) and ?offset=, with the total `count` and `next`/`previous` links."""

    default_limit = 100
    max_limit = 1000

    def get_offset(self, request) -> int:
        return min(super().get_offset(request), MAX_ID)


class DeferredJoinPagination(Pagination):
    """`Pagination` for long lists (`reviewapp.paging`): the offset is taken on the ids, then only the
    page's rows are read, so a deep offset costs an index scan, not the rows; a list without a known
    length is counted up to `paging.COUNT_CAP` rows (``count_exact`` false: ``count`` is that cap + 1,
    "more than the cap"); a list in id order goes on by id with ``?after=<id>``, one index range
    scan at any depth, and its ``next`` link does so from `paging.SHALLOW` rows on."""

    after_query_param = "after"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        # A view that already knows the list's length (``known_count()``, None when it does not) spares a count.
        known = view.known_count() if view is not None and hasattr(view, "known_count") else None
        self.offset = self.get_offset(request)
        self.keyset = paging.in_id_order(queryset)
        self.after = paging.bounded_int(request.query_params.get(self.after_query_param))
        if self.after is not None and not self.keyset:
            raise exceptions.ValidationError({self.after_query_param: [
                "Only a list in id order (without sort or ordering) goes on by id; use offset."]})
        rows = None
        if known is None and self.after is None and self.offset < paging.SHALLOW:
            rows = paging.rows_by_ids(queryset, self.offset, self.offset + self.limit + 1)
            if len(rows) <= self.limit and (rows or not self.offset):
                known = self.offset + len(rows)  # a page that is not full ends the list: no count asked
        self.count = known if known is not None else paging.capped_count(queryset)
        self.count_exact = known is not None or self.count <= paging.COUNT_CAP
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if self.after is not None:
            rows = paging.rows_after(queryset, after=self.after, limit=self.limit + 1)
        elif rows is None and (self.count == 0 or (self.count_exact and self.offset > self.count)):
            return []
        elif rows is None:
            rows = paging.rows_by_ids(queryset, self.offset, self.offset + self.limit + 1)
        # One row more than the page: whether there is a next page, whatever the count says.
        self.more = len(rows) > self.limit
        self.rows = rows[: self.limit]
        return self.rows

    def get_next_link(self):
        if not getattr(self, "more", False):
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        if self.keyset and (self.after is not None or self.offset + self.limit >= paging.SHALLOW):
            url = remove_query_param(url, self.offset_query_param)
            return replace_query_param(url, self.after_query_param, self.rows[-1].pk)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_previous_link(self):
        if self.after is not None:
            return None  # a page reached by id does not know its offset
        return super().get_previous_link()

    def get_paginated_response(self, data):
        return Response({"count": self.count, "count_exact": self.count_exact, "next": self.get_next_link(),
                         "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["count", "count_exact", "results"]
        answer["properties"] = {"count": answer["properties"]["count"], "count_exact": {
            "type": "boolean", "description": f"false: the list has more than {paging.COUNT_CAP:,} rows and "
                                             "`count` is that number + 1 (counted no further)"},
            **{k: v for k, v in answer["properties"].items() if k != "count"}}
        return answer

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view), {
            "name": self.after_query_param, "required": False, "in": "query",
            "description": "Go on after this id (lists in id order only; instead of offset)",
            "schema": {"type": "integer"}}]


# ---------------------------------------------------------------- rows of a list view

def no_rows(view):
    """The empty list of ``view``'s rows (of its serializer's model), for schema generation."""
    serializer = view.get_serializer_class() if hasattr(view, "get_serializer_class") else None
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    return model.objects.none() if model is not None else []


# ---------------------------------------------------------------- views scoped to a review

class ReviewApiView(APIView):
    """An API view under /api/v1/reviews/<review_id>/. ``capabilities`` maps an HTTP method to the
    capability of `reviewapp.permissions` it needs (GET and other reads default to "view");
    `initial` resolves ``self.review`` with it before the handler runs."""

    capabilities: dict[str, str] = {}
    review: Review

    def capability_for(self, method: str) -> str:
        if method in self.capabilities:
            return self.capabilities[method]
        if method in SAFE_METHODS:
            return "view"
        raise exceptions.MethodNotAllowed(method)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.building_schema:
            return
        self.review = review_get_for_user(user=request.user, review_id=kwargs["review_id"],
                                          capability=self.capability_for(request.method), token=request.auth)
        self.check_review(request)

    @property
    def building_schema(self) -> bool:
        """drf-spectacular builds the schema with views that have no request and so no review."""
        return getattr(self, "swagger_fake_view", False)

    def check_review(self, request) -> None:
        """A rule on the whole review beyond the method's capability (e.g. who resolves
        conflicts): raise PermissionDenied to refuse. Runs once ``self.review`` is known."""

    def get_queryset(self):
        """A list view's rows: `review_queryset`, or none while the schema is built."""
        if self.building_schema or not hasattr(self, "review"):
            return no_rows(self)
        return self.review_queryset()

    def review_queryset(self):
        raise NotImplementedError(f"{type(self).__name__} lists nothing")

    @property
    def roles(self) -> set[str]:
        return self.review.user_roles
