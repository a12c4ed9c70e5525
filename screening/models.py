"""Searches of a review, the files they exported, the records in them, and duplicates among them."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from reviewapp.models import Job, Review

from .highlight import keyword_lines, keyword_list_problem
from .identifiers import resolver_problem
from .importers.formats import format_name
from .publication_types import publication_type_words

# Suggested in the search form; any other name may be typed.
USUAL_DATABASES = [
    "CINAHL", "Cochrane Library", "EMBASE", "ERIC", "MEDLINE", "PsycINFO", "PubMed", "Science Citation Index",
    "Scopus", "Sociological Abstracts", "Web of Science", "Google Scholar", "OpenAlex", "ProQuest Dissertations",
]
USUAL_PLATFORMS = ["Ovid", "EBSCOhost", "PubMed", "Web of Science", "Elsevier (embase.com)", "ProQuest",
                   "Wiley", "Scopus"]


class Search(models.Model):
    """One run of one query in one database, as a PRISMA flow diagram and a methods section report it."""

    class Source(models.TextChoices):
        """Where the records came from, as the PRISMA 2020 flow diagram's columns and boxes tell them apart."""

        DATABASE = "database", "Bibliographic database"
        REGISTER = "register", "Trial or study register"
        WEBSITE = "website", "Website (other methods)"
        ORGANISATION = "organisation", "Organisation (other methods)"
        CITATION = "citation", "Citation searching (other methods)"
        EXPERT = "expert", "Contacting experts or authors (other methods)"
        OTHER = "other", "Other method"

    OTHER_METHODS = (Source.WEBSITE, Source.ORGANISATION, Source.CITATION, Source.EXPERT, Source.OTHER)

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="searches")
    source = models.CharField("kind of source", max_length=20, choices=Source.choices, default=Source.DATABASE)
    database = models.CharField(max_length=120, help_text="Pick one of the usual databases or type its name.")
    platform = models.CharField("platform or interface", max_length=120, blank=True,
                                help_text="E.g. Ovid, EBSCOhost, PubMed, Web of Science.")
    date_run = models.DateField("date run")
    query = models.TextField("query", help_text="The full search string, exactly as run.")
    limits = models.TextField(blank=True, help_text="Limits applied: years, languages, publication types…")
    reported_hits = models.PositiveIntegerField(
        "hits reported", null=True, blank=True, help_text="The number of records the database said it found.")
    notes = models.TextField(blank=True)
    # Set on an update of a living review: this run repeats that earlier search (same database,
    # the same query or a changed one). Its records are deduplicated against the whole review.
    repeats = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="repeated_by", verbose_name="repeats search")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_run", "id"]
        verbose_name_plural = "searches"

    def __str__(self) -> str:
        return f"{self.database} ({self.date_run:%Y-%m-%d})" if self.date_run else self.database

    @property
    def where(self) -> str:
        """"MEDLINE via Ovid"; the platform is left out where it only repeats the database (Scopus)."""
        if self.platform and self.platform.casefold() != self.database.casefold():
            return f"{self.database} via {self.platform}"
        return self.database


def _upload_path(instance: SearchFile, filename: str) -> str:
    return f"searches/review-{instance.search.review_id}/search-{instance.search_id}/{filename}"


class SearchFile(Job):
    """An export file as uploaded, and the state of its import (a job: reviewapp.jobs)."""

    STATUS_WORDS = {Job.Status.RUNNING: "Importing", Job.Status.DONE: "Imported"}
    JOB_TASK = "screening.tasks.search_file_import"
    JOB_NOUN = ("import", "imports")

    search = models.ForeignKey(Search, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_upload_path, max_length=500)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    requested_format = models.CharField(max_length=30, blank=True, help_text="Empty: detect automatically.")
    format = models.CharField("format read", max_length=30, blank=True)
    # Progress while running (also written outside the import transaction; see services.progress).
    records_read = models.PositiveIntegerField(default=0)
    # The import report.
    records_imported = models.PositiveIntegerField(default=0)
    duplicates_merged = models.PositiveIntegerField(default=0)
    duplicates_possible = models.PositiveIntegerField(default=0)
    error_line = models.PositiveIntegerField(null=True, blank=True)
    # Values read but not understood, per field: [{"field", "message", "count",
    # "examples": [{"value", "line"}]}] (screening.importers.ImportReport.rows()).
    warnings = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def format_name(self) -> str:
        """The format read, as people call it ("PubMed/MEDLINE", not "medline")."""
        return format_name(self.format) if self.format else ""

    @property
    def audit_label(self) -> str:
        """How the audit trail names the file: "EMBASE file embase.ris"."""
        return f"{self.search.database} file {self.original_name}"


class Record(models.Model):
    """One bibliographic record as one search exported it: normalised fields plus the verbatim original.

    A record merged as a duplicate points to the record it was merged into (its primary);
    the primary's sources are itself and every record pointing to it, which is how a
    unique record knows every search that found it.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="records")
    # #1..N within the review, given at import in the order read and never changed; what pages,
    # exports and the API show people. The id stays the key in URLs and links between objects.
    number = models.PositiveIntegerField("number in the review", editable=False)
    search_file = models.ForeignKey(SearchFile, on_delete=models.CASCADE, related_name="records")
    # Denormalised from search_file so per-search counts and filters need no join.
    search = models.ForeignKey(Search, on_delete=models.CASCADE, related_name="records")
    line = models.PositiveIntegerField(null=True, blank=True)
    title = models.TextField(blank=True)
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    journal = models.TextField(blank=True)
    volume = models.CharField(max_length=100, blank=True)
    issue = models.CharField(max_length=100, blank=True)
    pages = models.CharField(max_length=100, blank=True)
    doi = models.CharField("DOI", max_length=300, blank=True)
    pmid = models.CharField("PMID", max_length=20, blank=True)
    issn = models.CharField("ISSN", max_length=20, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=100, blank=True)
    publication_type = models.CharField(max_length=200, blank=True)
    url = models.TextField("URL", blank=True)
    raw = models.TextField("original record", blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates")
    # Set when the record is a report of an included study (full text included, or linked by a lead).
    study = models.ForeignKey("Study", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["review", "doi"]),
            models.Index(fields=["review", "pmid"]),
            models.Index(fields=["review", "duplicate_of"]),
            models.Index(fields=["search_file", "line"]),
            # The records list (unique records by id) and its count: an index-only scan, deep pages included.
            # The year filter's matches and their count, capped (#30): a range scan of this index.
            models.Index(fields=["review", "year", "id"], condition=models.Q(duplicate_of__isnull=True),
                         name="record_unique_by_year"),
            models.Index(fields=["review", "id"], condition=models.Q(duplicate_of__isnull=True),
                         name="record_unique_in_review"),
        ]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="record_number_unique_in_review")]

    def __str__(self) -> str:
        return (self.title or "(no title)")[:120]

    @property
    def publication_type_words(self) -> str:
        return publication_type_words(self.publication_type)


class DuplicatePair(models.Model):
    """Two records found alike: merged (automatically or by a lead), waiting, or kept apart."""

    class Status(models.TextChoices):
        POSSIBLE = "possible", "Waiting for a decision"
        MERGED = "merged", "Merged"
        KEPT_APART = "kept_apart", "Kept apart"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="duplicate_pairs")
    record_a = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+",
                                 help_text="The earlier record; it stays primary when merged.")
    record_b = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    sure = models.BooleanField(default=False)
    reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.POSSIBLE)
    # Ids of the records this merge moved under record_a's primary, so un-merging restores them exactly.
    moved_ids = models.JSONField(default=list, blank=True)
    found_in = models.ForeignKey(SearchFile, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        indexes = [models.Index(fields=["review", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["record_a", "record_b"], name="unique_duplicate_pair"),
            # One row per pair of records, in one order: the lookups and un-merge rely on it.
            models.CheckConstraint(condition=models.Q(record_a__lt=models.F("record_b")),
                                   name="duplicate_pair_record_order"),
        ]

    def __str__(self) -> str:
        return f"records {self.record_a_id} and {self.record_b_id} ({self.status})"


# ---------------------------------------------------------------- screening

DEFAULT_EXCLUSION_REASONS = [
    "Wrong population", "Wrong intervention", "Wrong comparator", "Wrong outcome", "Wrong study design",
    "Full text not available", "Duplicate", "Other",
]


def _default_reasons() -> list[str]:
    return list(DEFAULT_EXCLUSION_REASONS)


def validate_keyword_list(text: str) -> None:
    """The one check of a highlight keyword list, which the settings form and the API both run."""
    problem = keyword_list_problem(text)
    if problem:
        raise ValidationError(problem, code="keyword_limit")


def validate_resolver(base: str) -> None:
    """The one check of the OpenURL resolver's address (settings form, API and service)."""
    problem = resolver_problem(base)
    if problem:
        raise ValidationError(problem, code="resolver")


class ScreeningSettings(models.Model):
    """How a review screens: set by its lead, one row per review."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="screening_settings")
    reviewers_per_record = models.PositiveSmallIntegerField(
        "reviewers per record", default=2, choices=[(1, "One reviewer"), (2, "Two reviewers (dual screening)")])
    blind = models.BooleanField(
        "blind screening", default=True,
        help_text="Reviewers do not see each other's decisions until a record is in conflict.")
    criteria = models.TextField("eligibility criteria", blank=True,
                                help_text="Shown to screeners beside every record.")
    include_keywords = models.TextField(
        blank=True, help_text="Highlighted in green: one word or phrase per line; end a word with * for its stems.")
    exclude_keywords = models.TextField(
        blank=True, help_text="Highlighted in red: one word or phrase per line; end a word with * for its stems.")
    exclusion_reasons = models.JSONField("full-text exclusion reasons", default=_default_reasons)
    conflict_resolver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="A third reviewer who may resolve conflicts besides the leads.")
    prioritise = models.BooleanField(
        "priority screening", default=False,
        help_text="Order unscreened records by likely relevance, learned from the decisions so far.")
    fulltext_resolver = models.CharField(
        "library link resolver (OpenURL)", max_length=500, blank=True, validators=[validate_resolver],
        help_text="Your library's OpenURL resolver base address, e.g. https://resolver.example.edu/openurl; "
                  "every record then has a \u201cfind full text at your library\u201d link. Links only: "
                  "the app fetches nothing.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "screening settings"
        verbose_name_plural = "screening settings"

    def __str__(self) -> str:
        return f"screening settings of review {self.review_id}"

    @property
    def include_keyword_list(self) -> list[str]:
        return keyword_lines(self.include_keywords)

    @property
    def exclude_keyword_list(self) -> list[str]:
        return keyword_lines(self.exclude_keywords)


class ScreeningStage(models.TextChoices):
    TITLE_ABSTRACT = "ta", "Title and abstract"
    FULL_TEXT = "ft", "Full text"


class ScreeningItem(models.Model):
    """One record at one stage: where it stands, computed from the decisions on it (the log)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for decisions"
        CONFLICT = "conflict", "In conflict"
        INCLUDED = "included", "Included"
        EXCLUDED = "excluded", "Excluded"
        NOT_RETRIEVED = "not_retrieved", "Not retrieved"
        AUTOMATION_EXCLUDED = "automation_excluded", "Excluded by automation"
        WITHDRAWN = "withdrawn", "Merged into another record"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="screening_items")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="screening_items")
    stage = models.CharField(max_length=2, choices=ScreeningStage.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decisions_count = models.PositiveSmallIntegerField(default=0)
    # Higher first in the queue; priority screening writes it, otherwise records keep import order.
    priority = models.FloatField(default=0)
    # The settled full-text exclusion reason (agreed by the reviewers or chosen by whoever resolved).
    reason = models.CharField(max_length=200, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolution_note = models.TextField(blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["record", "stage"], name="one_item_per_record_and_stage")]
        indexes = [
            models.Index(fields=["review", "stage", "status", "-priority", "id"], name="screening_queue"),
            # Records waiting for the other reviewer(s): few, whatever the review's size (progress, #30).
            models.Index(fields=["review", "stage", "id"], name="screening_items_waiting",
                         condition=models.Q(status="pending", decisions_count__gt=0)),
        ]

    def __str__(self) -> str:
        return f"record {self.record_id} at {self.get_stage_display().lower()}"

    @property
    def is_settled(self) -> bool:
        return self.status not in (self.Status.PENDING, self.Status.CONFLICT)

    # ``get_stage_display()`` and ``get_status_display()`` rebuild the field's choices at each call:
    # a tenth of the records list's rendering (two a row), read here from lists made once.
    @property
    def stage_label(self) -> str:
        return _STAGE_LABELS.get(self.stage, self.stage)

    @property
    def status_label(self) -> str:
        return _STATUS_LABELS.get(self.status, self.status)


_STAGE_LABELS = dict(ScreeningStage.choices)
_STATUS_LABELS = dict(ScreeningItem.Status.choices)


class ItemTally(models.Model):
    """How many screening items a review has at each stage, status and number of decisions: kept by
    PostgreSQL triggers on every insert, change and delete of `ScreeningItem` rows, in the same
    transaction (migration 0017), so a million-record review's screening progress is a few rows to
    read, not a million to count, and stays right after every decision (#30). SQLite has no such
    triggers: there the progress is counted (`selectors.screening_progress`). Not archived: an
    imported review's items are counted by the same triggers as they are written."""

    # No foreign key: deleting a review deletes its items, whose triggers then write here.
    review_id = models.BigIntegerField()
    stage = models.CharField(max_length=2)
    status = models.CharField(max_length=20)
    decisions_count = models.PositiveSmallIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review_id", "stage", "status", "decisions_count"],
                                               name="item_tally_key")]

    def __str__(self) -> str:
        return f"review {self.review_id} {self.stage} {self.status} x{self.decisions_count}: {self.n}"


class PrismaTally(models.Model):
    """How many screening items a review has per search of their record, stage and status, with the
    full-text exclusion reason (empty for every other status and stage): the screening boxes of the
    PRISMA diagram, which count items by their record's search (column, update) and reason. Kept by
    PostgreSQL triggers on `ScreeningItem` as `ItemTally` is (migrations 0020, 0022), so the first PRISMA
    page after a decision reads a few rows, not a million (#30). SQLite counts (`prisma.prisma_counts`)."""

    review_id = models.BigIntegerField()
    search_id = models.BigIntegerField()
    stage = models.CharField(max_length=2)
    status = models.CharField(max_length=20)
    reason = models.CharField(max_length=200)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review_id", "search_id", "stage", "status", "reason"],
                                               name="prisma_tally_key")]

    def __str__(self) -> str:
        return f"review {self.review_id} search {self.search_id} {self.stage} {self.status} {self.reason}: {self.n}"


class Decision(models.Model):
    """One reviewer's decision on one record at one stage: the screening log."""

    class Value(models.TextChoices):
        INCLUDE = "include", "Include"
        MAYBE = "maybe", "Maybe"
        EXCLUDE = "exclude", "Exclude"
        NOT_RETRIEVED = "not_retrieved", "Not retrieved"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="screening_decisions")
    item = models.ForeignKey(ScreeningItem, on_delete=models.CASCADE, related_name="decisions")
    stage = models.CharField(max_length=2, choices=ScreeningStage.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=15, choices=Value.choices)
    reason = models.CharField("exclusion reason", max_length=200, blank=True)
    note = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "reviewer"], name="one_decision_per_reviewer_and_item"),
        ]
        indexes = [models.Index(fields=["review", "stage", "reviewer", "-created_at"], name="decisions_by_reviewer"),
                   # A person's latest decision (the screening page's undo, "my decisions"): the
                   # first entry here, not a sort of all their decisions (#30).
                   models.Index(fields=["review", "stage", "reviewer", "-updated_at", "-id"],
                                name="decisions_latest_by_reviewer")]

    def __str__(self) -> str:
        return f"{self.get_value_display()} by {self.reviewer_id} on item {self.item_id}"

    @property
    def counts_as_include(self) -> bool:
        return self.value in (self.Value.INCLUDE, self.Value.MAYBE)


class RecordTag(models.Model):
    """A lead's label on a record (the records list's "Tag selected"), to find and export a set later.
    Apart from decision tags, which belong to a reviewer's decision and are blind with it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "name"], name="one_tag_name_per_record")]
        indexes = [models.Index(fields=["review", "name"], name="record_tags_by_name")]

    def __str__(self) -> str:
        return f"{self.name} on record {self.record_id}"


class Claim(models.Model):
    """A record a reviewer has on screen; it keeps others from taking a record that needs one decision more.
    The one-at-a-time page holds one record per reviewer and stage, list mode a page of them: one claim per
    reviewer and record, so a record's seats (`reviewers_per_record`) are counted in people."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=2, choices=ScreeningStage.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ScreeningItem, on_delete=models.CASCADE, related_name="claims")
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "reviewer"], name="one_claim_per_reviewer_and_item")]
        indexes = [models.Index(fields=["review", "stage", "reviewer"], name="claims_by_reviewer")]

    def __str__(self) -> str:
        return f"item {self.item_id} held by {self.reviewer_id} until {self.expires_at:%H:%M}"


class ScreenerPreference(models.Model):
    """How a person likes to screen titles and abstracts, in every review: one record at a time, or a
    list of records per page (list mode) of ``batch_size``. Without a row: one at a time."""

    class Mode(models.TextChoices):
        SINGLE = "single", "One record at a time"
        LIST = "list", "A list of records per page"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="screener_preference")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.SINGLE)
    batch_size = models.PositiveSmallIntegerField(default=10, help_text="Records per page in list mode (5 to 25).")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id} screens {self.mode}"


class Assignment(models.Model):
    """A lead's assignment of a record to a reviewer's queue at a stage: it comes first in their queue
    and one of its places (`reviewers_per_record`) is kept for them until they decide; any other
    place is still taken from the pool, so dual screening keeps two different reviewers."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ScreeningItem, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "reviewer"], name="one_assignment_per_reviewer")]
        indexes = [models.Index(fields=["review", "reviewer"], name="assignments_by_reviewer")]

    def __str__(self) -> str:
        return f"item {self.item_id} assigned to {self.reviewer_id}"


def _fulltext_path(instance: FullText, filename: str) -> str:
    return f"fulltexts/review-{instance.record.review_id}/record-{instance.record_id}.pdf"


class FullText(models.Model):
    """The PDF of a record's full text, uploaded for full-text screening."""

    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="fulltext")
    file = models.FileField(upload_to=_fulltext_path, max_length=500)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "full text"

    def __str__(self) -> str:
        return self.original_name


class RecordCorrection(models.Model):
    """A reviewer's repair of a missing or garbled title or abstract; the original stays here and in `raw`."""

    class Field(models.TextChoices):
        TITLE = "title", "Title"
        ABSTRACT = "abstract", "Abstract"

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(max_length=10, choices=Field.choices)
    original = models.TextField(blank=True)
    corrected = models.TextField()
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    corrected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["corrected_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_field_display()} of record {self.record_id}"


class StudyDesign(models.TextChoices):
    """A study's design as analyses read it: set by the lead per study, or mapped from an extraction
    field's answers (extraction.models.DesignMapping). The values are what runs store and show."""

    RANDOMISED = "Randomised controlled trial"
    NON_RANDOMISED = "Non-randomised controlled study"
    PRE_POST = "Uncontrolled pre-post study"
    OTHER = "Other or unknown design"


CONTROLLED_DESIGNS = (StudyDesign.RANDOMISED, StudyDesign.NON_RANDOMISED)


class Study(models.Model):
    """An included study: what extraction and analysis work on. Its reports are the records linked to it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="studies")
    label = models.CharField(max_length=200, help_text="How tables and plots name it, e.g. “Suchman 2010”.")
    design = models.CharField(max_length=40, choices=StudyDesign.choices, blank=True, default="",
                              help_text="Set by the lead; empty: as the review's design mapping reads the "
                                        "study's extraction.")
    # An updated review's studies carried over from its previous version (PRISMA's "previous studies" column).
    previous_version = models.BooleanField("included in the previous version", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label", "id"]
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.label


class ChecklistEntry(models.Model):
    """Where the review's report answers one PRISMA 2020 checklist item (filled in by the lead)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="prisma_checklist")
    item = models.CharField(max_length=5)
    location = models.CharField("where reported", max_length=300, blank=True)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="one_checklist_entry_per_item")]
        verbose_name = "PRISMA checklist entry"
        verbose_name_plural = "PRISMA checklist entries"

    def __str__(self) -> str:
        return f"PRISMA item {self.item}"


class RankingRun(Job):
    """One retraining of the priority ranking; the queue keeps the previous order until one is done."""

    STATUS_WORDS = {Job.Status.RUNNING: "Retraining"}
    JOB_TASK = "screening.tasks.ranking_refresh"
    JOB_NOUN = ("ranking retraining", "ranking retrainings")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ranking_runs")
    decisions_seen = models.PositiveIntegerField(default=0, help_text="Settled title/abstract records it learned from.")
    included_seen = models.PositiveIntegerField(default=0)
    ranked = models.PositiveIntegerField(default=0)
    trained = models.BooleanField(default=False, help_text="False until there is an inclusion and an exclusion.")
    seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"ranking of review {self.review_id} ({self.status})"


class StoppingDecision(models.Model):
    """A lead's decision to stop title/abstract screening early, with the rule and its figures."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="stopping_decisions")
    rule = models.CharField(max_length=200)
    target_recall = models.FloatField()
    confidence = models.FloatField()
    p_value = models.FloatField(null=True, blank=True)
    screened = models.PositiveIntegerField()
    included_found = models.PositiveIntegerField()
    marked_excluded = models.PositiveIntegerField()
    details = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"screening stopped in review {self.review_id} by {self.rule}"
