"""The summary of findings: per outcome, which analysis represents it, the lead's assumptions
(control risk, minimal important difference, SD) and the lead's GRADE ratings per domain.

The proposals themselves are not stored: they follow the represented run (analysis.grade). A
rating keeps the proposal it answered, so the page can say when the data have moved since."""
from __future__ import annotations

from django.db import models

from reviewapp.models import Outcome, Review


class GradeAssessment(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="grade_assessments")
    outcome = models.OneToOneField(Outcome, on_delete=models.CASCADE, related_name="grade_assessment")
    # None: the outcome's first analysis (its default), latest finished run
    analysis = models.ForeignKey("analysis.Analysis", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    control_risk = models.FloatField(
        "assumed control risk", null=True, blank=True,
        help_text="Risk in the comparator group, 0 to 1 (binary outcomes): gives absolute effects per 1000.")
    mid = models.FloatField(
        "threshold (minimal important difference)", null=True, blank=True,
        help_text="On the analysis' scale: an SMD (e.g. 0.2), a mean difference, a ratio (e.g. 1.25) or a risk "
                  "difference.")
    sd = models.FloatField("SD for back-translation", null=True, blank=True,
                           help_text="A typical SD of a familiar scale: turns an SMD into points on that scale.")
    sd_scale = models.CharField("scale of that SD", max_length=100, blank=True)
    # domain -> {"change": int, "reason": str, "proposed": int, "proposed_reason": str}
    ratings = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["outcome__position", "outcome_id"]

    def __str__(self) -> str:
        return f"GRADE: {self.outcome.name}"
