"""The shapes of the JSON an analysis stores (its spec, a run's pooled result, the lead's GRADE
ratings), as serializers the OpenAPI document names, so clients read types and choices instead of
guessing them. The API answers the stored JSON as it is; these only describe it."""
from __future__ import annotations

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
