"""API of agreement between reviewers and the team view."""
from __future__ import annotations

import dataclasses

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from reviewapp.api_base import ReviewApiView

from .. import pace, selectors
from ..agreement import KAPPA_CI_LEVEL, KAPPA_CI_METHOD
from ..models import (
    ScreeningStage,
)

# ---------------------------------------------------------------- agreement

class PairAgreementSerializer(serializers.Serializer):
    stage = serializers.CharField()
    reviewer_a = serializers.CharField()
    reviewer_b = serializers.CharField()
    reviewer_a_name = serializers.CharField(help_text="Full name, else the username.")
    reviewer_b_name = serializers.CharField(help_text="Full name, else the username.")
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

    return {"stage": row.stage, "reviewer_a": row.reviewer_a, "reviewer_b": row.reviewer_b,
            "reviewer_a_name": row.reviewer_a_name, "reviewer_b_name": row.reviewer_b_name, "n": r.n,
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
