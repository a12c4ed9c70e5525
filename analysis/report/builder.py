"""The review's report as sections of sentences, tables and figures, written from facts the app
has already computed (gather.py fetches them). Pure: no Django.

Every number a sentence states is a `Span` with the address of the page it comes from, so the
page links it and the API names it; the Word file writes the same spans as text. `numbers` holds
the headline figures by name (the API's body, the tests' handle and the fingerprint the lead's
paragraphs are saved against).
"""
from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from gettext import ngettext
from typing import Any

from ..wording import ci_label, num, pvalue

TEXT_KEYS = ("background", "discussion", "conclusions")
TEXT_TITLES = {"background": "Background", "discussion": "Discussion", "conclusions": "Conclusions"}
STAGE_WORDS = {"ta": "title and abstract", "ft": "full text"}
METHOD_WORDS = {"REML": "restricted maximum likelihood (REML)", "DL": "the DerSimonian-Laird estimator",
                "PM": "the Paule-Mandel estimator", "ML": "maximum likelihood", "SJ": "the Sidik-Jonkman estimator",
                "HE": "the Hedges estimator"}
TEST_WORDS = {"z": "z tests", "knha": "the Knapp-Hartung adjustment (t tests)"}
MEASURE_WORDS = {"SMD": "standardised mean differences (Hedges' g)", "MD": "mean differences", "OR": "odds ratios",
                 "RR": "risk ratios", "RD": "risk differences", "SMCR": "standardised mean changes"}


@dataclass(frozen=True)
class Span:
    text: str
    href: str = ""


@dataclass
class Paragraph:
    spans: list[Span]
    kind = "paragraph"

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    href: str = ""
    kind = "table"

    def labelled_rows(self) -> list[list[tuple[str, str]]]:
        """Each row's cells with their column's heading (a phone shows the table as cards)."""
        return [list(zip(self.header, row, strict=False)) for row in self.rows]


@dataclass
class Figure:
    caption: str
    svg: str
    href: str = ""
    src: str = ""  # the figure's own SVG address, which the page shows as an image
    kind = "figure"


@dataclass
class Section:
    key: str
    title: str
    blocks: list = field(default_factory=list)  # Paragraph, Table or Figure
    level: int = 1


# -- the facts ------------------------------------------------------------------------------

@dataclass
class SearchFact:
    database: str
    platform: str
    date_run: datetime.date


@dataclass
class AgreementFact:
    stage: str  # "ta" or "ft"
    n: int
    percent: float
    kappa: float | None
    kappa_ci: tuple[float | None, float | None]
    pabak: float
    pairs: int


@dataclass
class OutcomeFact:
    outcome: str
    analysis: str = ""  # "" when no analysis represents the outcome
    run_number: int | None = None
    k: int = 0
    participants: int | None = None
    effect: str = ""  # the pooled effect and its interval in words (analysis.wording)
    pval: float | None = None
    i2: float | None = None
    level: float = 95
    certainty: str = ""
    symbols: str = ""
    stale: bool = False
    prepost: dict | None = None
    run_href: str = ""
    grade_href: str = ""


@dataclass
class ReportFacts:
    title: str
    question: str = ""
    search_from: datetime.date | None = None
    search_to: datetime.date | None = None
    planned_databases: list[str] = field(default_factory=list)
    searches: list[SearchFact] = field(default_factory=list)
    reviewers_per_record: int = 2
    blind: bool = True
    agreement: list[AgreementFact] | None = None  # None: not shown to this reader
    form_name: str = ""
    form_version: int | None = None
    extracted: int = 0  # studies with a final consensus
    extracted_twice: int = 0  # of them, extracted by two people
    tools: list[str] = field(default_factory=list)
    analyses: list[dict] = field(default_factory=list)  # each analysis' spec
    software: str = ""
    prisma: Any = None  # screening.prisma.PrismaCounts
    prisma_svg: str = ""
    studies: int = 0
    summaries: list = field(default_factory=list)  # extraction.summaries Choice/NumberSummary, duck-typed
    outcome_frequencies: list = field(default_factory=list)
    rob_figures: list[Figure] = field(default_factory=list)
    outcomes: list[OutcomeFact] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    sections: list[Section]
    numbers: dict[str, Any]
    stale_outcomes: list[str]
    missing_outcomes: list[str]


# -- small writers ----------------------------------------------------------------------------

def count(n: int, one: str, many: str) -> str:
    return f"{n:,} {ngettext(one, many, n)}"


def percent(part: float, whole: float, digits: int = 1) -> str:
    return f"{100 * part / whole:.{digits}f}%" if whole else "NA"


def when(d: datetime.date | None) -> str:
    return f"{d.day} {d:%B %Y}" if d else ""


def listing(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def paragraphs_of(text: str) -> list[Paragraph]:
    """The lead's text: paragraphs are separated by blank lines; the text stays text."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n")]
    return [Paragraph([Span(" ".join(line.strip() for line in b.splitlines()))]) for b in blocks if b]


def _lead_section(facts: ReportFacts, key: str) -> Section:
    body = paragraphs_of(facts.texts.get(key, ""))
    if not body:
        body = [Paragraph([Span(f"(The lead has not written the {TEXT_TITLES[key].lower()} yet.)")])]
    return Section(key=key, title=TEXT_TITLES[key], blocks=body)


# -- methods ------------------------------------------------------------------------------------

def _searches(facts: ReportFacts) -> Paragraph:
    link = facts.links.get("searches", "")
    if not facts.searches:
        planned = listing(facts.planned_databases)
        return Paragraph([Span("No search is recorded yet" + (f"; the protocol plans {planned}." if planned else "."))])
    names = [s.database + (f" via {s.platform}" if s.platform and s.platform != s.database else "")
             for s in facts.searches]
    dates = sorted(s.date_run for s in facts.searches)
    ran = f"on {when(dates[0])}" if dates[0] == dates[-1] else f"between {when(dates[0])} and {when(dates[-1])}"
    spans = [Span("We searched "), Span(count(len({s.database for s in facts.searches}), "database", "databases"),
                                         link),
             Span(f" ({listing(names)}) {ran}")]
    if facts.search_from or facts.search_to:
        period = (f"from {when(facts.search_from)} to {when(facts.search_to)}" if facts.search_from and facts.search_to
                  else (f"from {when(facts.search_from)}" if facts.search_from else f"up to {when(facts.search_to)}"))
        spans.append(Span(f", for reports published {period}"))
    spans.append(Span(". The full strategies, limits and dates are in the "))
    spans.append(Span("search appendix", facts.links.get("appendix", "")))
    spans.append(Span("."))
    return Paragraph(spans)


def _selection(facts: ReportFacts) -> list[Paragraph]:
    who = ("two reviewers independently" if facts.reviewers_per_record >= 2 else "one reviewer")
    blind = ", blind to each other's decisions," if facts.blind and facts.reviewers_per_record >= 2 else ""
    out = [Paragraph([Span(f"Each record was screened by {who}{blind} at title and abstract and again at full "
                           "text; disagreements were resolved by a lead.")])]
    if facts.agreement is None:
        out.append(Paragraph([Span("(Agreement between the screeners is shown to the review's leads.)")]))
        return out
    link = facts.links.get("agreement", "")
    for a in facts.agreement:
        spans = [Span(f"At {STAGE_WORDS.get(a.stage, a.stage)}, the screeners agreed on "),
                 Span(f"{a.percent:.1f}% of {count(a.n, 'record', 'records')}", link),
                 Span(" both screened")]
        if a.kappa is not None:
            lo, hi = a.kappa_ci
            spans.append(Span(" (Cohen's kappa "))
            spans.append(Span(f"{a.kappa:.2f}", link))
            if lo is not None and hi is not None:
                spans.append(Span(f", 95% CI {lo:.2f} to {hi:.2f}"))
            spans.append(Span(f"; PABAK {a.pabak:.2f})"))
        if a.pairs > 1:
            spans.append(Span(f", over {count(a.pairs, 'pair', 'pairs')} of reviewers"))
        spans.append(Span("."))
        out.append(Paragraph(spans))
    return out


def _extraction(facts: ReportFacts) -> Paragraph:
    spans = []
    if facts.form_name:
        version = f" (version {facts.form_version})" if facts.form_version else ""
        spans += [Span(f"Data were extracted on the form “{facts.form_name}”{version} for "),
                  Span(count(facts.extracted, "study", "studies"), facts.links.get("extraction", "")),
                  Span(" with a final consensus")]
        if facts.extracted and facts.extracted_twice == facts.extracted:
            spans.append(Span(", each by two people independently, their differences settled by a lead. "))
        else:
            spans.append(Span(f"; {facts.extracted_twice:,} of them by two people independently, their "
                              "differences settled by a lead. "))
    if facts.tools:
        spans += [Span("Risk of bias was appraised with "),
                  Span(listing(facts.tools), facts.links.get("appraisal", "")),
                  Span(", each final judgement a consensus.")]
    return Paragraph(spans or [Span("No extraction form is published yet.")])


def _analysis_methods(facts: ReportFacts) -> list[Paragraph]:
    if not facts.analyses:
        return [Paragraph([Span("No analysis is defined yet.")])]
    out = []
    kinds: dict[tuple, list[str]] = {}
    for spec in facts.analyses:
        key = (spec["measure"], spec["method"], spec["test"], tuple(spec["designs"]), spec.get("level", 95),
               bool(spec.get("exclude_high_risk")))
        kinds.setdefault(key, []).append(spec["outcome"])
    for (measure, method, test, designs, level, no_high), outcomes in kinds.items():
        every = len(kinds) == 1 and len(set(outcomes)) >= len(facts.outcomes)
        which = "every outcome" if every else listing([o.lower() for o in dict.fromkeys(outcomes)])
        model = ("a common-effect model" if method in ("EE", "FE")
                 else f"a random-effects model, the between-study variance (τ²) estimated by "
                      f"{METHOD_WORDS.get(method, method)} with its Q-profile interval")
        text = (f"For {which}, {MEASURE_WORDS.get(measure, measure)} were pooled with {model}, "
                f"using {TEST_WORDS.get(test, test)} and {level:g}% confidence intervals; heterogeneity is "
                f"reported as I² and τ². ")
        controlled = set(designs) <= {"Randomised controlled trial", "Non-randomised controlled study"}
        if controlled:
            text += ("Only controlled studies (" + listing([d.lower() for d in designs]) + ") entered the pooled "
                     "analyses; uncontrolled pre-post studies were summarised by the share whose change favoured the "
                     "intervention, with a Wilson score interval. ")
        else:
            text += "Studies of these designs entered: " + listing([d.lower() for d in designs]) + ". "
        if no_high:
            text += "Results at high risk of bias were left out. "
        out.append(Paragraph([Span(text.strip())]))
    out.append(Paragraph([Span("Analyses were run by "), Span(facts.software, facts.links.get("analyses", "")),
                          Span("; its estimates equal those of R's metafor 3.8 (rma.uni, run to convergence) to "
                               "10⁻⁶ relative, as the project's benchmarks check. Certainty of the evidence was "
                               "rated with GRADE.")]))
    return out


def methods(facts: ReportFacts) -> Section:
    blocks: list = []
    if facts.question:
        blocks.append(Paragraph([Span(f"The review asked: {facts.question}")]))
    blocks.append(_searches(facts))
    blocks += _selection(facts)
    blocks.append(_extraction(facts))
    blocks += _analysis_methods(facts)
    return Section(key="methods", title="Methods", blocks=blocks)


# -- results ------------------------------------------------------------------------------------

def _prisma(facts: ReportFacts) -> list:
    c = facts.prisma
    if c is None:
        return []
    box = facts.links.get("prisma_box", "")  # ends with "{box}/"

    def at(name: str) -> str:
        return box.replace("{box}", name) if box else ""

    identified = c.identified + c.identified_other
    screened = c.records_screened + c.other.records_screened
    assessed = c.main.assessed + c.other.assessed
    spans = [Span("The searches found "), Span(count(identified, "record", "records"), at("identified_databases")),
             Span("; "),
             Span(count(c.duplicates_removed, "duplicate was", "duplicates were"), at("duplicates_removed")),
             Span(" removed, "), Span(f"{screened:,}", at("records_screened")),
             Span(" screened by title and abstract (of which "),
             Span(f"{c.records_excluded:,}", at("records_excluded")),
             Span(" excluded), "), Span(count(assessed, "full text", "full texts"), at("reports_assessed")),
             Span(" assessed and "), Span(f"{c.main.excluded + c.other.excluded:,}", at("reports_excluded")),
             Span(" excluded with reasons; "), Span(count(c.studies_included, "study", "studies"),
                                                  at("studies_included")),
             Span(" in "), Span(count(c.reports_included, "report", "reports"), at("reports_included")),
             Span(" were included (figure 1, the "), Span("PRISMA 2020 flow diagram", facts.links.get("prisma", "")),
             Span(").")]
    out: list = [Paragraph(spans)]
    reasons = sorted(c.main.excluded_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    if reasons:
        out.append(Table(caption="Full texts excluded, by reason", header=["Reason", "Full texts"],
                         rows=[[r, f"{n:,}"] for r, n in reasons], href=facts.links.get("prisma", "")))
    if facts.prisma_svg:
        out.append(Figure(caption="Figure 1. PRISMA 2020 flow diagram", svg=facts.prisma_svg,
                          href=facts.links.get("prisma", ""), src=facts.links.get("prisma_svg", "")))
    return out


def _value_phrase(v, total: int) -> str:
    return f"{v.value} {v.count:,} of {total:,} ({percent(v.count, total, 0)})"


def _summary_blocks(s, href: str) -> list:
    f = s.field
    if f.kind == "number":
        if not s.n:
            return [Paragraph([Span(f"{f.label}: no study reports it.")])]
        unit = f" {f.unit}" if f.unit else ""
        total = f"{s.sum:,.0f}" if float(s.sum).is_integer() else f"{s.sum:,.2f}"
        spans = [Span(f"{f.label}: "), Span(f"{total}{unit}", href),
                 Span(f" in total across {count(s.n, 'study', 'studies')} (median {s.median:g}{unit}, range "
                      f"{s.minimum:g} to {s.maximum:g})")]
        if s.missing:
            spans.append(Span(f"; missing in {count(len(s.missing), 'study', 'studies')}"))
        spans.append(Span("."))
        return [Paragraph(spans)]
    values = [v for v in s.values if v.count]
    spans = [Span(f"{f.label}: ")]
    for i, v in enumerate(sorted(values, key=lambda v: -v.count)):
        spans.append(Span("; " if i else ""))
        spans.append(Span(_value_phrase(v, s.total), href))
    if s.missing:
        spans.append(Span(f"; missing in {count(len(s.missing), 'study', 'studies')}"))
    if f.multiple:
        spans.append(Span(" (a study can have several, so the shares add up to more than 100%)"))
    spans.append(Span("."))
    rows = [[v.value, f"{v.count:,}", percent(v.count, s.total)] for v in s.values]
    if s.missing:
        rows.append(["(missing)", f"{len(s.missing):,}", percent(len(s.missing), s.total)])
    return [Paragraph(spans), Table(caption=f.label, header=[f.label, "Studies", "%"], rows=rows, href=href)]


def _included(facts: ReportFacts) -> list:
    link = facts.links.get("summaries", "")
    out: list = [Paragraph([Span("The review included "), Span(count(facts.studies, "study", "studies"), link),
                            Span(" with a final consensus on the extraction form.")])]
    for s in facts.summaries:
        out += _summary_blocks(s, f"{link}#{'number' if s.field.kind == 'number' else 'choice'}-{s.field.key}")
    measured = [o for o in facts.outcome_frequencies if o.count]
    if measured:
        href = f"{link}#outcomes"
        spans = [Span("The outcomes measured most often were ")]
        for i, o in enumerate(measured):
            spans.append(Span((" and " if i == len(measured) - 1 else ", ") if i else ""))
            spans.append(Span(f"{o.outcome.lower()} ({count(o.count, 'study', 'studies')})", href))
        spans.append(Span("."))
        out.append(Paragraph(spans))
    return out


def outcome_sentence(o: OutcomeFact) -> Paragraph:
    if not o.run_number:
        why = "no analysis is defined for it" if not o.analysis else "its analysis has no finished run"
        return Paragraph([Span(f"{o.outcome}: not pooled yet ({why}).")])
    spans = [Span(f"{o.outcome}: "),
             Span(count(o.k, "study", "studies") + (f" ({o.participants:,} participants)" if o.participants else ""),
                  o.run_href),
             Span(", "), Span(o.effect, o.run_href), Span(", "), Span(pvalue(o.pval), o.run_href),
             Span(", "), Span(f"I² = {num(o.i2, 0)}%", o.run_href)]
    if o.certainty:
        spans += [Span("; certainty of the evidence "),
                  Span(f"{o.certainty.lower()} {o.symbols}".strip(), o.grade_href)]
    spans.append(Span("."))
    pp = o.prepost
    if pp:
        spans += [Span(f" Of {count(pp['k'], 'uncontrolled pre-post study', 'uncontrolled pre-post studies')}, "),
                  Span(f"{pp['favourable']} ({pp['share'] * 100:.0f}%, {ci_label(pp.get('level', o.level))} "
                       f"{pp['ci_lb'] * 100:.0f}% to {pp['ci_ub'] * 100:.0f}%)", o.run_href),
                  Span(" changed in the favourable direction.")]
    if o.stale:
        spans.append(Span(f" Out of date: the data changed since run {o.run_number}; run the analysis again.",
                          o.run_href))
    return Paragraph(spans)


def _effects(facts: ReportFacts) -> list:
    out: list = [outcome_sentence(o) for o in facts.outcomes]
    shares = [o.prepost["share"] for o in facts.outcomes if o.prepost]
    if shares:
        lo, hi = min(shares), max(shares)
        span = f"{lo * 100:.0f}%" if round(lo * 100) == round(hi * 100) else f"{lo * 100:.0f}% to {hi * 100:.0f}%"
        out.append(Paragraph([Span("Across outcomes, the change in uncontrolled pre-post studies was favourable in "),
                              Span(span, facts.links.get("analyses", "")), Span(" of them.")]))
    rows = [[o.outcome, f"{o.k}" if o.run_number else "", f"{o.participants:,}" if o.participants else "",
             o.effect, pvalue(o.pval) if o.run_number else "", f"{num(o.i2, 0)}%" if o.run_number else "",
             o.certainty, "out of date" if o.stale else ""] for o in facts.outcomes]
    if rows:
        out.append(Table(caption="Pooled results per outcome (controlled studies)",
                         header=["Outcome", "Studies", "Participants", "Effect", "p", "I²", "Certainty", "Note"],
                         rows=rows, href=facts.links.get("sof", "")))
    return out


def results(facts: ReportFacts) -> list[Section]:
    rob = [Paragraph([Span("Risk of bias, by domain, across the appraised studies (from the "),
                      Span("appraisal figures", facts.links.get("appraisal", "")), Span(").")])]
    rob += facts.rob_figures or [Paragraph([Span("No appraisal is final yet.")])]
    return [Section(key="results", title="Results"),
            Section(key="selection", title="Study selection", blocks=_prisma(facts), level=2),
            Section(key="included", title="Included studies", blocks=_included(facts), level=2),
            Section(key="risk_of_bias", title="Risk of bias", blocks=rob, level=2),
            Section(key="effects", title="Effects of the interventions", blocks=_effects(facts), level=2)]


# -- the whole -------------------------------------------------------------------------------

def headline_numbers(facts: ReportFacts) -> dict[str, Any]:
    """The figures the report states, by name."""
    c = facts.prisma
    numbers: dict[str, Any] = {"studies": facts.studies}
    if c is not None:
        numbers.update(records_identified=c.identified + c.identified_other, duplicates_removed=c.duplicates_removed,
                       records_screened=c.records_screened + c.other.records_screened,
                       records_excluded=c.records_excluded, reports_assessed=c.main.assessed + c.other.assessed,
                       reports_excluded=c.main.excluded + c.other.excluded, studies_included=c.studies_included,
                       reports_included=c.reports_included)
    for s in facts.summaries:
        if s.field.kind == "number":
            numbers[f"{s.field.key}.sum"] = s.sum
        else:
            for v in s.values:
                numbers[f"{s.field.key}={v.value}"] = v.count
    for o in facts.outcomes:
        numbers[f"outcome:{o.outcome}"] = ({"run": o.run_number, "k": o.k, "participants": o.participants,
                                            "pval": o.pval, "I2": o.i2, "certainty": o.certainty,
                                            "prepost_favourable": (o.prepost or {}).get("favourable")}
                                           if o.run_number else None)
    return numbers


def changed_numbers(saved: dict | None, now: dict) -> list[str]:
    """The names of the figures that differ from those the lead's paragraphs were saved with."""
    if not saved:
        return []
    return sorted(k for k in set(saved) | set(now) if saved.get(k) != now.get(k))


def build(facts: ReportFacts) -> Report:
    sections = [_lead_section(facts, "background"), methods(facts), *results(facts),
                _lead_section(facts, "discussion"), _lead_section(facts, "conclusions")]
    return Report(sections=sections, numbers=headline_numbers(facts),
                  stale_outcomes=[o.outcome for o in facts.outcomes if o.stale],
                  missing_outcomes=[o.outcome for o in facts.outcomes if not o.run_number])


def number_label(key: str) -> str:
    """A headline figure's name in words, for the list of figures that changed."""
    if key.startswith("outcome:"):
        return f"the pooled result of {key[len('outcome:'):]}"
    if key.endswith(".sum"):
        return f"the total of {key[:-4]}"
    if "=" in key:
        field_key, value = key.split("=", 1)
        return f"the studies with {field_key} “{value}”"
    return key.replace("_", " ")
