"""API of records: list, detail, corrections and the full text of a record."""
from __future__ import annotations

import django_filters
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from reviewapp.api_base import (
    DeferredJoinPagination,
    IdFilter,
    IdListFilter,
    PersonNameField,
    ReviewApiView,
    StrictFieldsMixin,
    string_list_field,
)
from reviewapp.disposition import content_disposition

from .. import identifiers, selectors, services
from ..models import (
    Decision,
    FullText,
    Record,
    RecordCorrection,
    ScreeningStage,
)
from ..upload_limits import FULL_TEXT
from ..word_search import SEARCH_HELP

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
    q = django_filters.CharFilter(method="noop", label=SEARCH_HELP)
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
    pagination_class = DeferredJoinPagination  # a million records: deep offsets stay cheap
    ordering_fields = ["id", "number", "year", "title"]
    ordering = None  # the selector orders (by `sort`, else by id)

    def review_queryset(self):
        return Record.objects.filter(review=self.review)

    def known_count(self) -> int | None:
        """Without filters the list is the review's unique (or all, or merged) records: their count is
        the review's own, kept for a large review (`selectors.record_counts`), not counted again."""
        params = set(self.request.query_params) - {"limit", "offset", "after", "sort", "ordering", "duplicates",
                                                   "format"}
        duplicates = self.request.query_params.get("duplicates", "hide")
        if params or duplicates not in ("hide", "show", "only"):
            return None
        counts = selectors.record_counts(review=self.review)
        return {"hide": counts.unique, "show": counts.imported, "only": counts.merged}[duplicates]


class RecordDetailApi(ReviewApiView):
    """One record as imported (and mended), with its duplicate and study if it has them."""

    @extend_schema(responses=RecordSerializer)
    def get(self, request, review_id: int, record_id: int):
        return Response(RecordSerializer(get_object_or_404(Record, pk=record_id, review=self.review)).data)


def _record(review, record_id: int) -> Record:
    return get_object_or_404(Record, pk=record_id, review=review)


class RecordCorrectionSerializer(serializers.ModelSerializer):
    corrected_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    corrected_by_name = PersonNameField(source="corrected_by")

    class Meta:
        model = RecordCorrection
        fields = ["id", "field", "original", "corrected", "corrected_by", "corrected_by_name", "corrected_at"]
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
