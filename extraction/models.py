"""Forms, their versions, and double entry with consensus.

The machinery is generic so risk-of-bias appraisal can use it too: a `FormTemplate` (of a kind:
extraction or appraisal) has immutable published `FormVersion`s; an `Extraction` is the unit of
double entry (a study, and for appraisals an optional target such as one result); each person
fills their own `Entry`; a `Settlement` records how one differing field was settled, and the
extraction's `consensus` holds the answers used downstream once a settler finalises it.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models

from reviewapp.models import Review
from screening.models import Study


class AppraisalTool(models.Model):
    """A published version of an appraisal tool (RoB 2, ROBINS-I, ...), as data: a new version of a
    tool is a new row, and the forms made from an old one keep it. Built-in tools are loaded by
    migrations from extraction/appraisal/tools/*.json."""

    slug = models.SlugField(max_length=60)
    version = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    definition = models.JSONField()
    builtin = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "version"]
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="unique_appraisal_tool_version")]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class FormTemplate(models.Model):
    class Kind(models.TextChoices):
        EXTRACTION = "extraction", "Data extraction"
        APPRAISAL = "appraisal", "Risk-of-bias appraisal"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="form_templates")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EXTRACTION)
    # The definition the lead is editing; publishing copies it into a new FormVersion.
    draft = models.JSONField(default=dict, blank=True)
    settler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="A third person who may settle differences besides the leads.")
    # The built-in tool an appraisal form was made from; empty for extraction forms and custom tools.
    tool = models.ForeignKey(AppraisalTool, null=True, blank=True, on_delete=models.PROTECT, related_name="forms")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> FormVersion | None:
        return self.versions.order_by("-number").first()


class FormVersion(models.Model):
    """A published definition; never edited after publishing (a change publishes a new version)."""

    template = models.ForeignKey(FormTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="unique_form_version")]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class Extraction(models.Model):
    """One study (and target) filled twice on one form, then settled into a consensus."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        AWAITING_CONSENSUS = "awaiting_consensus", "Awaiting consensus"
        DONE = "done", "Done"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="extractions")
    template = models.ForeignKey(FormTemplate, on_delete=models.CASCADE, related_name="extractions")
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="extractions")
    # Empty for a whole-study form; an appraisal per result names the result here.
    target = models.CharField(max_length=200, blank=True)
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    consensus = models.JSONField(null=True, blank=True)
    # Answers of fields a later version removed or changed: {path: {"value", "label", "version"}}.
    retired = models.JSONField(default=dict, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["study__label", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "study", "target"],
                                               name="unique_extraction_per_study_target")]

    def __str__(self) -> str:
        return f"{self.study} ({self.template})" + (f" {self.target}" if self.target else "")


class Entry(models.Model):
    """One person's answers for one extraction; hidden from the other person until both are done."""

    extraction = models.ForeignKey(Extraction, on_delete=models.CASCADE, related_name="entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extraction_entries")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict, blank=True)
    # What the form held when last autosaved or refused, as typed (input name -> list of strings).
    draft = models.JSONField(null=True, blank=True)
    retired = models.JSONField(default=dict, blank=True)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["extraction", "id"]
        constraints = [models.UniqueConstraint(fields=["extraction", "user"], name="unique_entry_per_person")]

    def __str__(self) -> str:
        return f"{self.user} on {self.extraction}"


class Settlement(models.Model):
    """How a settler decided one field on which the two entries differ."""

    extraction = models.ForeignKey(Extraction, on_delete=models.CASCADE, related_name="settlements")
    path = models.CharField(max_length=300)
    value = models.JSONField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    settled_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["extraction", "path"]
        constraints = [models.UniqueConstraint(fields=["extraction", "path"], name="unique_settlement_per_field")]

    def __str__(self) -> str:
        return f"{self.path} of {self.extraction}"


class CharacteristicsLayout(models.Model):
    """Which extraction fields the lead puts in each column of the review's characteristics of
    included studies table: ``{column: [field or group key, ...]}`` (extraction.characteristics)."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="characteristics_layout")
    columns = models.JSONField(default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Characteristics table of {self.review}"


class DesignMapping(models.Model):
    """Where a review's study designs come from when the lead has not set one on the study: the
    extraction field ``field_key`` (a plain field of the review's form) and which of its answers
    means which design, ``{answer: screening.models.StudyDesign value}``. Other answers: unknown."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="design_mapping")
    field_key = models.CharField(max_length=60)
    values = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Designs of {self.review} from “{self.field_key}”"
