"""Reads of the summary of findings: one row per outcome of the review, from the run that
represents it, with GRADE's proposals (analysis.grade), the lead's ratings and absolute effects."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import ngettext

from extraction import selectors as extraction_selectors
from extraction.appraisal.selectors import RiskVerdict
from reviewapp.models import Outcome, Review

from .. import grade
from ..compute import RATIO
from ..models import RCT, Analysis, AnalysisRun
from ..selectors import analyses_inputs
from ..wording import ci_label, effect_text
from .effects import Absolute, absolute_effect
from .models import GradeAssessment

WORD = {0: "not serious", -1: "serious", -2: "very serious", 1: "+1", 2: "+2"}


@dataclass
class DomainRow:
    domain: str
    label: str
    proposal: grade.Proposal
    rating: dict | None

    @property
    def change(self) -> int:
        return self.rating["change"] if self.rating else self.proposal.change

    @property
    def changed_by_lead(self) -> bool:
        return bool(self.rating) and self.rating["change"] != self.rating.get("proposed", self.proposal.change)

    @property
    def moved(self) -> bool:
        """The data now propose something else than when the lead rated."""
        return bool(self.rating) and self.rating.get("proposed") != self.proposal.change

    @property
    def word(self) -> str:
        if self.domain in grade.UP:
            return {0: "none", 1: "rated up one level", 2: "rated up two levels"}.get(self.change, str(self.change))
        return WORD.get(self.change, str(self.change))


@dataclass
class SofRow:
    outcome: Outcome
    assessment: GradeAssessment | None
    analysis: Analysis | None
    run: AnalysisRun | None
    analyses: list[Analysis] = field(default_factory=list)
    measure: str = ""
    k: int = 0
    participants: int | None = None
    relative: str = ""
    absolute: Absolute | None = None
    start: int = 0
    start_reason: str = ""
    domains: list[DomainRow] = field(default_factory=list)
    certainty: int = 0
    designs: str = ""
    stale: bool = False
    level: float = 95  # of the run's intervals
    shown: tuple = (None, None, None)  # estimate and CI on the scale people read

    @property
    def certainty_label(self) -> str:
        return grade.LEVELS.get(self.certainty, "")

    @property
    def symbols(self) -> str:
        return grade.SYMBOLS.get(self.certainty, "")

    @property
    def reasons(self) -> list[str]:
        """What moved the certainty, for the table's footnote-style column."""
        out = []
        for d in self.domains:
            if not d.change:
                continue
            why = d.rating["reason"] if d.rating and d.rating.get("reason") else _without_verdict(d.proposal.reason)
            out.append(f"{d.label}: {d.word} ({why})")
        return out


def _without_verdict(reason: str) -> str:
    """A proposal's reason without its leading verdict ("Serious: ..."), which the table says already."""
    head, sep, rest = reason.partition(": ")
    text = rest if sep and head in ("Not serious", "Serious", "Very serious", "Suspected", "Undetected") else reason
    return text.rstrip(".")


def _represented(outcome: Outcome, assessment: GradeAssessment | None, analyses: list[Analysis]):
    chosen = assessment.analysis if assessment and assessment.analysis_id else None
    analysis = chosen or (analyses[0] if analyses else None)
    run = None
    if analysis is not None:
        run = analysis.runs.filter(status=AnalysisRun.Status.DONE).order_by("-number").first()
    return analysis, run


def _rob_of(verdicts: dict, study_id: int, outcome: str) -> RiskVerdict | None:
    return verdicts.get((study_id, outcome)) or verdicts.get((study_id, ""))


def grade_input(*, run: AnalysisRun, outcome: str, verdicts: dict[tuple[int, str], RiskVerdict],
                assessment: GradeAssessment | None) -> grade.GradeInput:
    """``verdicts``: extraction.selectors.risk_of_bias_verdicts, where each judgement stands on its
    tool's scale (a custom tool's own words count by their order)."""
    s, studies = run.results["summary"], run.inputs["studies"]
    weights = s.get("weights") or [1.0] * len(studies)
    evidence = []
    for st, w in zip(studies, weights, strict=False):
        verdict = _rob_of(verdicts, st["study_id"], outcome)
        randomised = st.get("design") == RCT
        evidence.append(grade.StudyEvidence(
            label=st["label"], weight=float(w or 0), randomised=randomised,
            rob=verdict.judgement if verdict else None, high_risk=bool(verdict and verdict.high),
            low_risk=bool(verdict and verdict.low), robins=bool(verdict and verdict.robins and not randomised)))
    egger = run.results.get("egger") or {}
    tf = run.results.get("trimfill") or {}
    return grade.GradeInput(
        measure=s["measure"], studies=tuple(evidence), estimate=s["b"], ci_lb=s["ci_lb"], ci_ub=s["ci_ub"],
        pi_lb=s.get("pi_lb"), pi_ub=s.get("pi_ub"), I2=s.get("I2"), tau2=s.get("tau2"),
        I2_ci=_i2_ci(s, studies),
        participants=s.get("participants"),
        mid=assessment.mid if assessment else None, sd=assessment.sd if assessment else None,
        control_risk=assessment.control_risk if assessment else None,
        egger_p=egger.get("pval"), trimfill_k0=tf.get("k0"),
        trimfill_ci=(tf["ci_lb"], tf["ci_ub"]) if tf.get("ci_lb") is not None else None,
        level=s.get("level", run.spec.get("level", 95)))


def _i2_ci(summary: dict, studies: list[dict]) -> tuple[float, float] | None:
    """I2's CI as the engine computed it (RmaResult.I2_ci); runs stored before it was kept derive it
    from tau2's CI as metafor does."""
    if "I2_ci" in summary:
        ci = summary["I2_ci"]
        return (ci[0], ci[1]) if ci and None not in ci else None
    return grade.i2_interval(tuple(summary["tau2_ci"]) if summary.get("tau2_ci") else None, [x["vi"] for x in studies])


def sof_rows(*, review: Review, with_staleness: bool = False) -> list[SofRow]:
    """One row per outcome; ``with_staleness`` also compares each run's data with today's (slower)."""
    assessments = {a.outcome_id: a for a in GradeAssessment.objects.filter(review=review).select_related("analysis")}
    by_outcome: dict[int, list[Analysis]] = {}
    for a in Analysis.objects.filter(review=review).select_related("outcome").order_by("position", "id"):
        by_outcome.setdefault(a.outcome_id, []).append(a)
    verdicts = extraction_selectors.risk_of_bias_verdicts(review=review)
    rows = []
    for outcome in review.outcomes.order_by("position", "id"):
        assessment = assessments.get(outcome.pk)
        analyses = by_outcome.get(outcome.pk, [])
        analysis, run = _represented(outcome, assessment, analyses)
        row = SofRow(outcome=outcome, assessment=assessment, analysis=analysis, run=run, analyses=analyses)
        if run is not None and run.results and run.results.get("summary"):
            _fill(row, run, verdicts, assessment)
        rows.append(row)
    if with_staleness:  # today's inputs of every shown analysis, the review's data read once
        shown = [r for r in rows if r.analysis is not None and r.run is not None and r.run.results
                 and r.run.results.get("summary")]
        current = analyses_inputs(review=review, analyses={r.analysis.pk: r.analysis for r in shown}.values())
        for r in shown:
            r.stale = current[r.analysis.pk].hash != r.run.input_hash
    return rows


def _fill(row: SofRow, run: AnalysisRun, verdicts: dict, assessment: GradeAssessment | None) -> None:
    s = run.results["summary"]
    row.measure, row.k, row.participants = s["measure"], s["k"], s.get("participants")
    row.level = s.get("level", run.spec.get("level", 95))
    shown = s["shown"]
    row.shown = (shown["b"], shown["ci_lb"], shown["ci_ub"])
    row.relative = effect_text(row.measure, *row.shown, level=row.level)
    row.absolute = absolute_effect(row.measure, (shown["b"], shown["ci_lb"], shown["ci_ub"]),
                                   control_risk=assessment.control_risk if assessment else None,
                                   sd=assessment.sd if assessment else None,
                                   sd_scale=assessment.sd_scale if assessment else "")
    designs = [st.get("design") for st in run.inputs["studies"]]
    rct = sum(1 for d in designs if d == RCT)
    row.designs = f"{rct} {ngettext('RCT', 'RCTs', rct)}, {len(designs) - rct} non-randomised"
    data = grade_input(run=run, outcome=row.outcome.name, verdicts=verdicts, assessment=assessment)
    proposal = grade.propose(data)
    ratings = assessment.ratings if assessment else {}
    row.start, row.start_reason = proposal.start, proposal.start_reason
    row.domains = [DomainRow(domain=d, label=grade.DOMAIN_LABELS[d], proposal=proposal.proposals[d],
                             rating=ratings.get(d)) for d in grade.DOMAINS]
    row.certainty = proposal.certainty({d.domain: d.change for d in row.domains})


def sof_row(*, review: Review, outcome_id: int) -> SofRow | None:
    return next((r for r in sof_rows(review=review) if r.outcome.pk == outcome_id), None)


# -- the table as plain rows (CSV, XLSX, HTML download) -------------------------------------

def table_header(levels: set[float]) -> list[str]:
    """GRADE's header names the CI's level; rows of analyses at other levels name theirs in the cell."""
    ci = f"({ci_label(next(iter(levels)))})" if len(levels) == 1 else "(CI at the level in each cell)"
    return ["Outcome", "Risk with comparator", f"Risk with intervention / effect {ci}", f"Relative effect {ci}",
            "No of participants (studies)", "Certainty of the evidence (GRADE)", "Comments"]


def _level_named(text: str, level: float) -> str:
    """Every interval of an effect cell with its level ("0.35 SD lower (90% CI 0.45 lower to ...)"):
    each parenthesis of these cells holds an interval."""
    return text.replace("(", f"({ci_label(level)} ")


def table(*, review: Review, rows: list[SofRow] | None = None) -> list[list[str]]:
    rows = rows if rows is not None else sof_rows(review=review)
    levels = {r.level for r in rows if r.run is not None} or {95}
    out = [table_header(levels)]
    for r in rows:
        if r.run is None:
            out.append([r.outcome.name, "", "", "", "", "No finished analysis", ""])
            continue
        # GRADE's layout: a relative effect only for ratios; continuous effects live in the absolute column
        rel = effect_text(r.measure, *r.shown, level=None if len(levels) == 1 else r.level)
        rel = rel if r.measure in RATIO else "—"
        absolute = r.absolute
        effect = absolute.intervention if absolute else rel
        if absolute and absolute.note and absolute.comparator == "—" and r.measure not in ("RR", "OR", "RD"):
            effect = f"{effect}. {absolute.note}"
        if absolute and len(levels) > 1:
            effect = _level_named(effect, r.level)
        n = f"{r.participants if r.participants is not None else '?'} ({r.k} {ngettext('study', 'studies', r.k)}"
        n += f"; {r.designs})"
        certainty = f"{r.symbols} {r.certainty_label}"
        if r.reasons:
            certainty += ": " + "; ".join(r.reasons)
        comments = (r.assessment.comment if r.assessment else "")
        out.append([r.outcome.name, absolute.comparator if absolute else "", effect, rel, n,
                    certainty, comments])
    return out
