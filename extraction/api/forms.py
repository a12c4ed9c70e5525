"""API of extraction forms and their published versions."""
from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from reviewapp.api_base import MAX_ID, PersonNameField, ReviewApiView, StrictFieldsMixin

from .. import api_types, rules, selectors, services
from .. import definition as defs
from ..models import FormTemplate, FormVersion
from .common import Kind, username_of

# ---------------------------------------------------------------- forms

ANSWERS_SCHEMA_NOTE = ("The exact shape (types, units, choices, ranges) of each published version is its JSON "
                       "Schema at `GET .../extraction/forms/{form_id}/versions/{number}/answers-schema/`.")


@extend_schema_field(api_types.ANSWERS)
class AnswersField(serializers.JSONField):
    """An entry's answers by field key (see ANSWERS_SCHEMA_NOTE)."""


class FormVersionBriefSerializer(serializers.ModelSerializer):
    published_by = serializers.SerializerMethodField()
    published_by_name = PersonNameField(source="published_by")

    class Meta:
        model = FormVersion
        fields = ["number", "note", "published_by", "published_by_name", "published_at"]
        read_only_fields = fields

    def get_published_by(self, version) -> str | None:
        return username_of(version.published_by)


class FormVersionSerializer(FormVersionBriefSerializer):
    definition = api_types.typed_json(
        api_types.FormDefinitionSerializer, read_only=True,
        help_text="Sections and their fields (key, label, type, required, choices, min, max, unit); a repeating "
                  "section (`repeat`) takes a list of rows.")
    answers_schema = serializers.SerializerMethodField(
        help_text="The JSON Schema of the answers made with this version (GET it).")

    class Meta(FormVersionBriefSerializer.Meta):
        fields = [*FormVersionBriefSerializer.Meta.fields, "definition", "answers_schema"]
        read_only_fields = fields

    def get_answers_schema(self, version) -> str:
        return reverse("api_extraction_form_version_answers_schema",
                       args=[version.template.review_id, version.template_id, version.number])


class FormSerializer(serializers.ModelSerializer):
    settler = serializers.SerializerMethodField(help_text="Who settles differences besides the leads (or null).")
    current_version = serializers.SerializerMethodField(help_text="The number of the version entries use now.")
    versions = serializers.SerializerMethodField(help_text="Every published version, newest first.")
    settler_name = PersonNameField(source="settler")

    class Meta:
        model = FormTemplate
        fields = ["id", "name", "kind", "settler", "settler_name", "current_version", "versions", "created_at"]
        read_only_fields = fields

    def _versions(self, template) -> list:
        return sorted(template.versions.all(), key=lambda v: -v.number)

    def get_settler(self, template) -> str | None:
        return username_of(template.settler)

    def get_current_version(self, template) -> int | None:
        versions = self._versions(template)
        return versions[0].number if versions else None

    @extend_schema_field(FormVersionBriefSerializer(many=True))
    def get_versions(self, template) -> list:
        return FormVersionBriefSerializer(self._versions(template), many=True).data


class FormDetailSerializer(FormSerializer):
    definition = serializers.SerializerMethodField(help_text="The current version's definition (null before one "
                                                             "is published).")
    draft = api_types.typed_json(api_types.FormDefinitionSerializer, read_only=True,
                                 help_text="The definition a lead is building; publishing it makes the next version.")

    class Meta(FormSerializer.Meta):
        fields = [*FormSerializer.Meta.fields, "definition", "draft"]
        read_only_fields = fields

    @extend_schema_field(api_types.FormDefinitionSerializer(allow_null=True))
    def get_definition(self, template):
        versions = self._versions(template)
        return versions[0].definition if versions else None


def _forms(review, kind: str):
    return review.form_templates.filter(kind=kind).select_related("settler").prefetch_related(
        "versions__published_by")


class FormCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, help_text="The new form's name.")
    builtin = serializers.BooleanField(required=False, default=False,
                                       help_text="Make the built-in form instead (published as version 1).")

    def validate(self, data):
        if not data["builtin"] and not (data.get("name") or "").strip():
            raise serializers.ValidationError({"name": ["Name the new form (or ask for the built-in one)."]})
        return data


class FormSettlerSerializer(StrictFieldsMixin, serializers.Serializer):
    settler = serializers.IntegerField(allow_null=True, min_value=1, max_value=MAX_ID,
                                       help_text="The user id of an extractor or lead of the review who may "
                                                 "settle differences on this form besides the leads; null for "
                                                 "leads only.")


class SectionInputSerializer(StrictFieldsMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    repeat = serializers.CharField(max_length=60, required=False, allow_blank=True, default="",
                                   help_text="For a repeating group, what one row is (Arm, Time point); empty "
                                             "for a plain section.")
    help = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    outcome_data = serializers.BooleanField(required=False, default=False,
                                            help_text="Add the built-in outcome data group instead.")

    def validate(self, data):
        if not data["outcome_data"] and not data["title"].strip():
            raise serializers.ValidationError({"title": ["A section needs a title."]})
        return data


class FieldInputSerializer(StrictFieldsMixin, serializers.Serializer):
    label = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=list(defs.FIELD_TYPES.items()))
    required = serializers.BooleanField(required=False, default=False)
    help = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    choices = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list,
                                    max_length=500, help_text="For single and multiple choice.")
    min = serializers.FloatField(required=False, allow_null=True, default=None, help_text="For numbers.")
    max = serializers.FloatField(required=False, allow_null=True, default=None, help_text="For numbers.")
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                 help_text="For decimal numbers.")


class PublishSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                 help_text="What changed, shown in the list of versions.")


def _form(review, form_id: int) -> FormTemplate:
    return generics.get_object_or_404(_forms(review, Kind.EXTRACTION), pk=form_id)


def _form_body(review, form_id: int) -> dict:
    return FormDetailSerializer(_form(review, form_id)).data


class FormListApi(ReviewApiView, generics.ListAPIView):
    """The review's extraction forms with their published versions; POST makes a new one (leads):
    an empty draft to build, or the built-in form."""

    capabilities = {"POST": "build_forms"}
    serializer_class = FormSerializer
    ordering_fields = ["id", "name", "created_at"]
    ordering = ["id"]

    def review_queryset(self):
        return _forms(self.review, Kind.EXTRACTION)

    @extend_schema(request=FormCreateSerializer, responses={201: FormDetailSerializer})
    def post(self, request, review_id: int):
        data = FormCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["builtin"]:
            template = services.template_create_builtin(actor=request.user, review=self.review)
        else:
            template = services.template_create(actor=request.user, review=self.review,
                                                name=data.validated_data["name"])
        return Response(_form_body(self.review, template.pk), status=status.HTTP_201_CREATED)


class FormDetailApi(ReviewApiView):
    """One extraction form with its current definition and draft; PATCH names who else settles
    differences on it (leads)."""

    capabilities = {"PATCH": "build_forms"}

    @extend_schema(responses=FormDetailSerializer)
    def get(self, request, review_id: int, form_id: int):
        return Response(_form_body(self.review, form_id))

    @extend_schema(request=FormSettlerSerializer, responses=FormDetailSerializer)
    def patch(self, request, review_id: int, form_id: int):
        template = _form(self.review, form_id)
        data = FormSettlerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        settler = None
        if data.validated_data["settler"] is not None:
            settler = rules.settler_candidates(review=self.review).filter(
                pk=data.validated_data["settler"]).first()
            if settler is None:
                raise exceptions.ValidationError({"settler": ["Not an extractor or lead of this review."]})
        services.template_settler_set(actor=request.user, template=template, settler=settler)
        return Response(_form_body(self.review, form_id))


class FormSectionsApi(ReviewApiView):
    """Add a section to the form's draft (leads), or the built-in outcome data group."""

    capabilities = {"POST": "build_forms"}

    @extend_schema(request=SectionInputSerializer, responses={201: FormDetailSerializer})
    def post(self, request, review_id: int, form_id: int):
        template = _form(self.review, form_id)
        data = SectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.pop("outcome_data"):
            services.draft_outcome_data_add(actor=request.user, template=template)
        else:
            services.draft_section_save(actor=request.user, template=template, section_key=None, **values)
        return Response(_form_body(self.review, form_id), status=status.HTTP_201_CREATED)


class FormFieldsApi(ReviewApiView):
    """Add a field to a section of the form's draft (leads)."""

    capabilities = {"POST": "build_forms"}

    @extend_schema(request=FieldInputSerializer, responses={201: FormDetailSerializer})
    def post(self, request, review_id: int, form_id: int, section_key: str):
        template = _form(self.review, form_id)
        data = FieldInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.draft_field_save(actor=request.user, template=template, section_key=section_key, field_key=None,
                                  **data.validated_data)
        return Response(_form_body(self.review, form_id), status=status.HTTP_201_CREATED)


def _changes(request) -> dict:
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError("A JSON object with the attributes to change expected.")
    return dict(request.data.items())


def _draft_item(template: FormTemplate, section_key: str, field_key: str | None = None) -> dict:
    """A section (or a field of it) of the draft, as it stands: what a partial change starts from."""
    section = next((x for x in defs.sections(template.draft) if x["key"] == section_key), None)
    item = section if field_key is None or section is None else next(
        (f for f in section["fields"] if f["key"] == field_key), None)
    if item is None:
        raise exceptions.NotFound("No such field in the draft." if field_key else "No such section in the draft.")
    return item


class FormSectionApi(ReviewApiView):
    """Change a section of the draft (title, repeat, help) or remove it with its fields (leads)."""

    capabilities = {"PATCH": "build_forms", "DELETE": "build_forms"}

    @extend_schema(request=SectionInputSerializer(partial=True), responses=FormDetailSerializer)
    def patch(self, request, review_id: int, form_id: int, section_key: str):
        template = _form(self.review, form_id)
        current = _draft_item(template, section_key)
        data = SectionInputSerializer(data={"title": current.get("title", ""), "repeat": current.get("repeat", ""),
                                            "help": current.get("help", ""), **_changes(request)})
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k != "outcome_data"}
        services.draft_section_save(actor=request.user, template=template, section_key=section_key, **values)
        return Response(_form_body(self.review, form_id))

    @extend_schema(request=None, responses={200: FormDetailSerializer})
    def delete(self, request, review_id: int, form_id: int, section_key: str):
        template = _form(self.review, form_id)
        _draft_item(template, section_key)
        services.draft_item_delete(actor=request.user, template=template, section_key=section_key)
        return Response(_form_body(self.review, form_id))


class FormFieldApi(ReviewApiView):
    """Change a field of the draft (any of its attributes) or remove it (leads)."""

    capabilities = {"PATCH": "build_forms", "DELETE": "build_forms"}

    @extend_schema(request=FieldInputSerializer(partial=True), responses=FormDetailSerializer)
    def patch(self, request, review_id: int, form_id: int, section_key: str, field_key: str):
        template = _form(self.review, form_id)
        current = _draft_item(template, section_key, field_key)
        attrs = {k: current.get(k) for k in ("label", "type", "required", "help", "choices", "min", "max", "unit")}
        data = FieldInputSerializer(data={**{k: v for k, v in attrs.items() if v is not None}, **_changes(request)})
        data.is_valid(raise_exception=True)
        services.draft_field_save(actor=request.user, template=template, section_key=section_key,
                                  field_key=field_key, **data.validated_data)
        return Response(_form_body(self.review, form_id))

    @extend_schema(request=None, responses={200: FormDetailSerializer})
    def delete(self, request, review_id: int, form_id: int, section_key: str, field_key: str):
        template = _form(self.review, form_id)
        _draft_item(template, section_key, field_key)
        services.draft_item_delete(actor=request.user, template=template, section_key=section_key,
                                   field_key=field_key)
        return Response(_form_body(self.review, form_id))


class MoveSerializer(StrictFieldsMixin, serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("up", "One place up"), ("down", "One place down")])


class FormDraftDiscardApi(ReviewApiView):
    """Discard the draft's changes: back to the current version's definition (leads), as the form
    builder's button does."""

    capabilities = {"POST": "build_forms"}

    @extend_schema(request=None, responses=FormDetailSerializer)
    def post(self, request, review_id: int, form_id: int):
        services.draft_discard(actor=request.user, template=_form(self.review, form_id))
        return Response(_form_body(self.review, form_id))


class FormItemMoveApi(ReviewApiView):
    """Move a section of the draft, or a field within its section, one place up or down (leads),
    as the form builder's arrows do."""

    capabilities = {"POST": "build_forms"}

    @extend_schema(request=MoveSerializer, responses=FormDetailSerializer)
    def post(self, request, review_id: int, form_id: int, section_key: str, field_key: str | None = None):
        template = _form(self.review, form_id)
        _draft_item(template, section_key, field_key)
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.draft_item_move(actor=request.user, template=template, section_key=section_key,
                                 field_key=field_key, up=data.validated_data["direction"] == "up")
        return Response(_form_body(self.review, form_id))


class FormVersionListApi(ReviewApiView):
    """Publish the draft as the next version (leads): every entry and consensus moves onto it, and
    answers of changed fields are kept aside, as on the form builder."""

    capabilities = {"POST": "build_forms"}

    @extend_schema(request=PublishSerializer, responses={201: FormVersionSerializer})
    def post(self, request, review_id: int, form_id: int):
        template = _form(self.review, form_id)
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_publish(actor=request.user, template=template, note=data.validated_data["note"])
        return Response(FormVersionSerializer(selectors.form_version_get(template=template, number=version.number)
                                              ).data, status=status.HTTP_201_CREATED)


class FormVersionApi(ReviewApiView):
    """One published version of a form, with its definition (answers made with it keep its shape)."""

    @extend_schema(responses=FormVersionSerializer)
    def get(self, request, review_id: int, form_id: int, number: int):
        template = _form(self.review, form_id)
        return Response(FormVersionSerializer(selectors.form_version_get(template=template, number=number)).data)


class FormVersionAnswersSchemaApi(ReviewApiView):
    """The JSON Schema (2020-12) of an entry's `answers` under one published version of a form:
    each field's type, unit (`x-unit`), choices, range, and each repeating group as a list of rows;
    empty answers are null. `x-required-when-done` lists the fields needed to mark an entry done."""

    @extend_schema(responses={200: OpenApiResponse(api_types.JsonSchemaDocumentSerializer,
                                                   description="A JSON Schema document.")})
    def get(self, request, review_id: int, form_id: int, number: int):
        template = _form(self.review, form_id)
        return Response(selectors.form_version_answers_schema(template=template, number=number))
