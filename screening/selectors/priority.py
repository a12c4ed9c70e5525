"""Reads for priority screening and stopping: the settled sequence, stopping figures, rankings."""
from __future__ import annotations

from django.db.models import F, Q, QuerySet

from reviewapp.models import Review

from ..models import (
    RankingRun,
    ScreeningItem,
    ScreeningStage,
    StoppingDecision,
)
from ..prioritise import stopping

ItemStatus = ScreeningItem.Status

# A screening item whose record has neither title nor abstract: nothing the ranking can read
# (prioritise/model.py says where such records go; stopping leaves them for people).
WORDLESS = Q(record__title="", record__abstract="")


def settled_sequence(*, review: Review) -> list[int]:
    """1 for included, 0 for excluded, for each settled title/abstract record in the order it was settled."""
    rows = (ScreeningItem.objects.filter(review=review, stage=ScreeningStage.TITLE_ABSTRACT,
                                         status__in=[ItemStatus.INCLUDED, ItemStatus.EXCLUDED])
            .order_by(F("settled_at").asc(nulls_first=True), "id").values_list("status", flat=True))
    return [1 if status == ItemStatus.INCLUDED else 0 for status in rows]


def stopping_figures(*, review: Review, target: float = stopping.DEFAULT_TARGET,
                     confidence: float = stopping.DEFAULT_CONFIDENCE) -> dict:
    """Where screening stands against the stopping rules: the ranked hypergeometric test of
    Callaghan & Müller-Hansen (2020), the decay rule (``stopping.decay_stopping_test``) and the
    run of consecutive exclusions."""
    sequence = settled_sequence(review=review)
    n_records = (ScreeningItem.objects.filter(review=review, stage=ScreeningStage.TITLE_ABSTRACT)
                 .exclude(status__in=[ItemStatus.WITHDRAWN, ItemStatus.AUTOMATION_EXCLUDED]).count())
    unscreened = n_records - len(sequence)
    figures = {"target": target, "confidence": confidence, "target_pct": round(100 * target, 2),
               "confidence_pct": round(100 * confidence, 2), "screened": len(sequence), "records": n_records,
               "unscreened": unscreened, "found": sum(sequence), "run": stopping.consecutive_exclusions(sequence),
               "run_needed": stopping.heuristic_run_length(n_records), "p_value": 1.0, "stop": False,
               "wordless": ScreeningItem.objects.filter(WORDLESS, review=review, status=ItemStatus.PENDING,
                                                        stage=ScreeningStage.TITLE_ABSTRACT).count(),
               "remaining_estimate": None, "remaining_upper_bound": None, "recall_estimate": None,
               "decay_stop": False, "decay_remaining_bound": None, "decay_p": stopping.DECAY_P,
               "decay_quiet_needed": stopping.decay_quiet_needed(n_records, len(sequence))}
    if not sequence or n_records == 0:
        return figures
    test = stopping.ranked_stopping_test(sequence, n_records, target, confidence)
    # The point estimate at the recent rate, held within the test's bound so the two never disagree.
    estimate, recent = stopping.remaining_at_recent_rate(sequence, unscreened, figures["run_needed"])
    estimate = min(estimate, test.remaining_upper_bound)
    figures.update(p_value=test.p_value, stop=test.stop, remaining_estimate=estimate, estimate_window=recent,
                   remaining_upper_bound=test.remaining_upper_bound,
                   recall_estimate=figures["found"] / (figures["found"] + estimate) if figures["found"] else 0.0)
    decay = stopping.decay_stopping_test(sequence, n_records, target, confidence)
    figures.update(decay_stop=decay.stop, decay_remaining_bound=decay.remaining_bound)
    return figures


def ranking_latest(*, review: Review) -> RankingRun | None:
    return RankingRun.objects.filter(review=review).first()


def stopping_decisions(*, review: Review) -> QuerySet[StoppingDecision]:
    return StoppingDecision.objects.filter(review=review).select_related("decided_by")
