"""Reads of appraisal: the review's tools, each appraisal's status, the consensus judgements (for
figures, the CSV and the analyses' sensitivity analyses) and the comparison of two appraisers."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.http import Http404

from screening.models import Study

from .. import definition as defs
from ..models import AppraisalTool, Entry, Extraction, FormTemplate
from ..selectors import entry_of  # noqa: F401  (one double-entry read for forms and appraisals)
from . import figures, judgements, tools

Kind = FormTemplate.Kind
Status = Extraction.Status


def builtin_tools():
    return AppraisalTool.objects.filter(builtin=True).order_by("name", "version")


def tool_templates(*, review) -> list[FormTemplate]:
    """The review's appraisal tools that are published, in the order they were added."""
    return [t for t in review.form_templates.filter(kind=Kind.APPRAISAL).select_related("tool", "settler")
            .prefetch_related("versions") if t.current_version is not None]


def tool_template_get(*, review, template_id: int) -> FormTemplate:
    template = FormTemplate.objects.filter(review=review, pk=template_id, kind=Kind.APPRAISAL).first()
    if template is None or template.current_version is None:
        raise Http404("No such appraisal tool.")
    return template


def tool_definition(template: FormTemplate) -> dict:
    return tools.tool_of(template.current_version.definition)


def appraisal_get(*, template: FormTemplate, study: Study, target: str) -> Extraction | None:
    return (Extraction.objects.filter(template=template, study=study, target=target)
            .select_related("version", "study", "template", "finalised_by").first())


@dataclass
class AppraisalRow:
    extraction: Extraction
    entries: int
    done: int
    mine: Entry | None
    overall: str | None = None

    @property
    def target_label(self) -> str:
        return tools.target_label(self.extraction.target)


def appraisal_rows(*, review, user, status: str = "") -> list[AppraisalRow]:
    qs = (Extraction.objects.filter(review=review, template__kind=Kind.APPRAISAL)
          .select_related("study", "template", "version").prefetch_related("entries")
          .order_by("study__label", "study_id", "template_id", "target"))
    if status in Status.values:
        qs = qs.filter(status=status)
    rows = []
    for extraction in qs:
        entries = list(extraction.entries.all())
        overall = None
        if extraction.status == Status.DONE and extraction.consensus is not None:
            _, overall = judgements.final_judgements(extraction.version.definition, extraction.consensus,
                                                     extraction.target)
        rows.append(AppraisalRow(extraction=extraction, entries=len(entries), done=sum(e.done for e in entries),
                                 mine=next((e for e in entries if e.user_id == user.pk), None), overall=overall))
    return rows


def study_design(*, review, study: Study) -> str:
    """The study's design as its extraction consensus gives it ("" before there is one)."""
    found = Extraction.objects.filter(review=review, study=study, template__kind=Kind.EXTRACTION, target="",
                                      status=Status.DONE).only("consensus").first()
    return (found.consensus or {}).get("design", "") if found else ""


@dataclass
class StudyOverview:
    study: Study
    design: str
    final: int
    started: int


def study_overview(*, review) -> list[StudyOverview]:
    """Every included study with its design (extraction consensus) and how many appraisals it has."""
    designs = {e.study_id: (e.consensus or {}).get("design", "") for e in Extraction.objects.filter(
        review=review, template__kind=Kind.EXTRACTION, target="", status=Status.DONE).only("study_id", "consensus")}
    counts = Counter()
    finals = Counter()
    for study_id, status in Extraction.objects.filter(review=review, template__kind=Kind.APPRAISAL).values_list(
            "study_id", "status"):
        counts[study_id] += 1
        finals[study_id] += status == Status.DONE
    return [StudyOverview(study=s, design=designs.get(s.pk, ""), final=finals[s.pk], started=counts[s.pk])
            for s in Study.objects.filter(review=review).order_by("label", "id")]


@dataclass
class Progress:
    studies: int
    appraised_studies: int  # studies with at least one final appraisal
    by_status: Counter
    mine_open: int
    to_settle: int
    tools: int

    def count(self, status: str) -> int:
        return self.by_status.get(status, 0)


def progress(*, review, user) -> Progress:
    rows = appraisal_rows(review=review, user=user)
    return Progress(
        studies=Study.objects.filter(review=review).count(),
        appraised_studies=len({r.extraction.study_id for r in rows if r.extraction.status == Status.DONE}),
        by_status=Counter(r.extraction.status for r in rows),
        mine_open=sum(1 for r in rows if r.mine is not None and not r.mine.done and r.extraction.status != Status.DONE),
        to_settle=sum(1 for r in rows if r.extraction.status == Status.AWAITING_CONSENSUS),
        tools=len(tool_templates(review=review)))


def settlers_to_settle(*, review) -> list[tuple[FormTemplate, int]]:
    counts = Counter(Extraction.objects.filter(review=review, template__kind=Kind.APPRAISAL,
                                               status=Status.AWAITING_CONSENSUS).values_list("template_id", flat=True))
    return [(t, counts[t.pk]) for t in tool_templates(review=review) if counts.get(t.pk)]


def draft_proposals(*, definition: dict, answers: dict, target: str) -> dict[str, dict]:
    """Domain key (and "overall") -> the proposal answers not yet saved give (what a form holds now),
    with the class the page shows it in (its place on the tool's scale); answers that do not fit the
    form count as unanswered."""
    answers = defs.parse_answers(definition, answers).answers
    domains, overall = judgements.evaluate(definition, answers, target)
    scale = figures.Scale.of(tools.tool_of(definition) or {"scale": []})
    return {j.key: {"judgement": j.proposed or "", "reason": j.proposal_reason, "confirm": j.confirm,
                    "class": figures.level_class(j.proposed, scale)} for j in [*domains, overall]}


# -- consensus judgements ------------------------------------------------------------

@dataclass
class ConsensusRow:
    extraction: Extraction
    study: Study
    outcome: str
    effect: str
    by_column: dict[str, str | None]  # domain short heading -> final judgement; "overall" -> overall
    domains: list[judgements.DomainJudgement] = field(default_factory=list)
    overall: judgements.DomainJudgement | None = None

    @property
    def label(self) -> str:
        parts = [self.study.label]
        if self.outcome:
            parts.append(self.outcome + (f" ({self.effect})" if self.effect else ""))
        return " · ".join(parts)


def columns_of(tool: dict) -> list[tuple[str, str, str]]:
    """(key, short heading, title) per column: domains sharing a heading (RoB 2's two variants of
    Domain 2) share a column, titled by the first."""
    seen: dict[str, tuple[str, str, str]] = {}
    for domain in tool["domains"]:
        short = domain.get("short") or domain["key"]
        if short not in seen:
            title = domain["title"].split(" (effect of")[0]
            seen[short] = (short, short, title)
    return list(seen.values())


def consensus_rows(*, template: FormTemplate, outcome: str | None = None) -> list[ConsensusRow]:
    rows = []
    for extraction in (Extraction.objects.filter(template=template, status=Status.DONE)
                       .select_related("study", "version").order_by("study__label", "study_id", "target")):
        target_outcome, effect = tools.target_parse(extraction.target)
        if outcome is not None and target_outcome != outcome:
            continue
        domains, overall = judgements.evaluate(extraction.version.definition, extraction.consensus or {},
                                               extraction.target)
        by_column = {d.short or d.key: d.final for d in domains}
        by_column["overall"] = overall.final
        rows.append(ConsensusRow(extraction=extraction, study=extraction.study, outcome=target_outcome,
                                 effect=effect, by_column=by_column, domains=domains, overall=overall))
    return rows


def study_weights(*, review) -> dict[int, float]:
    """Each study's sample size from the extraction consensus (the built-in form's number of
    caregivers), for weighted summaries."""
    weights = {}
    for extraction in Extraction.objects.filter(review=review, template__kind=Kind.EXTRACTION, target="",
                                                status=Status.DONE).only("study_id", "consensus"):
        n = (extraction.consensus or {}).get("n_caregivers")
        if isinstance(n, (int, float)) and n > 0:
            weights[extraction.study_id] = float(n)
    return weights


def figure_data(*, template: FormTemplate, outcome: str | None = None):
    """(figure rows, columns, the tool's scale (figures.Scale), title) of a tool's final appraisals."""
    tool = tool_definition(template)
    weights = study_weights(review=template.review)
    consensus = consensus_rows(template=template, outcome=outcome)
    effects = {r.effect for r in consensus}
    one_effect = len(effects) == 1 and "" not in effects  # said once in the title, not on every row
    rows = [figures.FigureRow(label=" · ".join([r.study.label] + ([r.outcome] if r.outcome and not outcome else [])
                                                + ([r.effect] if r.effect and not one_effect else [])),
                              judgements=r.by_column, weight=weights.get(r.study.pk)) for r in consensus]
    title = template.name + (f": {outcome}" if outcome else "")
    if one_effect:
        title += f" (effect of {next(iter(effects))})"
    return rows, columns_of(tool), figures.Scale.of(tool), title


def _severity(judgement: str, scale: list[str]) -> int:
    if judgement in scale:
        return scale.index(judgement)
    return -1  # "no information" and unknown words rank below any judged level


@dataclass(frozen=True)
class RiskVerdict:
    """A final overall judgement and where its tool's scale puts it: at high risk (from the tool's
    high_risk_from), at low risk (the scale's best level), and whether the tool is ROBINS-I (whose
    judgements carry a non-randomised design's risk, GRADE guidelines 18). Never read from words."""

    judgement: str  # lower case
    high: bool
    low: bool = False
    robins: bool = False


def risk_of_bias_verdicts(*, review) -> dict[tuple[int, str], RiskVerdict]:
    """(study id, outcome name) -> the consensus overall judgement. A study-level appraisal
    (ROBINS-I and the checklists here) has the outcome name "". Where one key has several final
    appraisals (both effects of interest, or two tools), the most severe is kept, a high risk
    first, as a sensitivity analysis that leaves out high-risk results should."""
    out: dict[tuple[int, str], tuple[tuple[bool, int], RiskVerdict]] = {}
    for extraction in (Extraction.objects.filter(review=review, template__kind=Kind.APPRAISAL, status=Status.DONE)
                       .select_related("version")):
        _, overall = judgements.final_judgements(extraction.version.definition, extraction.consensus or {},
                                                 extraction.target)
        if not overall:
            continue
        outcome, _ = tools.target_parse(extraction.target)
        tool = tools.tool_of(extraction.version.definition)
        high, severity = overall in tools.high_risk_levels(tool), _severity(overall, tool["scale"])
        key = (extraction.study_id, outcome)
        if key not in out or (high, severity) > out[key][0]:
            out[key] = ((high, severity), RiskVerdict(overall.lower(), high, low=severity == 0,
                                                      robins=str(tool.get("slug", "")).startswith("robins")))
    return {key: verdict for key, (_, verdict) in out.items()}


def risk_of_bias_overall(*, review) -> dict[tuple[int, str], str]:
    """(study id, outcome name) -> the judgement of ``risk_of_bias_verdicts``, in lower case."""
    return {key: verdict.judgement for key, verdict in risk_of_bias_verdicts(review=review).items()}


# -- the appraisal table (CSV) -------------------------------------------------------

CSV_COLUMNS = ["study", "outcome", "effect_of_interest", "tool", "tool_version", "domain", "item", "question",
               "answer", "support", "proposed_judgement", "judgement", "override_reason"]


def table_rows(*, review):
    """One row per answer of every final appraisal, with the supporting text, then one per domain
    judgement and one for the overall judgement (proposal, judgement and reason for an override)."""
    for extraction in (Extraction.objects.filter(review=review, template__kind=Kind.APPRAISAL, status=Status.DONE)
                       .select_related("study", "template", "version").order_by("study__label", "template_id",
                                                                                "target")):
        definition, answers = extraction.version.definition, extraction.consensus or {}
        tool = tools.tool_of(definition)
        outcome, effect = tools.target_parse(extraction.target)
        base = {"study": extraction.study.label, "outcome": outcome, "effect_of_interest": effect,
                "tool": extraction.template.name, "tool_version": tool.get("version", "")}
        domains, overall = judgements.evaluate(definition, answers, extraction.target)
        by_key = {d.key: d for d in domains}
        for domain in tools.domains_for(tool, extraction.target):
            title = f"{domain.get('short', '')} {domain['title']}".strip()
            for q in domain["questions"]:
                yield {**base, "domain": title, "item": q.get("id", q["key"]), "question": q["text"],
                       "answer": answers.get(q["key"], ""), "support": answers.get(f"{q['key']}_note", "")}
            j = by_key[domain["key"]]
            yield {**base, "domain": title, "item": "judgement", "proposed_judgement": j.proposed or "",
                   "judgement": j.final or "", "override_reason": j.reason if j.overridden else "",
                   "support": j.proposal_reason}
        yield {**base, "domain": "Overall", "item": "judgement", "proposed_judgement": overall.proposed or "",
               "judgement": overall.final or "", "override_reason": overall.reason if overall.overridden else "",
               "support": overall.proposal_reason}


# -- comparison of the two appraisers ---------------------------------------------------

@dataclass
class QuestionPair:
    key: str
    id: str
    text: str
    a: str | None
    b: str | None
    note_a: str
    note_b: str
    settled: object = None
    is_settled: bool = False
    settle_note: str = ""
    choices: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return not defs.same_value(self.a, self.b)


@dataclass
class DomainPair:
    key: str
    title: str
    questions: list[QuestionPair]
    a: judgements.DomainJudgement
    b: judgements.DomainJudgement
    extra: list[QuestionPair]  # the judgement and reason fields, compared like answers
    consensus: judgements.DomainJudgement | None = None


def comparison(*, extraction: Extraction, consensus: dict | None) -> tuple[list[Entry], list[DomainPair]]:
    """Per domain: both appraisers' answers, support, proposals and judgements; the settlements; and
    the proposal the settled answers give (``consensus``: the answers settled so far)."""
    entries = list(extraction.entries.select_related("user").order_by("id"))
    definition = extraction.version.definition
    tool = tools.tool_of(definition)
    answers = [e.answers for e in entries] + [{}, {}]
    evaluated = [judgements.evaluate(definition, a, extraction.target) for a in answers[:2]]
    agreed = judgements.evaluate(definition, consensus, extraction.target) if consensus is not None else None
    settled = {s.path: s for s in extraction.settlements.all()}

    def pair(key: str, id_: str, text: str, choices=()) -> QuestionPair:
        s = settled.get(key)
        a, b = answers[0].get(key), answers[1].get(key)
        return QuestionPair(key=key, id=id_, text=text, a=a, b=b, note_a=answers[0].get(f"{key}_note", ""),
                            note_b=answers[1].get(f"{key}_note", ""), settled=s.value if s else None,
                            is_settled=bool(s) and not defs.same_value(a, b), settle_note=s.note if s else "",
                            choices=list(choices))

    domains = []
    levels = tools.judgement_levels(tool)
    applicable = tools.domains_for(tool, extraction.target) + [{"key": "overall", "title": "Overall", "short": "",
                                                                  "questions": []}]
    for i, domain in enumerate(applicable):
        questions = []
        for q in domain["questions"]:
            questions.append(pair(q["key"], q.get("id", ""), q["text"], tools.question_choices(tool, q)))
        extra = [pair(f"{domain['key']}_judgement", "", "Judgement chosen", levels)]
        last = i == len(applicable) - 1
        a = evaluated[0][1] if last else evaluated[0][0][i]
        b = evaluated[1][1] if last else evaluated[1][0][i]
        c = (agreed[1] if last else agreed[0][i]) if agreed else None
        domains.append(DomainPair(key=domain["key"], title=f"{domain.get('short', '')} {domain['title']}".strip(),
                                  questions=questions, a=a, b=b, extra=[e for e in extra if e.a or e.b],
                                  consensus=c))
    return entries, domains
