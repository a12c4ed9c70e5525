"""The lead's part of the review's report: the paragraphs only a person can write (background,
discussion, conclusions), which characteristics of the included studies it summarises, and the
figures the report stated when the lead last saved, so it can say which have changed since."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from reviewapp.models import Review

TEXT_LIMIT = 20000  # characters per paragraph field: a long discussion, not a book


class ReportText(models.Model):
    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="report_text")
    background = models.TextField(blank=True)
    discussion = models.TextField(blank=True)
    conclusions = models.TextField(blank=True)
    # keys of the extraction form's summary fields; None: the default picks (report.gather)
    summary_fields = models.JSONField(null=True, blank=True)
    # report.builder.headline_numbers at the last save
    numbers_seen = models.JSONField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Report of {self.review}"
