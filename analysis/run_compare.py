"""Comparing a run of an analysis with the run before it (a living review's update): what changed.

Studies added and removed, the estimate, its CI, I², tau², the prediction interval and the
GRADE certainty proposed from the data (with the lead's ratings), side by side; and whether the
conclusion crossed the null (or, when the outcome's GRADE assessment has one, the MID).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from extraction import selectors as extraction_selectors

from . import grade
from .grade import RATIO
from .models import AnalysisRun
from .sof.models import GradeAssessment
from .sof.selectors import grade_input

FIGURES = ("b", "ci_lb", "ci_ub", "I2", "tau2", "pi_lb", "pi_ub")


@dataclass
class RunSide:
    number: int
    k: int
    figures: dict[str, float | None]  # on the scale people read (ratios exponentiated), I² in %
    certainty: str
    side: str  # where the CI lies: "benefit", "harm" (above / below the threshold) or "crosses"


@dataclass
class RunComparison:
    previous: RunSide
    current: RunSide
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    threshold: str = "null"  # "null", or "MID" when the outcome's assessment has one
    crossed: bool = False
    conclusion: str = ""


def previous_done(run: AnalysisRun) -> AnalysisRun | None:
    """The finished run of the same analysis before ``run``."""
    return (AnalysisRun.objects.filter(analysis_id=run.analysis_id, number__lt=run.number, status="done")
            .order_by("-number").first())


def comparable_runs(runs: list[AnalysisRun]) -> set[int]:
    """Ids of the finished runs among ``runs`` (one analysis's) that have a finished run before them."""
    done = sorted((r.number, r.pk) for r in runs if r.status == AnalysisRun.Status.DONE)
    return {pk for _, pk in done[1:]}


def _side(lb: float | None, ub: float | None, threshold: float) -> str:
    if lb is None or ub is None:
        return "unknown"
    if lb > threshold:
        return "above"
    if ub < threshold:
        return "below"
    return "crosses"


def _one(run: AnalysisRun, *, outcome: str, verdicts: dict, assessment, threshold: float) -> RunSide:
    s = (run.results or {})["summary"]  # only finished runs are compared; they hold results
    shown = s.get("shown", {})
    figures = {k: shown.get(k, s.get(k)) for k in ("b", "ci_lb", "ci_ub", "pi_lb", "pi_ub")}
    figures.update(I2=s.get("I2"), tau2=s.get("tau2"))
    try:
        proposal = grade.propose(grade_input(run=run, outcome=outcome, verdicts=verdicts, assessment=assessment))
        ratings = assessment.ratings if assessment else {}
        changes = {d: (ratings.get(d) or {}).get("change", p.change) if isinstance(ratings.get(d), dict)
                   else p.change for d, p in proposal.proposals.items()}
        certainty = grade.level_name(proposal.certainty(changes))
    except (KeyError, TypeError, ValueError):
        certainty = ""
    return RunSide(number=run.number, k=s.get("k") or len((run.inputs or {}).get("studies", [])), figures=figures,
                   certainty=certainty, side=_side(s.get("ci_lb"), s.get("ci_ub"), threshold))


def compare_runs(*, run: AnalysisRun, previous: AnalysisRun) -> RunComparison:
    analysis = run.analysis
    assessment = GradeAssessment.objects.filter(outcome_id=analysis.outcome_id).first()
    mid = assessment.mid if assessment and assessment.mid else None
    # Thresholds on the analysis scale (log for ratios): the null is 0; the MID its log for ratios.
    threshold, name = 0.0, "null"
    if mid is not None:
        if analysis.measure in RATIO and mid > 0 and mid != 1:
            threshold, name = math.log(mid), "MID"
        elif analysis.measure not in RATIO:
            threshold, name = float(mid), "MID"
    verdicts = extraction_selectors.risk_of_bias_verdicts(review=analysis.review)
    sides = [_one(r, outcome=analysis.outcome.name, verdicts=verdicts, assessment=assessment,
                  threshold=threshold) for r in (previous, run)]
    before = {s["label"] for s in (previous.inputs or {}).get("studies", [])}
    now = {s["label"] for s in (run.inputs or {}).get("studies", [])}
    crossed = sides[0].side != sides[1].side and "unknown" not in (sides[0].side, sides[1].side)
    if crossed:
        conclusion = (f"The conclusion changed: the {name}'s side of the CI went from "
                      f"{sides[0].side} to {sides[1].side}.")
    else:
        conclusion = f"The conclusion did not cross the {name}."
    return RunComparison(previous=sides[0], current=sides[1], added=sorted(now - before),
                         removed=sorted(before - now), threshold=name, crossed=crossed, conclusion=conclusion)
