"""The API of searches, records, duplicates, screening, conflicts, studies and PRISMA counts.

Each view: access check (`ReviewApiView` with the capability per method, or the conflict rule of
`reviewapp.permissions`), one service or selector, serialize. Blind screening holds here as on the
pages (`screening.rules`): others' decisions stay hidden until a record is settled, and a conflict
freezes both decisions until a lead or the third reviewer resolves it.
"""
from __future__ import annotations

import dataclasses

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from reviewapp.api_base import IdFilter, IdListFilter, ReviewApiView, StrictFieldsMixin, string_list_field, typed_json
from reviewapp.disposition import content_disposition
from reviewapp.exceptions import ApplicationError

from . import identifiers, pace, prisma, rules, selectors, services
from .agreement import KAPPA_CI_LEVEL, KAPPA_CI_METHOD
from .importers import FORMATS
from .models import (
    Decision,
    DuplicatePair,
    FullText,
    RankingRun,
    Record,
    RecordCorrection,
    ScreeningItem,
    ScreeningSettings,
    ScreeningStage,
    Search,
    SearchFile,
    StoppingDecision,
    Study,
    StudyDesign,
    validate_keyword_list,
)
from .upload_limits import FULL_TEXT, SEARCH_EXPORT

STAGES = dict(ScreeningStage.choices)
ItemStatus = ScreeningItem.Status


def _stage_or_404(stage: str) -> str:
    if stage not in STAGES:
        raise Http404("No such screening stage: use ta (title and abstract) or ft (full text).")
    return stage


# ---------------------------------------------------------------- searches and imports

class SearchSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    records_imported = serializers.IntegerField(read_only=True, default=0)
    records_unique = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Search
        fields = ["id", "source", "database", "platform", "date_run", "query", "limits", "reported_hits", "notes",
                  "repeats", "records_imported", "records_unique", "created_at", "updated_at"]
        read_only_fields = ["id", "repeats", "records_imported", "records_unique", "created_at", "updated_at"]


class SearchFileSerializer(serializers.ModelSerializer):
    progress_url = serializers.SerializerMethodField(help_text="GET it until `finished` is true.")

    class Meta:
        model = SearchFile
        fields = ["id", "search", "original_name", "size", "sha256", "requested_format", "format", "format_name",
                  "status", "records_read", "records_imported", "duplicates_merged", "duplicates_possible", "error",
                  "error_line", "uploaded_at", "started_at", "finished_at", "progress_url"]
        read_only_fields = fields

    def get_progress_url(self, search_file) -> str:
        path = reverse("api_import_progress", args=[search_file.search.review_id, search_file.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class SearchFileUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField(help_text="A search export: RIS, PubMed/MEDLINE, EndNote XML, BibTeX, CSV, WoS…")
    format = serializers.ChoiceField(choices=[("", "Detect automatically"),
                                              *[(k, f.label) for k, f in FORMATS.items()]],
                                     required=False, allow_blank=True, default="")


class ImportProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SearchFile.Status.choices)
    status_label = serializers.CharField()
    finished = serializers.BooleanField()
    records_read = serializers.IntegerField()
    percent = serializers.IntegerField()
    records_imported = serializers.IntegerField()
    duplicates_merged = serializers.IntegerField()
    duplicates_possible = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)


class SearchFilter(django_filters.FilterSet):
    database = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Search
        fields = ["source", "database"]


class SearchListApi(ReviewApiView, generics.ListAPIView):
    """The review's searches with their record counts; POST records a new search (leads)."""

    capabilities = {"POST": "manage_searches"}
    serializer_class = SearchSerializer
    filterset_class = SearchFilter
    ordering_fields = ["date_run", "database", "id"]
    ordering = ["date_run", "id"]

    def review_queryset(self):
        return selectors.searches_with_counts(review=self.review)

    @extend_schema(request=SearchSerializer, responses={201: SearchSerializer})
    def post(self, request, review_id: int):
        data = SearchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        search = services.search_create(actor=request.user, review=self.review, **data.validated_data)
        return Response(SearchSerializer(search).data, status=status.HTTP_201_CREATED)


class SearchDetailApi(ReviewApiView):
    """One search with its record counts; PATCH changes what it records, DELETE removes it while it
    has no imported records (leads)."""

    capabilities = {"PATCH": "manage_searches", "DELETE": "manage_searches"}

    def _search(self, search_id: int) -> Search:
        return get_object_or_404(selectors.searches_with_counts(review=self.review), pk=search_id)

    @extend_schema(responses=SearchSerializer)
    def get(self, request, review_id: int, search_id: int):
        return Response(SearchSerializer(self._search(search_id)).data)

    @extend_schema(request=SearchSerializer(partial=True), responses=SearchSerializer)
    def patch(self, request, review_id: int, search_id: int):
        search = self._search(search_id)
        data = SearchSerializer(search, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.search_update(actor=request.user, search=search, **data.validated_data)
        return Response(SearchSerializer(self._search(search_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id: int, search_id: int):
        services.search_delete(actor=request.user, search=self._search(search_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SearchFileListApi(ReviewApiView, generics.ListAPIView):
    """The files uploaded to a search; POST (multipart) uploads one and queues its import (leads):
    202 with the import's progress URL."""

    body_limit = SEARCH_EXPORT

    capabilities = {"POST": "manage_searches"}
    serializer_class = SearchFileSerializer
    filterset_fields = ["status"]
    ordering_fields = ["uploaded_at", "id"]
    ordering = ["uploaded_at", "id"]

    def review_queryset(self):
        search = selectors.search_get(review=self.review, search_id=self.kwargs["search_id"])
        return SearchFile.objects.filter(search=search).select_related("search")

    @extend_schema(request={"multipart/form-data": SearchFileUploadSerializer}, responses={202: SearchFileSerializer})
    def post(self, request, review_id: int, search_id: int):
        search = selectors.search_get(review=self.review, search_id=search_id)
        data = SearchFileUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        search_file = services.search_file_create(actor=request.user, search=search,
                                                  upload=data.validated_data["file"],
                                                  requested_format=data.validated_data["format"])
        body = SearchFileSerializer(search_file, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["progress_url"]})


class ImportDetailApi(ReviewApiView):
    """An uploaded file and its import: the report once finished; DELETE removes a file whose
    import failed (leads)."""

    capabilities = {"DELETE": "manage_searches"}

    @extend_schema(responses=SearchFileSerializer)
    def get(self, request, review_id: int, file_id: int):
        search_file = selectors.search_file_get(review=self.review, file_id=file_id)
        return Response(SearchFileSerializer(search_file, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id: int, file_id: int):
        search_file = selectors.search_file_get(review=self.review, file_id=file_id)
        services.search_file_delete(actor=request.user, search_file=search_file)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImportRetryApi(ReviewApiView):
    """Import a failed file again (leads), as the file's page does: 202 with the import."""

    capabilities = {"POST": "manage_searches"}

    @extend_schema(request=None, responses={202: SearchFileSerializer})
    def post(self, request, review_id: int, file_id: int):
        search_file = selectors.search_file_get(review=self.review, file_id=file_id)
        search_file = services.search_file_retry(actor=request.user, search_file=search_file)
        return Response(SearchFileSerializer(search_file, context={"request": request}).data,
                        status=status.HTTP_202_ACCEPTED)


class ImportProgressApi(ReviewApiView):
    """Where an import stands: poll it until `finished` is true."""

    @extend_schema(responses=ImportProgressSerializer)
    def get(self, request, review_id: int, file_id: int):
        search_file = selectors.search_file_get(review=self.review, file_id=file_id)
        return Response(selectors.import_progress(search_file=search_file))


# ---------------------------------------------------------------- records

@extend_schema_field({"type": "object", "additionalProperties": {"type": "string", "format": "uri"},
                      "description": "Links the record's identifiers lead to (only those it has): doi "
                                     "(doi.org), pubmed, pmc (PubMed Central), unpaywall. Built, never fetched."})
class RecordLinksField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        raw = None if "raw" in record.get_deferred_fields() else record.raw
        return identifiers.record_links(doi=record.doi, pmid=record.pmid, raw=raw)


class RecordSerializer(serializers.ModelSerializer):
    authors = string_list_field(read_only=True, help_text="As in the source file, one name each.")
    keywords = string_list_field(read_only=True)
    links = RecordLinksField()

    class Meta:
        model = Record
        fields = ["id", "number", "search", "search_file", "line", "title", "abstract", "authors", "year", "journal",
                  "volume", "issue", "pages", "doi", "pmid", "issn", "keywords", "language", "publication_type", "url",
                  "duplicate_of", "study", "created_at", "links"]
        read_only_fields = fields


class RecordBriefSerializer(serializers.ModelSerializer):
    authors = string_list_field(read_only=True, help_text="As in the source file, one name each.")

    class Meta:
        model = Record
        fields = ["id", "number", "title", "authors", "year", "journal", "doi", "pmid"]
        read_only_fields = fields


DUPLICATES = [("hide", "Unique records only"), ("show", "All records"), ("only", "Merged duplicates only")]


@extend_schema_field({"type": "string", "enum": [value for value, _ in DUPLICATES]})
class DuplicatesFilter(django_filters.ChoiceFilter):
    """The `duplicates` choice: a word, declared so (the schema would otherwise guess a number)."""


class RecordFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="noop", label="Words in the title, abstract or authors; a DOI or PMID")
    search = IdFilter(method="noop", label="Records found by this search (id)")
    stage = django_filters.ChoiceFilter(choices=ScreeningStage.choices, method="noop",
                                        label="Records that reached this screening stage")
    status = django_filters.ChoiceFilter(choices=selectors.STATUS_FILTERS, method="noop",
                                         label="Their place in screening (at `stage`, or at any stage); "
                                               "`waiting`: pending with a decision in, waiting for the other reviewer")
    decision = django_filters.ChoiceFilter(choices=Decision.Value.choices, method="noop",
                                           label="Records with a decision of this value that you may see")
    my_decision = django_filters.ChoiceFilter(choices=selectors.MY_DECISION_FILTERS, method="noop",
                                              label="Your own decision (`none`: records you have not decided)")
    other_decision = django_filters.ChoiceFilter(
        choices=Decision.Value.choices, method="noop",
        label="Someone else's decision, once blind screening lets you see it")
    reason = django_filters.CharFilter(method="noop", max_length=200,
                                       label="Exclusion reason (settled, or on a decision you may see)")
    tag = django_filters.CharFilter(method="noop", max_length=50, label="A tag on a decision you may see")
    reviewer = IdFilter(method="noop", label="Records this person (user id) has decided")
    assigned_to = IdFilter(method="noop", label="Records a lead assigned to this person's (user id) queue")
    has_fulltext = django_filters.ChoiceFilter(choices=[("yes", "A full text is attached"), ("no", "No full text")],
                                               method="noop")
    has_doi = django_filters.ChoiceFilter(choices=[("yes", "Has a DOI"), ("no", "No DOI")], method="noop")
    duplicates = DuplicatesFilter(choices=DUPLICATES, method="noop",
                                  label="Merged duplicates: hide them (the default), show them, or only them")
    year_from = IdFilter(method="noop", min_value=0, max_value=9999)
    year_to = IdFilter(method="noop", min_value=0, max_value=9999)
    sort = django_filters.ChoiceFilter(choices=selectors.RECORD_SORT_CHOICES, method="noop",
                                       label="Order by a column (`-` first: descending); ties by number")
    ids = IdListFilter(method="noop", label="Only these records: comma-separated record ids (at most 1000); "
                                            "the other filters still apply")

    class Meta:
        model = Record
        fields = ["q", "search", "stage", "status", "decision", "my_decision", "other_decision", "reason", "tag",
                  "reviewer", "has_fulltext", "has_doi", "duplicates", "year_from", "year_to", "sort", "ids",
                  "assigned_to"]

    def noop(self, queryset, name, value):
        return queryset  # applied together by the selector (see RecordListApi.filter_queryset)

    @property
    def qs(self):
        if not self.is_valid():
            raise exceptions.ValidationError(self.errors)
        data = {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "", [])}
        if "search" in data:
            data["search_id"] = int(data.pop("search"))
        if "reviewer" in data:
            data["reviewer_id"] = int(data.pop("reviewer"))
        if "assigned_to" in data:
            data["assigned_to"] = int(data["assigned_to"])
        for key in ("year_from", "year_to"):
            if key in data:
                data[key] = int(data[key])
        problem = selectors.year_range_problem(data.get("year_from"), data.get("year_to"))
        if problem:
            raise exceptions.ValidationError({"year_to": [problem]})
        view = self.request.parser_context["view"]
        return selectors.records_api_list(review=view.review, user=self.request.user, **data)


class RecordListApi(ReviewApiView, generics.ListAPIView):
    """The review's records (unique ones unless `duplicates` says otherwise), filtered by search, stage,
    screening status, decisions, reason, tag, reviewer, full text and text; `sort` orders as the
    records page does (`ordering` still works and overrides it)."""

    serializer_class = RecordSerializer
    filterset_class = RecordFilter
    ordering_fields = ["id", "number", "year", "title"]
    ordering = None  # the selector orders (by `sort`, else by id)

    def review_queryset(self):
        return Record.objects.filter(review=self.review)


class RecordDetailApi(ReviewApiView):
    """One record as imported (and mended), with its duplicate and study if it has them."""

    @extend_schema(responses=RecordSerializer)
    def get(self, request, review_id: int, record_id: int):
        return Response(RecordSerializer(get_object_or_404(Record, pk=record_id, review=self.review)).data)


def _record(review, record_id: int) -> Record:
    return get_object_or_404(Record, pk=record_id, review=review)


class RecordCorrectionSerializer(serializers.ModelSerializer):
    corrected_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = RecordCorrection
        fields = ["id", "field", "original", "corrected", "corrected_by", "corrected_at"]
        read_only_fields = fields


class RecordCorrectionInputSerializer(StrictFieldsMixin, serializers.Serializer):
    field = serializers.ChoiceField(choices=RecordCorrection.Field.choices, help_text="What to mend.")
    text = serializers.CharField(help_text="The mended text; the original is kept with the correction.")


class RecordCorrectionsApi(ReviewApiView):
    """A record's mended title or abstract, oldest first; POST mends one (screeners), as the record
    page does: the record shows the new text and the original stays with the correction."""

    capabilities = {"POST": "screen"}

    @extend_schema(responses=RecordCorrectionSerializer(many=True))
    def get(self, request, review_id: int, record_id: int):
        record = _record(self.review, record_id)
        return Response(RecordCorrectionSerializer(record.corrections.select_related("corrected_by"),
                                                   many=True).data)

    @extend_schema(request=RecordCorrectionInputSerializer, responses={201: RecordCorrectionSerializer})
    def post(self, request, review_id: int, record_id: int):
        data = RecordCorrectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = services.record_correct(actor=request.user, record=_record(self.review, record_id),
                                             **data.validated_data)
        return Response(RecordCorrectionSerializer(correction).data, status=status.HTTP_201_CREATED)


class FullTextSerializer(serializers.ModelSerializer):
    class Meta:
        model = FullText
        fields = ["original_name", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class FullTextUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField(help_text="The record's full text: a PDF, within the site's size limit.")


class FullTextApi(ReviewApiView):
    """A record's full text: GET the PDF; POST (multipart) uploads or replaces it (screeners), with
    the page's checks (a PDF by its content, the size limit)."""

    body_limit = FULL_TEXT
    capabilities = {"POST": "screen"}

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, review_id: int, record_id: int):
        record = _record(self.review, record_id)
        stored = getattr(record, "fulltext", None)
        if stored is None:
            raise Http404("This record has no full text yet.")
        response = FileResponse(stored.file.open("rb"), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(stored.original_name,
                                                              fallback=f"record-{record.number}.pdf")
        return response

    @extend_schema(request={"multipart/form-data": FullTextUploadSerializer}, responses={201: FullTextSerializer})
    def post(self, request, review_id: int, record_id: int):
        data = FullTextUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fulltext = services.fulltext_upload(actor=request.user, record=_record(self.review, record_id),
                                            upload=data.validated_data["file"])
        return Response(FullTextSerializer(fulltext).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- duplicates

class DuplicatePairSerializer(serializers.ModelSerializer):
    record_a = RecordBriefSerializer(read_only=True)
    record_b = RecordBriefSerializer(read_only=True)
    decided_by = serializers.CharField(source="decided_by.get_username", default=None, allow_null=True, read_only=True)
    reasons = string_list_field(read_only=True, help_text="Why the two look alike, in words.")

    class Meta:
        model = DuplicatePair
        fields = ["id", "record_a", "record_b", "score", "sure", "reasons", "status", "decided_by", "decided_at",
                  "created_at"]
        read_only_fields = fields


class DuplicateDecisionSerializer(StrictFieldsMixin, serializers.Serializer):
    action = serializers.ChoiceField(choices=[("merge", "Merge the two records"),
                                              ("keep_apart", "They are different reports"),
                                              ("unmerge", "Undo a merge and keep the two apart"),
                                              ("unmerge_to_queue", "Undo a merge; the pair waits for a decision"),
                                              ("reopen", "Take back 'kept apart'; the pair waits for a decision")])


class DuplicateListApi(ReviewApiView, generics.ListAPIView):
    """Pairs of records found alike; `status=possible` (the lead's queue) unless asked otherwise."""

    serializer_class = DuplicatePairSerializer
    filterset_fields = ["status", "sure"]
    ordering_fields = ["score", "id", "decided_at"]
    ordering = ["-score", "id"]

    def review_queryset(self):
        return (DuplicatePair.objects.filter(review=self.review)
                .select_related("record_a", "record_b", "decided_by"))


class DuplicateDetailApi(ReviewApiView):
    """One pair of records found alike: both records, the score, the reasons and its status."""

    @extend_schema(responses=DuplicatePairSerializer)
    def get(self, request, review_id: int, pair_id: int):
        return Response(DuplicatePairSerializer(selectors.duplicate_pair_get(review=self.review, pair_id=pair_id)).data)


class DuplicateDecisionApi(ReviewApiView):
    """Merge a pair, keep it apart, undo a merge (keeping the two apart or back to waiting), or put a
    pair kept apart back in the queue (leads)."""

    capabilities = {"POST": "resolve_duplicates"}
    ACTIONS = services.DUPLICATE_ACTIONS

    @extend_schema(request=DuplicateDecisionSerializer, responses=DuplicatePairSerializer)
    def post(self, request, review_id: int, pair_id: int):
        pair = selectors.duplicate_pair_get(review=self.review, pair_id=pair_id)
        data = DuplicateDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = self.ACTIONS[data.validated_data["action"]](actor=request.user, pair=pair)
        return Response(DuplicatePairSerializer(selectors.duplicate_pair_get(review=self.review, pair_id=pair.pk)).data)


# ---------------------------------------------------------------- screening

class ScreeningSettingsSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    exclusion_reasons = string_list_field(required=False, label="Full-text exclusion reasons",
                                          help_text="The reasons a full text may be excluded for.")

    class Meta:
        model = ScreeningSettings
        fields = ["reviewers_per_record", "blind", "criteria", "include_keywords", "exclude_keywords",
                  "exclusion_reasons", "conflict_resolver", "prioritise", "fulltext_resolver"]
        # The model's help text predates the freeze of conflicts (a migration would only reword it).
        extra_kwargs = {"blind": {"help_text": "Reviewers see nothing of each other's decisions on a record until "
                                               "it is settled; a conflict freezes both decisions until resolved."},
                        "include_keywords": {"validators": [validate_keyword_list]},
                        "exclude_keywords": {"validators": [validate_keyword_list]}}

    def validate_exclusion_reasons(self, value):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise serializers.ValidationError("A list of reasons, each a text.")
        try:  # the service's cleaning, as for the page's form
            return services.exclusion_reasons_clean(value)
        except ApplicationError as exc:
            raise serializers.ValidationError(exc.message) from None

    def validate_conflict_resolver(self, user):
        refusal = rules.conflict_resolver_refusal(review=self.context["view"].review, user=user)
        if refusal:
            raise serializers.ValidationError(refusal)
        return user


class ScreeningSettingsApi(ReviewApiView):
    """How the review screens; PATCH changes it (leads)."""

    capabilities = {"PATCH": "edit_review"}

    @extend_schema(responses=ScreeningSettingsSerializer)
    def get(self, request, review_id: int):
        return Response(ScreeningSettingsSerializer(selectors.screening_settings_get(review=self.review)).data)

    @extend_schema(request=ScreeningSettingsSerializer(partial=True), responses=ScreeningSettingsSerializer)
    def patch(self, request, review_id: int):
        cfg = selectors.screening_settings_get(review=self.review)
        data = ScreeningSettingsSerializer(cfg, data=request.data, partial=True, context={"view": self})
        data.is_valid(raise_exception=True)
        cfg = services.screening_settings_update(actor=request.user, review=self.review, **data.validated_data)
        return Response(ScreeningSettingsSerializer(cfg).data)


class StageProgressSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=ScreeningStage.choices)
    label = serializers.CharField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    settled = serializers.IntegerField()
    conflicts = serializers.IntegerField()
    mine = serializers.IntegerField(help_text="Your decisions at this stage.")
    open_for_me = serializers.IntegerField(help_text="Records still waiting for a decision that could be yours.")
    started = serializers.BooleanField()


class ScreeningProgressApi(ReviewApiView):
    """Where each screening stage stands, and your share of it."""

    @extend_schema(responses=StageProgressSerializer(many=True))
    def get(self, request, review_id: int):
        rows = [dataclasses.asdict(selectors.screening_progress(review=self.review, stage=s, user=request.user))
                for s in STAGES]
        return Response(StageProgressSerializer(rows, many=True).data)


class VisibleDecisionSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.get_username", read_only=True)
    tags = string_list_field(read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "reviewer", "stage", "value", "reason", "note", "tags", "created_at", "updated_at"]
        read_only_fields = fields


class ScreeningItemSerializer(serializers.ModelSerializer):
    record = RecordSerializer(read_only=True)
    decisions = serializers.SerializerMethodField(
        help_text="The decisions you may see: yours always; others' when screening is not blind, once the "
                  "record is settled, or while it is in conflict if you resolve that conflict.")
    may_change = serializers.SerializerMethodField(
        help_text="Whether a decision on this record may still be made, changed or taken back.")
    frozen_reason = serializers.SerializerMethodField(
        help_text="Why decisions on this record can no longer change (null while they can).")
    values = serializers.SerializerMethodField(help_text="The decisions one can make at this stage.")

    class Meta:
        model = ScreeningItem
        fields = ["id", "stage", "status", "decisions_count", "reason", "record", "decisions", "values", "may_change",
                  "frozen_reason"]
        read_only_fields = fields

    @extend_schema_field(VisibleDecisionSerializer(many=True))
    def get_decisions(self, item) -> list[dict]:
        user, cfg = self.context["request"].user, self.context["cfg"]
        visible = selectors.decisions_visible_to(item=item, user=user, roles=self.context["roles"], cfg=cfg)
        return VisibleDecisionSerializer(visible, many=True).data

    def get_may_change(self, item) -> bool:
        return rules.may_change_decision(item=item)

    def get_frozen_reason(self, item) -> str | None:
        return rules.decision_change_refusal(item=item)

    def get_values(self, item) -> list[str]:
        return list(services.decisions_values(item.stage))


class NextItemSerializer(serializers.Serializer):
    item = ScreeningItemSerializer(allow_null=True, help_text="Null when nothing is left for you at this stage.")


STAGE_PARAMETER = OpenApiParameter("stage", str, OpenApiParameter.PATH, enum=ScreeningStage.values,
                                   description="The screening stage: `ta` title and abstract, `ft` full text.")


class ScreeningNextApi(ReviewApiView):
    """The record you screen next at this stage (held for you for a while, as on the screening page)."""

    capabilities = {"GET": "screen"}

    @extend_schema(responses=NextItemSerializer, parameters=[
        STAGE_PARAMETER,
        OpenApiParameter("skip", str, description="Comma-separated item ids to pass over this time.")])
    def get(self, request, review_id: int, stage: str):
        stage = _stage_or_404(stage)
        skip = [int(s) for s in request.query_params.get("skip", "").split(",") if s.strip().isdigit()][:200]
        item = services.screening_next(reviewer=request.user, review=self.review, stage=stage, skip=skip)
        if item is not None:
            item = selectors.screening_item_get(review=self.review, item_id=item.pk)
        cfg = selectors.screening_settings_get(review=self.review)
        context = {"request": request, "cfg": cfg, "roles": self.review.user_roles}
        return Response({"item": ScreeningItemSerializer(item, context=context).data if item else None})


class ScreeningItemApi(ReviewApiView):
    """One record at one stage, with the decisions you may see on it."""

    capabilities = {"GET": "screen"}

    @extend_schema(responses=ScreeningItemSerializer)
    def get(self, request, review_id: int, item_id: int):
        item = selectors.screening_item_get(review=self.review, item_id=item_id)
        cfg = selectors.screening_settings_get(review=self.review)
        return Response(ScreeningItemSerializer(item, context={"request": request, "cfg": cfg,
                                                               "roles": self.review.user_roles}).data)


class DecisionSerializer(serializers.ModelSerializer):
    record = serializers.IntegerField(source="item.record_id", read_only=True)
    item_status = serializers.CharField(source="item.status", read_only=True)
    may_change = serializers.SerializerMethodField(help_text="Whether you may still change or take back this "
                                                             "decision (not once the other one is in).")
    tags = string_list_field(read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "item", "record", "stage", "value", "reason", "note", "tags", "item_status", "may_change",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def get_may_change(self, decision) -> bool:
        return rules.may_change_decision(item=decision.item)


class DecisionInputSerializer(StrictFieldsMixin, serializers.Serializer):
    item = serializers.IntegerField(help_text="The screening item (a record at a stage), as `next` gave it.")
    value = serializers.ChoiceField(choices=Decision.Value.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                                   help_text="Needed to exclude a full text: one of the review's reasons.")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, default=list)


class DecisionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ItemStatus.choices, field_name="item__status",
                                         label="Where the record stands now")

    class Meta:
        model = Decision
        fields = ["stage", "value", "status"]


class DecisionListApi(ReviewApiView, generics.ListAPIView):
    """Your own screening decisions; POST records one (or changes yours while the record waits)."""

    capabilities = {"GET": "screen", "POST": "screen"}
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    ordering_fields = ["updated_at", "created_at", "id"]
    ordering = ["-updated_at", "-id"]

    def review_queryset(self):
        return Decision.objects.filter(review=self.review, reviewer=self.request.user).select_related("item")

    @extend_schema(request=DecisionInputSerializer, responses={201: DecisionSerializer})
    def post(self, request, review_id: int):
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.decision_record(actor=request.user, review=self.review, item_id=data.validated_data["item"],
                                            value=data.validated_data["value"], reason=data.validated_data["reason"],
                                            note=data.validated_data["note"], tags=data.validated_data["tags"])
        decision = Decision.objects.select_related("item").get(pk=decision.pk)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class DecisionUndoApi(ReviewApiView):
    """Take back your latest decision at this stage; the record is yours to screen again."""

    capabilities = {"POST": "screen"}

    @extend_schema(request=None, responses=ScreeningItemSerializer, parameters=[STAGE_PARAMETER])
    def post(self, request, review_id: int, stage: str):
        stage = _stage_or_404(stage)
        item = services.decision_undo(actor=request.user, review=self.review, stage=stage)
        item = selectors.screening_item_get(review=self.review, item_id=item.pk)
        cfg = selectors.screening_settings_get(review=self.review)
        return Response(ScreeningItemSerializer(item, context={"request": request, "cfg": cfg,
                                                               "roles": self.review.user_roles}).data)


class LoggedDecisionSerializer(serializers.ModelSerializer):
    """A decision in the log. Its value and reason are null while blind screening hides them."""

    reviewer = serializers.CharField(source="reviewer.get_username", read_only=True)
    record = serializers.IntegerField(source="item.record_id", read_only=True)
    item_status = serializers.CharField(source="item.status", read_only=True)
    hidden = serializers.SerializerMethodField()
    value = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "reviewer", "item", "record", "stage", "item_status", "hidden", "value", "reason",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def _hidden(self, d) -> bool:
        return not selectors.decision_value_visible(decision=d, user=self.context["request"].user,
                                                    roles=self.context["roles"], cfg=self.context["cfg"])

    def get_hidden(self, d) -> bool:
        return self._hidden(d)

    def get_value(self, d) -> str | None:
        return None if self._hidden(d) else d.value

    def get_reason(self, d) -> str | None:
        return None if self._hidden(d) else d.reason


class DecisionLogFilter(django_filters.FilterSet):
    reviewer = IdFilter(field_name="reviewer_id", label="The reviewer's user id")

    class Meta:
        model = Decision
        fields = ["stage", "reviewer"]


class DecisionLogApi(ReviewApiView, generics.ListAPIView):
    """Who screened what and when (leads); values of records still waiting stay hidden when blind."""

    capabilities = {"GET": "resolve_conflicts"}
    serializer_class = LoggedDecisionSerializer
    filterset_class = DecisionLogFilter
    ordering_fields = ["updated_at", "id"]
    ordering = ["-updated_at", "-id"]

    def review_queryset(self):
        return selectors.decisions_log(review=self.review)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "review"):
            context["cfg"] = selectors.screening_settings_get(review=self.review)
            context["roles"] = self.review.user_roles
        return context


class ClaimsReleaseSerializer(serializers.Serializer):
    released = serializers.IntegerField(help_text="How many records the person held.")


class ClaimsReleaseApi(ReviewApiView):
    """Give back the records a screener holds (e.g. someone leaving the team), so others can take
    them (leads), as the screening log does."""

    capabilities = {"POST": "resolve_conflicts"}

    @extend_schema(request=None, responses=ClaimsReleaseSerializer)
    def post(self, request, review_id: int, user_id: int):
        person = get_object_or_404(get_user_model(), pk=user_id)
        count = services.claims_release(actor=request.user, review=self.review, reviewer=person)
        return Response({"released": count})


# ---------------------------------------------------------------- conflicts

class ConflictSerializer(serializers.ModelSerializer):
    record = RecordBriefSerializer(read_only=True)
    decisions = VisibleDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = ScreeningItem
        fields = ["id", "stage", "status", "record", "decisions"]
        read_only_fields = fields


class ResolveSerializer(StrictFieldsMixin, serializers.Serializer):
    value = serializers.ChoiceField(choices=Decision.Value.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ResolvedItemSerializer(serializers.ModelSerializer):
    resolved_by = serializers.CharField(source="resolved_by.get_username", default=None, allow_null=True,
                                        read_only=True)

    class Meta:
        model = ScreeningItem
        fields = ["id", "stage", "status", "reason", "resolved_by", "resolution_note", "settled_at"]
        read_only_fields = fields


class ConflictResolverMixin:
    """Leads resolve conflicts, and so does the third reviewer a lead names (`rules.may_resolve_some`;
    the service refuses them their own conflicts)."""

    def check_review(self, request) -> None:
        cfg = selectors.screening_settings_get(review=self.review)
        if not rules.may_resolve_some(user=request.user, roles=self.review.user_roles, cfg=cfg):
            raise exceptions.PermissionDenied(
                "Resolving conflicts needs the role Lead, or to be named the third reviewer.")


class ConflictListApi(ConflictResolverMixin, ReviewApiView, generics.ListAPIView):
    """Records in conflict, with every decision on them (whoever may resolve conflicts)."""

    serializer_class = ConflictSerializer
    filterset_fields = ["stage"]
    ordering_fields = ["stage", "id"]
    ordering = ["stage", "id"]

    def review_queryset(self):
        return selectors.conflicts(review=self.review, user=self.request.user, roles=self.review.user_roles)


class ConflictResolveApi(ConflictResolverMixin, ReviewApiView):
    """Settle a conflict with an outcome (a reason is needed to exclude a full text)."""

    capabilities = {"POST": "view"}  # the conflict rule of ConflictResolverMixin decides

    @extend_schema(request=ResolveSerializer, responses=ResolvedItemSerializer)
    def post(self, request, review_id: int, item_id: int):
        item = selectors.screening_item_get(review=self.review, item_id=item_id)
        refusal = rules.conflict_resolve_refusal(user=request.user, roles=self.review.user_roles, item=item,
                                                 cfg=selectors.screening_settings_get(review=self.review))
        if refusal:
            raise exceptions.PermissionDenied(refusal)
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.conflict_resolve(actor=request.user, review=self.review, item_id=item.pk, **data.validated_data)
        return Response(ResolvedItemSerializer(item).data)


class BulkExcludeSerializer(StrictFieldsMixin, serializers.Serializer):
    stage = serializers.ChoiceField(choices=ScreeningStage.choices)
    records = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
                                    min_length=1, max_length=rules.BULK_EXCLUDE_LIMIT,
                                    help_text="Record ids; all or none are excluded.")
    reason = serializers.CharField(max_length=200)


class BulkExcludeResultSerializer(serializers.Serializer):
    excluded = serializers.IntegerField()


class RecordsExcludeApi(ReviewApiView):
    """A lead excludes a selection of records at one stage with one reason (the records page's
    "Exclude selected"), audited as one action listing them. Only records nobody has decided at
    that stage; otherwise nothing changes and the refusal names them."""

    capabilities = {"POST": "resolve_conflicts"}

    @extend_schema(request=BulkExcludeSerializer, responses=BulkExcludeResultSerializer)
    def post(self, request, review_id: int):
        data = BulkExcludeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.records_exclude(actor=request.user, review=self.review, stage=data.validated_data["stage"],
                                         record_ids=data.validated_data["records"],
                                         reason=data.validated_data["reason"])
        return Response(BulkExcludeResultSerializer({"excluded": count}).data)


class BulkTagSerializer(StrictFieldsMixin, serializers.Serializer):
    records = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
                                    min_length=1, max_length=rules.BULK_EXCLUDE_LIMIT, help_text="Record ids.")
    tag = serializers.CharField(max_length=50)
    action = serializers.ChoiceField(choices=[("add", "Put the tag on them"), ("remove", "Take it off")],
                                     default="add")


class BulkTagResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="Records that gained (or lost) the tag.")


class RecordsTagApi(ReviewApiView):
    """A lead tags or untags a selection of records (the records page's "Tag selected"), audited as
    one action listing the records it changed; the records list's `tag` filter finds them."""

    capabilities = {"POST": "resolve_conflicts"}

    @extend_schema(request=BulkTagSerializer, responses=BulkTagResultSerializer)
    def post(self, request, review_id: int):
        data = BulkTagSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        valid = data.validated_data
        changed = services.records_tag(actor=request.user, review=self.review, record_ids=valid["records"],
                                       name=valid["tag"], add=valid["action"] == "add")
        return Response(BulkTagResultSerializer({"changed": changed}).data)


# ---------------------------------------------------------------- priority screening and stopping

class StoppingTargetSerializer(serializers.Serializer):
    target = serializers.FloatField(min_value=0.5, max_value=0.999, default=0.95,
                                    help_text="Recall to reach, as a fraction (0.95 = 95%).")
    confidence = serializers.FloatField(min_value=0.5, max_value=0.999, default=0.95,
                                        help_text="Confidence wanted that the recall is reached, as a fraction.")


class StopSerializer(StrictFieldsMixin, StoppingTargetSerializer):
    rule = serializers.ChoiceField(
        choices=["hypergeometric", "consecutive"], default="hypergeometric",
        help_text="hypergeometric: the ranked test of Callaghan & Müller-Hansen (2020), a statistical "
                  "guarantee; consecutive: the run of exclusions the heuristic asks for, no guarantee.")


class StoppingFiguresSerializer(serializers.Serializer):
    target = serializers.FloatField()
    confidence = serializers.FloatField()
    records = serializers.IntegerField(help_text="Title/abstract records in the review.")
    screened = serializers.IntegerField(help_text="Records settled (included or excluded) so far.")
    unscreened = serializers.IntegerField()
    found = serializers.IntegerField(help_text="Records included so far.")
    p_value = serializers.FloatField(help_text="The ranked hypergeometric test's p for recall below the target.")
    stop = serializers.BooleanField(help_text="Whether the test allows stopping now.")
    remaining_estimate = serializers.FloatField(
        allow_null=True, help_text="Relevant records left at the rate of the last estimate_window decisions, "
                                   "at most the upper bound.")
    estimate_window = serializers.IntegerField(required=False)
    remaining_upper_bound = serializers.IntegerField(allow_null=True,
                                                     help_text="At most this many left, at the confidence asked.")
    run = serializers.IntegerField(help_text="Exclusions in a row at the end of the decisions.")
    run_needed = serializers.IntegerField(help_text="The run the heuristic asks for before it allows stopping.")
    wordless = serializers.IntegerField(help_text="Unscreened records without title or abstract: stopping "
                                                  "leaves them for people.")


class RankingRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = RankingRun
        fields = ["id", "status", "decisions_seen", "included_seen", "ranked", "trained", "seconds", "error",
                  "created_at", "finished_at"]
        read_only_fields = fields


class StoppingDecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, allow_null=True)
    details = typed_json(StoppingFiguresSerializer, read_only=True,
                         help_text="The figures the stop was decided on, as they were then.")

    class Meta:
        model = StoppingDecision
        fields = ["id", "rule", "target_recall", "confidence", "p_value", "screened", "included_found",
                  "marked_excluded", "details", "decided_by", "decided_at"]
        read_only_fields = fields


class StoppingStateSerializer(serializers.Serializer):
    prioritise = serializers.BooleanField(help_text="Whether priority screening is on (PATCH screening/settings/).")
    ranking = RankingRunSerializer(allow_null=True, help_text="The latest retraining of the ranking.")
    figures = StoppingFiguresSerializer(help_text="Where screening stands against the stopping rules.")
    stops = StoppingDecisionSerializer(many=True, help_text="Every stop made, the latest first.")


class StoppingApi(ReviewApiView):
    """Priority screening: the latest ranking, where title/abstract screening stands against the
    stopping rules (as the screening page shows leads), and the stops made. POST stops screening:
    the records nobody has screened are marked excluded by automation, with the rule and its
    figures kept (records without title or abstract are left for people). Leads only."""

    capabilities = {"GET": "edit_review", "POST": "edit_review"}

    @extend_schema(parameters=[StoppingTargetSerializer], responses=StoppingStateSerializer)
    def get(self, request, review_id: int):
        query = StoppingTargetSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        state = {"prioritise": selectors.screening_settings_get(review=self.review).prioritise,
                 "ranking": selectors.ranking_latest(review=self.review),
                 "figures": selectors.stopping_figures(review=self.review, **query.validated_data),
                 "stops": selectors.stopping_decisions(review=self.review)}
        return Response(StoppingStateSerializer(state).data)

    @extend_schema(request=StopSerializer, responses={201: StoppingDecisionSerializer})
    def post(self, request, review_id: int):
        data = StopSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.screening_stop(actor=request.user, review=self.review, **data.validated_data)
        return Response(StoppingDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- studies

class StudySerializer(StrictFieldsMixin, serializers.ModelSerializer):
    reports = RecordBriefSerializer(many=True, read_only=True)
    design = serializers.ChoiceField(choices=StudyDesign.choices, allow_blank=True, required=False,
                                     help_text="The design the lead set (leads PATCH it); empty: analyses read "
                                               "it through the review's design mapping from the extraction.")

    class Meta:
        model = Study
        fields = ["id", "label", "design", "previous_version", "created_at", "reports"]
        read_only_fields = ["id", "previous_version", "created_at", "reports"]


class StudyLinkSerializer(StrictFieldsMixin, serializers.Serializer):
    record = serializers.IntegerField(help_text="A record of this review to make a report of the study.")


class StudyListApi(ReviewApiView, generics.ListAPIView):
    """The included studies and their reports."""

    serializer_class = StudySerializer
    filterset_fields = {"label": ["exact", "icontains"], "previous_version": ["exact"]}
    ordering_fields = ["label", "id", "created_at"]
    ordering = ["label", "id"]

    def review_queryset(self):
        return (Study.objects.filter(review=self.review)
                .prefetch_related(Prefetch("reports", queryset=Record.objects.order_by("year", "id"))))


class StudyDetailApi(ReviewApiView):
    """One study and its reports; PATCH renames it or sets its design (leads)."""

    capabilities = {"PATCH": "edit_review"}

    @extend_schema(responses=StudySerializer)
    def get(self, request, review_id: int, study_id: int):
        return Response(StudySerializer(selectors.study_get(review=self.review, study_id=study_id)).data)

    @extend_schema(request=StudySerializer(partial=True), responses=StudySerializer)
    def patch(self, request, review_id: int, study_id: int):
        study = selectors.study_get(review=self.review, study_id=study_id)
        data = StudySerializer(study, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "label" in data.validated_data:
            study = services.study_rename(actor=request.user, study=study, label=data.validated_data["label"])
        if "design" in data.validated_data:
            study = services.study_design_set(actor=request.user, study=study, design=data.validated_data["design"])
        return Response(StudySerializer(selectors.study_get(review=self.review, study_id=study_id)).data)


class StudyReportsApi(ReviewApiView):
    """Link a further report (record) to a study (leads)."""

    capabilities = {"POST": "edit_review"}

    @extend_schema(request=StudyLinkSerializer, responses=StudySerializer)
    def post(self, request, review_id: int, study_id: int):
        study = selectors.study_get(review=self.review, study_id=study_id)
        data = StudyLinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = Record.objects.filter(pk=data.validated_data["record"], review=self.review).first()
        if record is None:
            raise exceptions.ValidationError({"record": ["No record with that number in this review."]})
        study = services.study_link_report(actor=request.user, record=record, study=study)
        return Response(StudySerializer(selectors.study_get(review=self.review, study_id=study.pk)).data)


# ---------------------------------------------------------------- agreement

class PairAgreementSerializer(serializers.Serializer):
    stage = serializers.CharField()
    reviewer_a = serializers.CharField()
    reviewer_b = serializers.CharField()
    n = serializers.IntegerField(help_text="Records both screened.")
    percent_agreement = serializers.FloatField()
    kappa = serializers.FloatField(allow_null=True, help_text="Cohen's kappa; null when both chose one category only.")
    kappa_ci_lb = serializers.FloatField(allow_null=True, help_text="Never below -1.")
    kappa_ci_ub = serializers.FloatField(allow_null=True, help_text="Never above 1.")
    pabak = serializers.FloatField()
    ac1 = serializers.FloatField(allow_null=True)


def _pair_row(row: selectors.PairAgreement) -> dict:
    r = row.result

    def finite(x: float) -> float | None:
        return None if x != x else x  # NaN (undefined) becomes null: JSON has no NaN

    return {"stage": row.stage, "reviewer_a": row.reviewer_a, "reviewer_b": row.reviewer_b, "n": r.n,
            "percent_agreement": r.percent, "kappa": finite(r.kappa), "kappa_ci_lb": finite(r.kappa_ci[0]),
            "kappa_ci_ub": finite(r.kappa_ci[1]), "pabak": r.pabak, "ac1": finite(r.ac1)}


class AgreementSerializer(serializers.Serializer):
    kappa_ci_level = serializers.IntegerField(help_text="Level of kappa's confidence interval, in %.")
    kappa_ci_method = serializers.CharField()
    pairs = PairAgreementSerializer(many=True)


class AgreementApi(ReviewApiView):
    """Agreement between each pair of reviewers per stage (as the agreement page): kappa with its bounded
    interval, PABAK and Gwet's AC1."""

    capabilities = {"GET": "resolve_conflicts"}

    @extend_schema(responses=AgreementSerializer)
    def get(self, request, review_id: int):
        return Response(AgreementSerializer({
            "kappa_ci_level": KAPPA_CI_LEVEL, "kappa_ci_method": KAPPA_CI_METHOD,
            "pairs": [_pair_row(row) for row in selectors.agreement_table(review=self.review)]}).data)


class TeamRowSerializer(serializers.Serializer):
    reviewer_id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(help_text="Full name, else the username.")
    stage = serializers.ChoiceField(choices=ScreeningStage.choices)
    decided = serializers.IntegerField(help_text="Their decisions at this stage.")
    waiting = serializers.IntegerField(help_text="Of those, on records still waiting for another decision.")
    conflicts = serializers.IntegerField(help_text="Records in conflict they decided.")
    open = serializers.IntegerField(help_text="Records at this stage still needing a decision they have not made.")
    median_seconds = serializers.FloatField(
        allow_null=True, help_text=f"Median seconds between their consecutive decisions at this stage; gaps over "
                                   f"{pace.BREAK_SECONDS} s are breaks and do not count (null: too few).")


class TeamApi(ReviewApiView):
    """The team view (as the page): per screener and stage, decisions, waiting, conflicts, open
    records and median seconds per decision. Counts only; no decision's value."""

    capabilities = {"GET": "resolve_conflicts"}

    @extend_schema(responses=TeamRowSerializer(many=True))
    def get(self, request, review_id: int):
        rows = selectors.team_view(review=self.review)
        return Response(TeamRowSerializer([dataclasses.asdict(r) for r in rows], many=True).data)


# ---------------------------------------------------------------- PRISMA

class PrismaColumnSerializer(serializers.Serializer):
    records_identified = serializers.IntegerField()
    records_removed = serializers.IntegerField(help_text="Before screening: duplicates, automation, other reasons.")
    automation_ineligible = serializers.IntegerField()
    records_screened = serializers.IntegerField()
    records_excluded = serializers.IntegerField()
    records_awaiting = serializers.IntegerField()
    sought = serializers.IntegerField()
    not_retrieved = serializers.IntegerField()
    assessed = serializers.IntegerField()
    excluded = serializers.IntegerField()
    excluded_by_reason = serializers.DictField(child=serializers.IntegerField())
    included = serializers.IntegerField()
    awaiting = serializers.IntegerField()


class PrismaCountsSerializer(serializers.Serializer):
    identified_databases = serializers.IntegerField()
    identified_registers = serializers.IntegerField()
    identified_by_database = serializers.DictField(child=serializers.IntegerField())
    identified_other = serializers.IntegerField()
    identified_other_by_source = serializers.DictField(child=serializers.IntegerField())
    duplicates_removed = serializers.IntegerField()
    automation_ineligible = serializers.IntegerField()
    other_removed = serializers.IntegerField()
    records_screened = serializers.IntegerField()
    records_excluded = serializers.IntegerField()
    records_awaiting = serializers.IntegerField()
    main = PrismaColumnSerializer(help_text="Records and reports from databases and registers.")
    other = PrismaColumnSerializer(help_text="Records and reports from other methods.")
    studies_included = serializers.IntegerField()
    reports_included = serializers.IntegerField()
    previous_studies = serializers.IntegerField()
    previous_reports = serializers.IntegerField()


class PrismaApi(ReviewApiView):
    """The PRISMA 2020 flow diagram's counts, computed from the decision log."""

    @extend_schema(responses=PrismaCountsSerializer)
    def get(self, request, review_id: int):
        return Response(PrismaCountsSerializer(dataclasses.asdict(prisma.prisma_counts(review=self.review))).data)



class ChecklistItemSerializer(StrictFieldsMixin, serializers.Serializer):
    item = serializers.CharField(help_text="The PRISMA 2020 item number, e.g. 1, 10a, 16b.")
    section = serializers.CharField(read_only=True)
    topic = serializers.CharField(read_only=True)
    asks = serializers.CharField(read_only=True, help_text="What the item asks the report to say.")
    saved = serializers.BooleanField(read_only=True, help_text="False: the location and note are only what "
                                                                "the review's data suggests, not yet saved.")
    location = serializers.CharField(allow_blank=True, max_length=300, help_text="Where the report says it.")
    note = serializers.CharField(allow_blank=True, required=False, default="")


class ChecklistInputSerializer(StrictFieldsMixin, serializers.Serializer):
    items = ChecklistItemSerializer(many=True, help_text="Only the items sent change; the others stay.")


class ChecklistUpdatedSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="How many items changed.")
    items = ChecklistItemSerializer(many=True)


class PrismaChecklistApi(ReviewApiView):
    """The PRISMA 2020 checklist: where the report says each item; PATCH saves the items sent
    (leads), as the checklist page does."""

    capabilities = {"PATCH": "edit_review"}

    @extend_schema(responses=ChecklistItemSerializer(many=True))
    def get(self, request, review_id: int):
        return Response(ChecklistItemSerializer(prisma.checklist_rows(review=self.review), many=True).data)

    @extend_schema(request=ChecklistInputSerializer, responses=ChecklistUpdatedSerializer)
    def patch(self, request, review_id: int):
        data = ChecklistInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = {row["item"]: (row["location"], row["note"]) for row in data.validated_data["items"]}
        changed = services.checklist_save(actor=request.user, review=self.review, answers=answers)
        return Response({"changed": changed, "items": ChecklistItemSerializer(
            prisma.checklist_rows(review=self.review), many=True).data})
