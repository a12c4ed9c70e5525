"""Searches of a review, the files they exported, the records in them, and duplicates among them."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from reviewapp.models import Review

# Suggested in the search form; any other name may be typed.
USUAL_DATABASES = [
    "CINAHL", "Cochrane Library", "EMBASE", "ERIC", "MEDLINE", "PsycINFO", "PubMed", "Science Citation Index",
    "Scopus", "Sociological Abstracts", "Web of Science", "Google Scholar", "OpenAlex", "ProQuest Dissertations",
]
USUAL_PLATFORMS = ["Ovid", "EBSCOhost", "PubMed", "Web of Science", "Elsevier (embase.com)", "ProQuest",
                   "Wiley (Cochrane Library)", "Scopus"]


class Search(models.Model):
    """One run of one query in one database, as a PRISMA flow diagram and a methods section report it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="searches")
    database = models.CharField(max_length=120, help_text="Pick one of the usual databases or type its name.")
    platform = models.CharField("platform or interface", max_length=120, blank=True,
                                help_text="E.g. Ovid, EBSCOhost, PubMed, Web of Science.")
    date_run = models.DateField("date run")
    query = models.TextField("query", help_text="The full search string, exactly as run.")
    limits = models.TextField(blank=True, help_text="Limits applied: years, languages, publication types…")
    reported_hits = models.PositiveIntegerField(
        "hits reported", null=True, blank=True, help_text="The number of records the database said it found.")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_run", "id"]
        verbose_name_plural = "searches"

    def __str__(self) -> str:
        return f"{self.database} ({self.date_run:%Y-%m-%d})" if self.date_run else self.database


def _upload_path(instance: "SearchFile", filename: str) -> str:
    return f"searches/review-{instance.search.review_id}/search-{instance.search_id}/{filename}"


class SearchFile(models.Model):
    """An export file as uploaded, and the state of its import."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    search = models.ForeignKey(Search, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_upload_path, max_length=500)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    requested_format = models.CharField(max_length=30, blank=True, help_text="Empty: detect automatically.")
    format = models.CharField("format read", max_length=30, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Progress while running (also written outside the import transaction; see services.progress).
    records_read = models.PositiveIntegerField(default=0)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    # The import report.
    records_imported = models.PositiveIntegerField(default=0)
    duplicates_merged = models.PositiveIntegerField(default=0)
    duplicates_possible = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    error_line = models.PositiveIntegerField(null=True, blank=True)
    # Values read but not understood, per field: [{"field", "message", "count",
    # "examples": [{"value", "line"}]}] (screening.importers.ImportReport.rows()).
    warnings = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Record(models.Model):
    """One bibliographic record as one search exported it: normalised fields plus the verbatim original.

    A record merged as a duplicate points to the record it was merged into (its primary);
    the primary's sources are itself and every record pointing to it, which is how a
    unique record knows every search that found it.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="records")
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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["review", "doi"]),
            models.Index(fields=["review", "pmid"]),
            models.Index(fields=["review", "duplicate_of"]),
            models.Index(fields=["search_file", "line"]),
        ]

    def __str__(self) -> str:
        return (self.title or "(no title)")[:120]

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of_id is not None


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
        ]

    def __str__(self) -> str:
        return f"records {self.record_a_id} and {self.record_b_id} ({self.status})"
