"""The API of extraction: forms and their published versions, extractions, one's own entry,
the comparison of two entries and their consensus, and the outcome data analyses pool.

Each view: access check (`ReviewApiView` with the capability per method, and for consensus the
rules of `extraction.rules`), one service or selector, serialize. Blind double entry holds as on
the pages: nobody reads another person's entry (only who extracts and whether they are done);
once both are done the comparison opens to whoever settles, and once the consensus is final to
the two extractors and the role Extractor too. The consensus, once final, is the study's data for every member.
"""
from __future__ import annotations

import django_filters
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from reviewapp.api_base import MAX_ID, IdFilter, ReviewApiView, StrictFieldsMixin
from screening.models import StudyDesign

from . import api_types, rules, selectors, services
from . import definition as defs
from .models import Entry, Extraction, FormTemplate, FormVersion, Settlement

Kind = FormTemplate.Kind
Status = Extraction.Status
COMPARABLE = rules.COMPARABLE


def _username(user) -> str | None:
    return user.get_username() if user else None


# ---------------------------------------------------------------- forms

ANSWERS_SCHEMA_NOTE = ("The exact shape (types, units, choices, ranges) of each published version is its JSON "
                       "Schema at `GET .../extraction/forms/{form_id}/versions/{number}/answers-schema/`.")


@extend_schema_field(api_types.ANSWERS)
class AnswersField(serializers.JSONField):
    """An entry's answers by field key (see ANSWERS_SCHEMA_NOTE)."""


class FormVersionBriefSerializer(serializers.ModelSerializer):
    published_by = serializers.SerializerMethodField()

    class Meta:
        model = FormVersion
        fields = ["number", "note", "published_by", "published_at"]
        read_only_fields = fields

    def get_published_by(self, version) -> str | None:
        return _username(version.published_by)


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

    class Meta:
        model = FormTemplate
        fields = ["id", "name", "kind", "settler", "current_version", "versions", "created_at"]
        read_only_fields = fields

    def _versions(self, template) -> list:
        return sorted(template.versions.all(), key=lambda v: -v.number)

    def get_settler(self, template) -> str | None:
        return _username(template.settler)

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


# ---------------------------------------------------------------- extractions and entries

class EntryBriefSerializer(serializers.ModelSerializer):
    """Who fills an entry and whether they are done; never their answers."""

    user = serializers.CharField(source="user.get_username", read_only=True)

    class Meta:
        model = Entry
        fields = ["user", "done", "done_at"]
        read_only_fields = fields


class EntrySerializer(serializers.ModelSerializer):
    """The caller's own entry. Before they save one, a blank one (id null, started false)."""

    user = serializers.CharField(source="user.get_username", read_only=True)
    started = serializers.SerializerMethodField()
    extraction = serializers.IntegerField(source="extraction_id", read_only=True, allow_null=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    answers = AnswersField(read_only=True, help_text="Plain fields by key; a repeating group as a list of rows "
                                                     "(objects by field key). " + ANSWERS_SCHEMA_NOTE)
    retired = api_types.RetiredAnswersField(read_only=True, help_text="Answers of fields a later version removed or "
                                                              "changed: {path: {value, label, version}}.")
    has_unsaved_draft = serializers.SerializerMethodField(help_text="The browser form holds typing not yet saved.")
    frozen_reason = serializers.SerializerMethodField(
        help_text="Why the entry can no longer be changed or reopened (null while it can): the consensus is "
                  "final, or both entries are done and differ until they are settled.")

    class Meta:
        model = Entry
        fields = ["id", "started", "extraction", "user", "version", "done", "done_at", "answers", "retired",
                  "has_unsaved_draft", "frozen_reason", "updated_at"]
        read_only_fields = fields

    def get_started(self, entry) -> bool:
        return entry.pk is not None

    def get_has_unsaved_draft(self, entry) -> bool:
        return entry.draft is not None

    def get_frozen_reason(self, entry) -> str | None:
        return rules.entry_change_refusal(extraction=entry.extraction) if entry.extraction_id else None


class EntryInputSerializer(StrictFieldsMixin, serializers.Serializer):
    answers = AnswersField(help_text="The whole entry, as `answers` is read: plain fields by key, each repeating "
                                     "group a list of rows. A field left out is left empty. " + ANSWERS_SCHEMA_NOTE)

    def validate_answers(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("An object of answers by field key.")
        return value
    done = serializers.BooleanField(required=False, default=False,
                                    help_text="Mark the entry done (every required field filled).")


class ExtractionSerializer(serializers.ModelSerializer):
    form = serializers.IntegerField(source="template_id", read_only=True)
    form_name = serializers.CharField(source="template.name", read_only=True)
    study_label = serializers.CharField(source="study.label", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    entries = EntryBriefSerializer(many=True, read_only=True)
    finalised_by = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField(help_text="Your own entry (brief), or null.")

    class Meta:
        model = Extraction
        fields = ["id", "form", "form_name", "study", "study_label", "target", "version", "status", "entries",
                  "mine", "finalised_by", "finalised_at", "created_at", "updated_at"]
        read_only_fields = fields

    def get_finalised_by(self, extraction) -> str | None:
        return _username(extraction.finalised_by)

    def _mine(self, extraction):
        user = self.context["request"].user
        return next((e for e in extraction.entries.all() if e.user_id == user.pk), None)

    @extend_schema_field(EntryBriefSerializer(allow_null=True))
    def get_mine(self, extraction):
        entry = self._mine(extraction)
        return EntryBriefSerializer(entry).data if entry else None


class ExtractionDetailSerializer(ExtractionSerializer):
    my_entry = serializers.SerializerMethodField(help_text="Your own entry with its answers, or null.")
    consensus = serializers.SerializerMethodField(help_text="Once final: the settled answers, the study's data.")
    consensus_retired = serializers.SerializerMethodField(
        help_text="Once final: consensus answers of fields a later version removed or changed.")

    class Meta(ExtractionSerializer.Meta):
        fields = [*ExtractionSerializer.Meta.fields, "my_entry", "consensus", "consensus_retired"]
        read_only_fields = fields

    @extend_schema_field(EntrySerializer(allow_null=True))
    def get_my_entry(self, extraction):
        entry = self._mine(extraction)
        return EntrySerializer(entry).data if entry else None

    @extend_schema_field(api_types.NullableAnswersField(allow_null=True))
    def get_consensus(self, extraction):
        return extraction.consensus if extraction.status == Status.DONE else None

    @extend_schema_field(api_types.RetiredAnswersField(allow_null=True))
    def get_consensus_retired(self, extraction):
        return extraction.retired if extraction.status == Status.DONE else None


class ExtractionFilter(django_filters.FilterSet):
    study = IdFilter(field_name="study_id", label="The study (id)")
    form = IdFilter(field_name="template_id", label="The form (id)")
    status = django_filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = Extraction
        fields = ["study", "form", "status"]


class ExtractionListApi(ReviewApiView, generics.ListAPIView):
    """The review's extractions (a study on a form, once someone started it): status, who extracts
    and whether they are done, and your own entry."""

    serializer_class = ExtractionSerializer
    filterset_class = ExtractionFilter
    ordering_fields = ["study__label", "id", "updated_at", "status"]
    ordering = ["study__label", "id"]

    def review_queryset(self):
        return selectors.extractions_list(review=self.review, kind=Kind.EXTRACTION)


class ExtractionDetailApi(ReviewApiView):
    """One extraction: its status, your own entry with its answers, and the consensus once final."""

    @extend_schema(responses=ExtractionDetailSerializer)
    def get(self, request, review_id: int, extraction_id: int):
        extraction = selectors.extraction_by_id(review=self.review, extraction_id=extraction_id)
        return Response(ExtractionDetailSerializer(extraction, context={"request": request}).data)


def blank_entry(*, template: FormTemplate, user, extraction: Extraction | None) -> Entry:
    """What a person who has not saved yet sees: an empty entry on the version they would use."""
    version = extraction.version if extraction else template.current_version
    if version is None:
        raise exceptions.NotFound("The form has not been published yet.")
    return Entry(extraction=extraction, user=user, version=version, answers={})


def refuse_a_third(extraction: Extraction | None, user) -> None:
    # As the entry page: a third person may not open a study two people are on (or one settled).
    refusal = rules.new_entry_refusal(user=user, extraction=extraction)
    if refusal:
        raise exceptions.PermissionDenied(refusal)


class EntryApi(ReviewApiView):
    """Your own entry on a study (extractors and leads): GET it, PUT the whole entry (answers, and
    `done` to mark it done). Answers are checked as on the entry page; a refused save changes
    nothing and says which field is at fault (`field`, e.g. `answers.outcome_data.0.i_sd`)."""

    capabilities = {"GET": "extract", "PUT": "extract"}

    def _target(self, request) -> str:
        return ""

    def _template(self, form_id: int) -> FormTemplate:
        return selectors.template_get(review=self.review, template_id=form_id)

    def _current(self, request, template, study):
        extraction = selectors.extraction_get(template=template, study=study, target=self._target(request))
        if extraction is None:
            return None, None
        return extraction, next((e for e in extraction.entries.all() if e.user_id == request.user.pk), None)

    def _answer(self, request, template, study):
        extraction, entry = self._current(request, template, study)
        refuse_a_third(extraction, request.user)
        return entry or blank_entry(template=template, user=request.user, extraction=extraction)

    def _save(self, request, template, study, data) -> None:
        services.entry_save_answers(actor=request.user, template=template, study=study, **data)

    @extend_schema(responses=EntrySerializer)
    def get(self, request, review_id: int, form_id: int, study_id: int):
        template = self._template(form_id)
        study = selectors.study_get(review=self.review, study_id=study_id)
        return Response(EntrySerializer(self._answer(request, template, study)).data)

    @extend_schema(request=EntryInputSerializer, responses=EntrySerializer)
    def put(self, request, review_id: int, form_id: int, study_id: int):
        template = self._template(form_id)
        study = selectors.study_get(review=self.review, study_id=study_id)
        data = EntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self._save(request, template, study, data.validated_data)
        return Response(EntrySerializer(self._answer(request, template, study)).data)


class EntryReopenApi(EntryApi):
    """Reopen your entry after marking it done (while the consensus is not final), to change it."""

    capabilities = {"POST": "extract"}
    http_method_names = ["post", "options"]  # not the entry's GET and PUT it shares code with

    def _reopen(self, request, template, study) -> None:
        extraction, _ = self._current(request, template, study)
        if extraction is None:
            raise exceptions.ValidationError("You have no finished entry to reopen.")
        services.entry_reopen(actor=request.user, extraction=extraction)

    @extend_schema(request=None, responses=EntrySerializer)
    def post(self, request, review_id: int, form_id: int, study_id: int):
        template = self._template(form_id)
        study = selectors.study_get(review=self.review, study_id=study_id)
        self._reopen(request, template, study)
        return Response(EntrySerializer(self._answer(request, template, study)).data)


# ---------------------------------------------------------------- comparison and consensus

class DifferenceSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="The field (`key`, or `group[row].key`); settle it by this path.")
    section = serializers.CharField()
    label = serializers.CharField()
    a = api_types.AnswerField(allow_null=True, help_text="The first entry's value.")
    b = api_types.AnswerField(allow_null=True, help_text="The second entry's value.")
    differs = serializers.BooleanField()
    derived = serializers.BooleanField(help_text="Filled by the application from other answers; never settled.")
    is_settled = serializers.BooleanField()
    settled = api_types.AnswerField(allow_null=True, help_text="The settled value (when is_settled).")
    note = serializers.CharField(allow_blank=True)


class ComparisonSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    comparable = serializers.BooleanField(help_text="Whether you may see the two entries side by side now: not "
                                                    "before both are done, and before the consensus is final "
                                                    "only if you settle it.")
    blind_reason = serializers.CharField(allow_null=True,
                                         help_text="Why the entries stay hidden (when not comparable).")
    may_settle = serializers.BooleanField(help_text="Whether you may settle differences and finalise.")
    entries = EntryBriefSerializer(many=True, help_text="First (a) and second (b) entry.")
    open = serializers.IntegerField(help_text="Differences not settled yet.")
    rows = DifferenceSerializer(many=True)


class SettleSerializer(StrictFieldsMixin, serializers.Serializer):
    path = serializers.CharField(max_length=300, help_text="A field on which the two entries differ.")
    choice = serializers.ChoiceField(choices=[("a", "The first entry's value"), ("b", "The second entry's value"),
                                              ("empty", "Neither: leave it empty"), ("other", "The value in `other`")])
    other = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000,
                                  help_text="With choice `other`: the value, as typed in the form (lines for a "
                                            "multiple choice).")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class SettlementSerializer(serializers.ModelSerializer):
    settled_by = serializers.SerializerMethodField()
    value = api_types.AnswerField(allow_null=True, read_only=True)

    class Meta:
        model = Settlement
        fields = ["path", "value", "note", "settled_by", "settled_at"]
        read_only_fields = fields

    def get_settled_by(self, settlement) -> str | None:
        return _username(settlement.settled_by)


class ConsensusMixin:
    """The consensus of an extraction, as the comparison page gives it: settling, finalising and
    reopening only for whom `rules.settle_refusal` allows (leads, or the form's named settler on
    entries not their own)."""

    kind = Kind.EXTRACTION
    detail_serializer = ExtractionDetailSerializer

    def extraction(self, extraction_id: int) -> Extraction:
        return selectors.extraction_by_id(review=self.review, extraction_id=extraction_id, kind=self.kind)

    def may_settle(self, extraction: Extraction) -> bool:
        return rules.may_settle(user=self.request.user, roles=self.review.user_roles, extraction=extraction)

    def settler_only(self, extraction: Extraction) -> None:
        refusal = rules.settle_refusal(user=self.request.user, roles=self.review.user_roles, extraction=extraction)
        if refusal:
            raise exceptions.PermissionDenied(refusal)

    def comparison_refusal(self, extraction: Extraction) -> str | None:
        """Why the caller may not see the two side by side (`rules.comparison_refusal`): 403 for those
        it does not concern once there is something to compare; the reason in the body for the others."""
        roles, user = self.review.user_roles, self.request.user
        refusal = rules.comparison_refusal(user=user, roles=roles, extraction=extraction)
        if (refusal and extraction.status in rules.COMPARABLE
                and not rules.has_stake(user=user, roles=roles, extraction=extraction)):
            raise exceptions.PermissionDenied(refusal)
        return refusal

    def detail(self, extraction_id: int) -> Response:
        return Response(self.detail_serializer(self.extraction(extraction_id), context={"request": self.request}).data)


class DifferencesApi(ConsensusMixin, ReviewApiView):
    """The two entries side by side, field by field, once both are done (before, `comparable` is
    false and nothing of them is shown). Open to the two extractors, the role Extractor and whoever
    settles differences, as the comparison page is."""

    @extend_schema(responses=ComparisonSerializer)
    def get(self, request, review_id: int, extraction_id: int):
        extraction = self.extraction(extraction_id)
        refusal = self.comparison_refusal(extraction)
        body = {"status": extraction.status, "comparable": refusal is None, "blind_reason": refusal,
                "may_settle": self.may_settle(extraction), "entries": [], "open": 0, "rows": []}
        if refusal:
            return Response(ComparisonSerializer(body).data)
        entries, rows = selectors.comparison(extraction=extraction)
        body.update(entries=entries, rows=rows, open=sum(1 for r in rows if r.differs and not r.is_settled))
        return Response(ComparisonSerializer(body).data)


class SettlementsApi(ConsensusMixin, ReviewApiView):
    """Settle one field on which the two entries differ: take a's or b's value, leave it empty, or
    give another value (checked as the field's type). Settling again replaces the earlier one."""

    capabilities = {"POST": "view"}  # rules.settle_refusal decides

    @extend_schema(request=SettleSerializer, responses=SettlementSerializer)
    def post(self, request, review_id: int, extraction_id: int):
        extraction = self.extraction(extraction_id)
        self.settler_only(extraction)
        data = SettleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        settlement = services.settlement_record(actor=request.user, extraction=extraction, **data.validated_data)
        return Response(SettlementSerializer(settlement).data)


class FinaliseApi(ConsensusMixin, ReviewApiView):
    """Make the consensus final once every difference is settled: it becomes the study's data."""

    capabilities = {"POST": "view"}  # rules.settle_refusal decides

    @extend_schema(request=None, responses=ExtractionDetailSerializer)
    def post(self, request, review_id: int, extraction_id: int):
        extraction = self.extraction(extraction_id)
        self.settler_only(extraction)
        services.consensus_finalise(actor=request.user, extraction=extraction)
        return self.detail(extraction_id)


class ConsensusReopenApi(ConsensusMixin, ReviewApiView):
    """Undo a final consensus (its settlements stay), e.g. after a mistake was found."""

    capabilities = {"POST": "view"}  # rules.settle_refusal decides

    @extend_schema(request=None, responses=ExtractionDetailSerializer)
    def post(self, request, review_id: int, extraction_id: int):
        extraction = self.extraction(extraction_id)
        self.settler_only(extraction)
        services.consensus_reopen(actor=request.user, extraction=extraction)
        return self.detail(extraction_id)


# ---------------------------------------------------------------- outcome data

class OutcomeEffectSerializer(serializers.Serializer):
    complete = serializers.BooleanField(help_text="Whether the row gives an effect; if not, `missing` says why.")
    missing = serializers.ListField(child=serializers.CharField())
    measure = serializers.CharField(allow_blank=True, help_text="SMD, OR, SMCR, or a reported effect's measure.")
    yi = serializers.FloatField(allow_null=True, help_text="The effect, pointed the outcome's way (ratios as logs).")
    vi = serializers.FloatField(allow_null=True, help_text="Its sampling variance.")
    se = serializers.FloatField(allow_null=True)
    ci_lb = serializers.FloatField(allow_null=True)
    ci_ub = serializers.FloatField(allow_null=True)
    flipped = serializers.BooleanField(help_text="The sign was turned: the instrument scores the other way.")
    favours = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


class OutcomeDataSerializer(serializers.Serializer):
    study = serializers.IntegerField(source="study.pk")
    study_label = serializers.CharField(source="study.label")
    design = serializers.CharField(allow_blank=True)
    row = serializers.IntegerField(help_text="The row's place among the study's outcome data, from 0.")
    outcome = serializers.CharField(source="values.outcome", default="")
    timepoint = serializers.CharField(source="values.timepoint", default="")
    data_type = serializers.CharField(source="values.data_type", default="")
    values = api_types.RowValuesField(help_text="Every value of the row by field key (arms' n, means, SDs, events, "
                                             "a reported effect, pre-post values...).")
    effect = serializers.SerializerMethodField()

    @extend_schema_field(OutcomeEffectSerializer)
    def get_effect(self, row) -> dict:
        e = row.effect
        ci = e.ci
        return OutcomeEffectSerializer({
            "complete": e.complete, "missing": e.missing, "measure": e.measure, "yi": e.yi, "vi": e.vi, "se": e.se,
            "ci_lb": ci[0] if ci else None, "ci_ub": ci[1] if ci else None, "flipped": e.flipped,
            "favours": e.favours, "note": e.note}).data


class OutcomeDataFilterSerializer(serializers.Serializer):
    outcome = serializers.CharField(required=False, max_length=200)
    study = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class OutcomeDataApi(ReviewApiView, generics.ListAPIView):
    """The outcome data of every study whose extraction is final (what analyses pool), a row per
    outcome, time point and comparison, with its harmonised effect size."""

    serializer_class = OutcomeDataSerializer
    filter_backends: list = []

    @extend_schema(parameters=[
        OpenApiParameter("outcome", OpenApiTypes.STR, description="Rows of this outcome (its name)"),
        OpenApiParameter("study", OpenApiTypes.INT, description="Rows of this study (id)")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def review_queryset(self):
        query = OutcomeDataFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.outcome_data_rows(review=self.review, outcome=query.validated_data.get("outcome"),
                                           study_id=query.validated_data.get("study"))


# ---------------------------------------------------------------- descriptive summaries

class SummariesApi(ReviewApiView):
    """The descriptive summaries of the included studies (the page extraction/summaries/): per
    field, counts and percentages per value or sum, mean, median and range, with the studies
    behind each and those missing; per outcome, the studies that measured it; and, with `rows`
    and `columns` (field keys), their cross-tabulation."""

    @extend_schema(responses=api_types.SummariesSerializer, parameters=[
        OpenApiParameter("rows", OpenApiTypes.STR, description="Field key of the cross-tabulation's rows"),
        OpenApiParameter("columns", OpenApiTypes.STR, description="Field key of its columns")])
    def get(self, request, review_id: int):
        from . import summaries

        described = selectors.described_studies(review=self.review)
        body = {"studies": len(described.studies),
                "without_consensus": [{"id": s.pk, "label": s.label} for s in described.without_consensus],
                "fields": [summaries.summary_json(summaries.summarise(f, described.studies))
                           for f in described.fields],
                "outcomes": [summaries.outcome_json(o) for o in
                             summaries.outcome_frequencies(described.studies, described.outcome_names)],
                "cross_table": None}
        wanted = (request.query_params.get("rows", ""), request.query_params.get("columns", ""))
        if any(wanted) and not all(wanted):
            raise exceptions.ValidationError({"rows/columns": ["Give both rows and columns to cross."]})
        if any(wanted):
            picked = {key: selectors.summary_field_get(described, key) for key in wanted}
            unknown = [key for key, f in picked.items() if f is None]
            if unknown:
                raise exceptions.ValidationError(
                    {"rows/columns": [f"The form has no field “{key}” to cross." for key in unknown]})
            body["cross_table"] = summaries.cross_table_json(
                summaries.cross_table(picked[wanted[0]], picked[wanted[1]], described.studies))
        return Response(body)


class CharacteristicsLayoutSerializer(StrictFieldsMixin, serializers.Serializer):
    columns = api_types.LayoutColumnsField(
        help_text="Column (methods, participants, interventions, outcomes, notes) -> the keys of the form's fields "
                  "or repeating groups it shows, in order.")


def _characteristics_body(review) -> dict:
    from . import characteristics

    table = selectors.characteristics_table(review=review)
    return {"columns": table.layout, "default": not table.stored,
            "items": [{"key": i.key, "label": i.label, "group": i.field is None} for i in table.items],
            "header": characteristics.header(),
            "rows": [{"study": {"id": r.study_id, "label": r.label},
                      "cells": {c: [{"label": label, "value": value} for label, value in lines]
                                for c, lines in r.cells.items()},
                      "risk_of_bias": r.risk_of_bias} for r in table.rows],
            "without_consensus": [{"id": s.pk, "label": s.label} for s in table.without_consensus]}


class CharacteristicsApi(ReviewApiView):
    """The characteristics of included studies table (the page extraction/characteristics/): a row per
    study with a final consensus; PUT chooses which fields go in which column (leads)."""

    capabilities = {"PUT": "build_forms"}

    @extend_schema(responses=api_types.CharacteristicsSerializer)
    def get(self, request, review_id: int):
        return Response(_characteristics_body(self.review))

    @extend_schema(request=CharacteristicsLayoutSerializer, responses=api_types.CharacteristicsSerializer)
    def put(self, request, review_id: int):
        data = CharacteristicsLayoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.characteristics_layout_set(actor=request.user, review=self.review,
                                            columns=data.validated_data["columns"])
        return Response(_characteristics_body(self.review))


# ---------------------------------------------------------------- study designs

class DesignMappingSerializer(StrictFieldsMixin, serializers.Serializer):
    field_key = serializers.CharField(max_length=60, help_text="A plain field of the review's extraction form.")
    values = serializers.DictField(child=serializers.ChoiceField(choices=StudyDesign.choices),
                                   help_text="Which answer of the field means which design; other answers: unknown.")
    stored = serializers.BooleanField(read_only=True, help_text="False: no mapping is stored, and the built-in "
                                                                "form's design field is read as it is.")


class DesignMappingApi(ReviewApiView):
    """Where analyses read a study's design when the lead has not set it on the study (PATCH
    `studies/{id}/` with `design`): an extraction field and which of its answers means which
    design. PUT sets it (leads)."""

    capabilities = {"PUT": "build_forms"}

    @extend_schema(responses=DesignMappingSerializer)
    def get(self, request, review_id: int):
        return Response(DesignMappingSerializer(selectors.design_source(review=self.review)).data)

    @extend_schema(request=DesignMappingSerializer, responses=DesignMappingSerializer)
    def put(self, request, review_id: int):
        data = DesignMappingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.design_mapping_set(actor=request.user, review=self.review, **data.validated_data)
        return Response(DesignMappingSerializer(selectors.design_source(review=self.review)).data)
