"""The facts of the review's report, fetched from the apps' selectors (the Django side of
report.builder): the protocol and the log for the methods, PRISMA counts, the descriptive
summaries, the appraisal figures and each outcome's represented run for the results.

The report is computed when it is read, so its descriptive numbers are always today's; what can
be out of date is a pooled result (a run made before the data changed: the run is named and
flagged) and the lead's paragraphs (written against figures that have changed since: named)."""
from __future__ import annotations

import platform

import numpy
import scipy
from django.urls import reverse

from extraction import selectors as extraction_selectors
from extraction import summaries
from extraction.appraisal import figures as rob_figures
from extraction.appraisal import selectors as appraisal_selectors
from extraction.models import Extraction
from reviewapp.models import Review
from screening import prisma, prisma_diagram
from screening import rules as screening_rules
from screening import selectors as screening_selectors
from screening.models import ScreeningSettings, Search

from ..sof import selectors as sof_selectors
from . import builder
from .models import ReportText

# The characteristics a report summarises until the lead picks: the seed review's key findings
# (the built-in form's keys); a form without any of them summarises all its fields.
DEFAULT_PICKS = ("design", "intervention_category", "started_in_pregnancy", "participants", "region",
                 "n_caregivers")


def report_text(*, review: Review) -> ReportText | None:
    return ReportText.objects.filter(review=review).first()


def picked_fields(described, stored: ReportText | None) -> list:
    """The summary fields the report shows, in the form's order: the lead's picks, else the defaults."""
    if stored is not None and stored.summary_fields is not None:
        wanted = set(stored.summary_fields)
    else:
        wanted = {f.key for f in described.fields} & set(DEFAULT_PICKS) or {f.key for f in described.fields}
    return [f for f in described.fields if f.key in wanted]


def _links(review: Review) -> dict[str, str]:
    pk = review.pk
    return {"searches": reverse("search_list", args=[pk]), "appendix": reverse("search_appendix", args=[pk]),
            "agreement": reverse("agreement", args=[pk]), "extraction": reverse("extraction_home", args=[pk]),
            "appraisal": reverse("appraisal_home", args=[pk]), "analyses": reverse("analysis_list", args=[pk]),
            "prisma": reverse("prisma", args=[pk]), "prisma_svg": reverse("prisma_svg", args=[pk]),
            "prisma_box": reverse("prisma_box", args=[pk, "BOX"]).replace("BOX", "{box}"),
            "summaries": reverse("extraction_summaries", args=[pk]), "sof": reverse("sof", args=[pk])}


def _agreement(review: Review, roles: set[str]) -> list[builder.AgreementFact] | None:
    if not screening_rules.may_read_agreement(roles=roles):
        return None
    out = []
    for stage, pairs, a in screening_selectors.agreement_by_stage(review=review):
        finite = a.kappa == a.kappa  # nan when both always chose one category
        out.append(builder.AgreementFact(stage=stage, n=a.n, percent=a.percent, kappa=a.kappa if finite else None,
                                         kappa_ci=a.kappa_ci if finite else (None, None), pabak=a.pabak, pairs=pairs))
    return out


def _extraction_facts(review: Review, described) -> dict:
    template = described.template
    if template is None:
        return {}
    done = Extraction.objects.filter(template=template, status=Extraction.Status.DONE, target="")
    twice = sum(1 for e in done.prefetch_related("entries") if len(e.entries.all()) >= 2)
    tools = [t for t in appraisal_selectors.tool_templates(review=review)
             if Extraction.objects.filter(template=t, status=Extraction.Status.DONE).exists()]
    return {"form_name": template.name, "form_version": template.current_version.number,
            "extracted": len(described.studies), "extracted_twice": twice, "tools": [t.name for t in tools]}


def _rob_figures(review: Review) -> list[builder.Figure]:
    out = []
    for t in appraisal_selectors.tool_templates(review=review):
        rows, columns, scale, title = appraisal_selectors.figure_data(template=t)
        if rows:
            svg = rob_figures.summary_svg(rows=rows, columns=columns, scale=scale, title=title, weighted=False)
            caption = f"Risk of bias: {t.name} ({builder.count(len(rows), 'appraisal', 'appraisals')})"
            out.append(builder.Figure(
                caption=caption, svg=svg, href=reverse("appraisal_figures", args=[review.pk, t.pk]),
                src=reverse("appraisal_figure", args=[review.pk, t.pk, "summary", "svg"]) + "?inline=1"))
    return out


def _outcomes(review: Review) -> tuple[list[builder.OutcomeFact], list[dict]]:
    facts, specs = [], []
    for row in sof_selectors.sof_rows(review=review, with_staleness=True):
        fact = builder.OutcomeFact(outcome=row.outcome.name, analysis=row.analysis.name if row.analysis else "",
                                   grade_href=reverse("sof", args=[review.pk]) + f"#outcome-{row.outcome.pk}")
        if row.analysis is not None:
            specs.append(row.analysis.spec())
        run = row.run
        if run is not None and run.results and run.results.get("summary"):
            s = run.results["summary"]
            fact.run_number, fact.k, fact.participants = run.number, row.k, row.participants
            fact.effect, fact.level = row.relative, row.level
            fact.pval, fact.i2 = s.get("pval"), s.get("I2")
            fact.certainty, fact.symbols, fact.stale = row.certainty_label, row.symbols, row.stale
            fact.prepost = run.results.get("prepost")
            fact.run_href = reverse("analysis_run_detail", args=[review.pk, run.pk])
        facts.append(fact)
    return facts, specs


def software() -> str:
    return (f"the review manager's own meta-analysis engine (analysis.stats, on Python {platform.python_version()}, "
            f"NumPy {numpy.__version__} and SciPy {scipy.__version__})")


def report_facts(*, review: Review, roles: set[str]) -> builder.ReportFacts:
    """Everything the report states, as the reader ``roles`` may see it."""
    stored = report_text(review=review)
    described = extraction_selectors.described_studies(review=review)
    cfg = ScreeningSettings.objects.filter(review=review).first() or ScreeningSettings()
    counts = prisma.prisma_counts(review=review)
    outcomes, specs = _outcomes(review)
    return builder.ReportFacts(
        title=review.title, question=review.question, search_from=review.search_from, search_to=review.search_to,
        planned_databases=[line.strip() for line in review.planned_databases.splitlines() if line.strip()],
        searches=[builder.SearchFact(database=s.database, platform=s.platform, date_run=s.date_run)
                  for s in Search.objects.filter(review=review).order_by("date_run", "id")],
        reviewers_per_record=cfg.reviewers_per_record, blind=cfg.blind, agreement=_agreement(review, roles),
        **_extraction_facts(review, described),
        analyses=specs, software=software(), prisma=counts,
        prisma_svg=prisma_diagram.svg(counts, title=f"PRISMA 2020 flow diagram: {review.title}"),
        studies=len(described.studies),
        summaries=[summaries.summarise(f, described.studies) for f in picked_fields(described, stored)],
        outcome_frequencies=summaries.outcome_frequencies(described.studies, described.outcome_names),
        rob_figures=_rob_figures(review), outcomes=outcomes,
        texts={key: getattr(stored, key) for key in builder.TEXT_KEYS} if stored else {},
        links=_links(review))


def report(*, review: Review, roles: set[str]) -> tuple[builder.Report, ReportText | None, list[str]]:
    """(the report, the lead's stored texts, the figures that changed since the lead last saved)."""
    stored = report_text(review=review)
    built = builder.build(report_facts(review=review, roles=roles))
    changed = builder.changed_numbers(stored.numbers_seen if stored else None, built.numbers)
    return built, stored, changed
