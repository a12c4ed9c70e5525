"""API of extractions and one's own entry."""
from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response

from reviewapp.api_base import IdFilter, PersonNameField, ReviewApiView, StrictFieldsMixin

from .. import api_types, rules, selectors, services
from ..models import Entry, Extraction, FormTemplate
from .common import Kind, Status, username_of
from .forms import ANSWERS_SCHEMA_NOTE, AnswersField

# ---------------------------------------------------------------- extractions and entries

class EntryBriefSerializer(serializers.ModelSerializer):
    """Who fills an entry and whether they are done; never their answers."""

    user = serializers.CharField(source="user.get_username", read_only=True)
    user_name = PersonNameField(source="user")

    class Meta:
        model = Entry
        fields = ["user", "user_name", "done", "done_at"]
        read_only_fields = fields


class EntrySerializer(serializers.ModelSerializer):
    """The caller's own entry. Before they save one, a blank one (id null, started false)."""

    user = serializers.CharField(source="user.get_username", read_only=True)
    user_name = PersonNameField(source="user")
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
        fields = ["id", "started", "extraction", "user", "user_name", "version", "done", "done_at", "answers",
                  "retired",
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
    finalised_by_name = PersonNameField(source="finalised_by")
    mine = serializers.SerializerMethodField(help_text="Your own entry (brief), or null.")

    class Meta:
        model = Extraction
        fields = ["id", "form", "form_name", "study", "study_label", "target", "version", "status", "entries",
                  "mine", "finalised_by", "finalised_by_name", "finalised_at", "created_at", "updated_at"]
        read_only_fields = fields

    def get_finalised_by(self, extraction) -> str | None:
        return username_of(extraction.finalised_by)

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

    kind = Kind.EXTRACTION  # the appraisal API lists appraisals (kind APPRAISAL) with this view
    serializer_class: type[serializers.Serializer] = ExtractionSerializer
    filterset_class: type[django_filters.FilterSet] = ExtractionFilter
    ordering_fields = ["study__label", "id", "updated_at", "status"]
    ordering = ["study__label", "id"]

    def review_queryset(self):
        return selectors.extractions_list(review=self.review, kind=self.kind)


class ExtractionDetailApi(ReviewApiView):
    """One extraction: its status, your own entry with its answers, and the consensus once final."""

    kind = Kind.EXTRACTION  # as the list: the appraisal API shows one appraisal with this view
    detail_serializer: type[serializers.Serializer] = ExtractionDetailSerializer

    def detail(self, request, extraction_id: int) -> Response:
        extraction = selectors.extraction_by_id(review=self.review, extraction_id=extraction_id, kind=self.kind)
        return Response(self.detail_serializer(extraction, context={"request": request}).data)

    @extend_schema(responses=ExtractionDetailSerializer)
    def get(self, request, review_id: int, extraction_id: int):
        return self.detail(request, extraction_id)


def _blank_entry(*, template: FormTemplate, user, extraction: Extraction | None) -> Entry:
    """What a person who has not saved yet sees: an empty entry on the version they would use."""
    version = extraction.version if extraction else template.current_version
    if version is None:
        raise exceptions.NotFound("The form has not been published yet.")
    return Entry(extraction=extraction, user=user, version=version, answers={})


def _refuse_a_third(extraction: Extraction | None, user) -> None:
    # As the entry page: a third person may not open a study two people are on (or one settled).
    refusal = rules.new_entry_refusal(user=user, extraction=extraction)
    if refusal:
        raise exceptions.PermissionDenied(refusal)


class EntryApi(ReviewApiView):
    """Your own entry on a study (extractors and leads): GET it, PUT the whole entry (answers, and
    `done` to mark it done). Answers are checked as on the entry page; a refused save changes
    nothing and says which field is at fault (`field`, e.g. `answers.outcome_data.0.i_sd`)."""

    # The double entry of the API, as extraction.double_entry is the pages': the appraisal API
    # extends it with its tool (`_template`), its target and its save (`_save`).

    capabilities = {"GET": "extract", "PUT": "extract"}

    def _target(self, request) -> str:
        return ""

    def _template(self, form_id: int) -> FormTemplate:
        return selectors.template_get(review=self.review, template_id=form_id)

    def _current(self, request, template, study):
        extraction = selectors.extraction_get(template=template, study=study, target=self._target(request))
        if extraction is None:
            return None, None
        return extraction, selectors.entry_of(extraction=extraction, user=request.user)

    def _answer(self, request, template, study):
        extraction, entry = self._current(request, template, study)
        _refuse_a_third(extraction, request.user)
        return entry or _blank_entry(template=template, user=request.user, extraction=extraction)

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
    nothing_to_reopen = "You have no finished entry to reopen."

    @extend_schema(request=None, responses=EntrySerializer)
    def post(self, request, review_id: int, form_id: int, study_id: int):
        template = self._template(form_id)
        study = selectors.study_get(review=self.review, study_id=study_id)
        extraction, _ = self._current(request, template, study)
        if extraction is None:
            raise exceptions.ValidationError(self.nothing_to_reopen)
        services.entry_reopen(actor=request.user, extraction=extraction)
        return Response(EntrySerializer(self._answer(request, template, study)).data)
