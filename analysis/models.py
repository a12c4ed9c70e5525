"""Analyses a lead defines (what to pool and how) and their runs (what was pooled, and the result).

A run keeps the exact data it used, so it can be shown again and reproduced whatever happens to
the extraction later; comparing the hash of those inputs with the current ones says when the
last run is stale.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models

from reviewapp.models import Job, Outcome, Review

RCT = "Randomised controlled trial"
NRS = "Non-randomised controlled study"
PREPOST = "Uncontrolled pre-post study"
DESIGNS = [RCT, NRS, PREPOST]
CONTROLLED = [RCT, NRS]


def default_designs() -> list[str]:
    return list(CONTROLLED)


class Analysis(models.Model):
    class Measure(models.TextChoices):
        SMD = "SMD", "Standardised mean difference (Hedges' g)"
        MD = "MD", "Mean difference"
        OR = "OR", "Odds ratio"
        RR = "RR", "Risk ratio"
        RD = "RD", "Risk difference"
        SMCR = "SMCR", "Standardised mean change (pre-post)"

    class Method(models.TextChoices):
        REML = "REML", "Random effects, REML"
        DL = "DL", "Random effects, DerSimonian-Laird"
        PM = "PM", "Random effects, Paule-Mandel"
        ML = "ML", "Random effects, maximum likelihood"
        SJ = "SJ", "Random effects, Sidik-Jonkman"
        HE = "HE", "Random effects, Hedges"
        EE = "EE", "Common (fixed) effect"

    class Test(models.TextChoices):
        Z = "z", "z test (normal)"
        KNHA = "knha", "Knapp-Hartung (t test)"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="analyses")
    name = models.CharField(max_length=200)
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="analyses")
    # "first" (first after the intervention), "last", or a time point label as extracted
    timepoint = models.CharField(
        "time point", max_length=200, default="first",
        help_text="“first” takes each study's first time point after the intervention, “last” its last; "
                  "any other text takes the time point of that name.")
    measure = models.CharField(max_length=10, choices=Measure.choices, default=Measure.SMD)
    method = models.CharField("model", max_length=10, choices=Method.choices, default=Method.REML)
    test = models.CharField(max_length=10, choices=Test.choices, default=Test.Z)
    designs = models.JSONField(default=default_designs, help_text="The study designs that enter.")
    exclude_high_risk = models.BooleanField(
        "leave out studies at high risk of bias", default=False)
    cluster_field = models.CharField(
        "one study per", max_length=100, blank=True,
        help_text="An extraction field (e.g. programme): of studies sharing its value only the largest enters.")
    subgroup_field = models.CharField("subgroups by", max_length=100, blank=True)
    moderators = models.JSONField(default=list, blank=True, help_text="Extraction fields for a meta-regression.")
    level = models.FloatField("confidence level (%)", default=95)
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "analyses"
        constraints = [models.UniqueConstraint(fields=["review", "name"], name="unique_analysis_name_per_review")]

    def __str__(self) -> str:
        return self.name

    def spec(self) -> dict:
        """What the analysis asks for, as stored with each run."""
        # Extraction turns each study's effect to point the outcome's way: with "lower is better"
        # (e.g. depression), negative values favour the intervention.
        return {"name": self.name, "outcome": self.outcome.name,
                "higher_favours": self.outcome.higher_favours, "timepoint": self.timepoint,
                "measure": self.measure, "method": self.method, "test": self.test,
                "designs": list(self.designs), "exclude_high_risk": self.exclude_high_risk,
                "cluster_field": self.cluster_field, "subgroup_field": self.subgroup_field,
                "moderators": list(self.moderators), "level": self.level}


class AnalysisRun(Job):
    """One run of an analysis (a job: reviewapp.jobs), with its inputs, results and plots."""

    JOB_TASK = "analysis.tasks.analysis_run_execute"
    JOB_NOUN = ("analysis run", "analysis runs")

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    # Not shown in the app: {"test_delay": true} lets a test slow the run down (see services).
    options = models.JSONField(default=dict, blank=True)
    spec = models.JSONField(default=dict, blank=True)
    inputs = models.JSONField(null=True, blank=True)
    input_hash = models.CharField(max_length=64, blank=True)
    results = models.JSONField(null=True, blank=True)
    # Plot name ("forest", "funnel"; compute.PLOTS) -> SVG markup: a new plot is a new key, not a column.
    plots = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["analysis", "-number"]
        constraints = [models.UniqueConstraint(fields=["analysis", "number"], name="unique_run_number")]

    def __str__(self) -> str:
        return f"{self.analysis} run {self.number}"


from .report.models import ReportText  # noqa: E402,F401  (the report's own texts)
from .sof.models import GradeAssessment  # noqa: E402,F401  (the summary of findings' table lives in its own module)
