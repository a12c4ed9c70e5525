"""The shapes of the JSON an analysis stores (its spec, a run's pooled result, the lead's GRADE
ratings), as serializers the OpenAPI document names, so clients read types and choices instead of
guessing them. The API answers the stored JSON as it is; these only describe it."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import grade
from .models import DESIGNS, Analysis

_NUMBER = {"allow_null": True, "required": False}


class AnalysisSpecSerializer(serializers.Serializer):
    """What an analysis asks for, as each run stores it (and the reproducible scripts read it)."""

    name = serializers.CharField()
    outcome = serializers.CharField(help_text="The outcome's name.")
    higher_favours = serializers.BooleanField(help_text="True: higher values favour the intervention (the "
                                                        "outcome's direction); effects are pointed that way.")
    timepoint = serializers.CharField(help_text="“first”, “last” or a time point's label as extracted.")
    measure = serializers.ChoiceField(choices=Analysis.Measure.choices)
    method = serializers.ChoiceField(choices=Analysis.Method.choices)
    test = serializers.ChoiceField(choices=Analysis.Test.choices)
    designs = serializers.ListField(child=serializers.ChoiceField(choices=DESIGNS),
                                    help_text="The study designs that enter.")
    exclude_high_risk = serializers.BooleanField()
    cluster_field = serializers.CharField(allow_blank=True, help_text="An extraction field's key, or empty.")
    subgroup_field = serializers.CharField(allow_blank=True, help_text="An extraction field's key, or empty.")
    moderators = serializers.ListField(child=serializers.CharField(), help_text="Extraction fields' keys.")
    level = serializers.FloatField(help_text="The confidence level in percent.")


class ShownSerializer(serializers.Serializer):
    """On the scale people read: ratios (OR, RR) exponentiated, other measures as they are."""

    b = serializers.FloatField(**_NUMBER)
    ci_lb = serializers.FloatField(**_NUMBER)
    ci_ub = serializers.FloatField(**_NUMBER)
    pi_lb = serializers.FloatField(**_NUMBER)
    pi_ub = serializers.FloatField(**_NUMBER)


class RunResultSerializer(serializers.Serializer):
    """The pooled estimate of a finished run, named as metafor's rma() names it (log scale for
    ratios); a value that is not finite is null."""

    b = serializers.FloatField(allow_null=True, help_text="The pooled effect.")
    se = serializers.FloatField(allow_null=True)
    zval = serializers.FloatField(allow_null=True, help_text="The z statistic (t under Knapp-Hartung).")
    pval = serializers.FloatField(allow_null=True)
    ci_lb = serializers.FloatField(allow_null=True)
    ci_ub = serializers.FloatField(allow_null=True)
    pi_lb = serializers.FloatField(allow_null=True, help_text="The prediction interval, lower bound.")
    pi_ub = serializers.FloatField(allow_null=True)
    tau2 = serializers.FloatField(allow_null=True, help_text="The between-study variance.")
    se_tau2 = serializers.FloatField(allow_null=True)
    tau2_ci = serializers.ListField(child=serializers.FloatField(allow_null=True), min_length=2, max_length=2,
                                    allow_null=True, help_text="Q-profile confidence interval of tau2.")
    I2 = serializers.FloatField(allow_null=True, help_text="In percent.")
    I2_ci = serializers.ListField(child=serializers.FloatField(allow_null=True), min_length=2, max_length=2,
                                  allow_null=True, required=False,
                                  help_text="I2's confidence interval (from tau2's), in percent; absent from runs "
                                            "stored before it was kept.")
    H2 = serializers.FloatField(allow_null=True)
    QE = serializers.FloatField(allow_null=True, help_text="Cochran's Q.")
    QEp = serializers.FloatField(allow_null=True)
    k = serializers.IntegerField(help_text="The number of studies pooled.")
    weights = serializers.ListField(child=serializers.FloatField(allow_null=True),
                                    help_text="Each study's weight in percent, in the order of `inputs.studies`.")
    method = serializers.ChoiceField(choices=Analysis.Method.choices)
    test = serializers.ChoiceField(choices=Analysis.Test.choices)
    level = serializers.FloatField()
    warnings = serializers.ListField(child=serializers.CharField())
    ddf = serializers.IntegerField(allow_null=True, help_text="Degrees of freedom of the t test (knha), else null.")
    participants = serializers.IntegerField(allow_null=True, help_text="Participants in the studies pooled, when "
                                                                       "every study gives its n.")
    measure = serializers.ChoiceField(choices=Analysis.Measure.choices)
    shown = ShownSerializer()


class StoredRatingSerializer(serializers.Serializer):
    """A domain's rating as stored: the lead's change and reason with the proposal it answered."""

    change = serializers.IntegerField(min_value=-2, max_value=2,
                                      help_text="0, -1 or -2 rating down; 0, +1 or +2 rating up.")
    reason = serializers.CharField(allow_blank=True)
    proposed = serializers.IntegerField(min_value=-2, max_value=2, help_text="What the data proposed then.")
    proposed_reason = serializers.CharField(allow_blank=True)


class DomainRatingsSerializer(serializers.Serializer):
    """A rating per GRADE domain sent; a domain not sent is left out, one not rated is null."""

    def get_fields(self):
        return {domain: StoredRatingSerializer(allow_null=True, required=False, label=grade.DOMAIN_LABELS[domain])
                for domain in grade.DOMAINS}


class RatingsStoredSerializer(serializers.Serializer):
    ratings = DomainRatingsSerializer(help_text="The stored ratings of the domains sent.")


# -- the review's report (analysis.report.api) -------------------------------------------------

class ReportLinkSerializer(serializers.Serializer):
    text = serializers.CharField()
    href = serializers.CharField(help_text="The page the number comes from.")


class ReportBlockSerializer(serializers.Serializer):
    """A paragraph (text and the links of its numbers), a table (caption, header, rows of texts) or a
    figure (caption and its address)."""

    kind = serializers.ChoiceField(choices=["paragraph", "table", "figure"])
    text = serializers.CharField(required=False, help_text="A paragraph's text.")
    links = ReportLinkSerializer(many=True, required=False)
    caption = serializers.CharField(required=False, allow_blank=True)
    header = serializers.ListField(child=serializers.CharField(), required=False)
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()), required=False)
    href = serializers.CharField(required=False, allow_blank=True)


class ReportSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    level = serializers.IntegerField()
    blocks = ReportBlockSerializer(many=True)


class ReportOutOfDateSerializer(serializers.Serializer):
    stale_outcomes = serializers.ListField(child=serializers.CharField(), help_text="Outcomes whose run is stale.")
    missing_outcomes = serializers.ListField(child=serializers.CharField(), help_text="Outcomes without a run.")
    changed_since_saved = serializers.ListField(
        child=serializers.CharField(), help_text="Numbers that changed since the lead's paragraphs were saved.")


class ReportTextsSerializer(serializers.Serializer):
    background = serializers.CharField(allow_blank=True)
    discussion = serializers.CharField(allow_blank=True)
    conclusions = serializers.CharField(allow_blank=True)


# A headline number: a count or sum, or an outcome's figures (null while the outcome has no run).
REPORT_NUMBER = {"nullable": True, "oneOf": [
    {"type": "number"},
    {"type": "object", "properties": {
        "run": {"type": "integer"}, "k": {"type": "integer"},
        "participants": {"type": "integer", "nullable": True}, "pval": {"type": "number", "nullable": True},
        "I2": {"type": "number", "nullable": True}, "certainty": {"type": "string"},
        "prepost_favourable": {"type": "integer", "nullable": True}}}]}


@extend_schema_field({"type": "object", "additionalProperties": REPORT_NUMBER})
class ReportNumbersField(serializers.JSONField):
    """The report's headline numbers by name."""


class ReportSerializer(serializers.Serializer):
    sections = ReportSectionSerializer(many=True)
    numbers = ReportNumbersField(help_text="The figures the report states, by name (studies, records_identified, "
                                              "<field>=<value>, outcome:<name> ...).")
    out_of_date = ReportOutOfDateSerializer()
    texts = ReportTextsSerializer(help_text="The lead's paragraphs.")
    summary_fields = serializers.ListField(child=serializers.CharField(), allow_null=True,
                                           help_text="The fields whose summaries the report shows (null: defaults).")
    saved_at = serializers.DateTimeField(allow_null=True)
