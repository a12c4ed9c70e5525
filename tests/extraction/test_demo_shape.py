"""The demo has the seed review's shape: 77 studies, 5,660 caregivers summed once per study, 9
interventions (about 12 %) started in pregnancy, the three categories, the seven outcomes, most
studies in North America and Europe, and pre-post change favourable in 70-80 % for every outcome.
The figures are read where a user reads them: the summaries and the analyses' runs."""
from __future__ import annotations

from collections import Counter

from extraction import builtin, demo, selectors, summaries
from reviewapp.demo import DEMO_OUTCOMES
from screening.models import Study

NAMES = [name for name, _, _ in DEMO_OUTCOMES]


def _planned(n: int) -> list[dict]:
    studies = [Study(id=i + 1, label=f"Synthetic {i:02d}") for i in range(n)]
    plan = demo.demo_plan(studies, NAMES)
    return [demo.demo_answers(s, i, NAMES, n_total=p.n_total, pregnancy=p.pregnancy, unfavourable=p.unfavourable)
            for i, (s, p) in enumerate(zip(studies, plan, strict=True))]


def test_the_plan_adds_up_to_the_seeds_figures_for_77_studies():
    answers = _planned(77)
    assert sum(a["n_caregivers"] for a in answers) == 5660
    assert Counter(a["started_in_pregnancy"] for a in answers)["Yes"] == 9
    assert all((a["child_age_months"] < 0) == (a["started_in_pregnancy"] == "Yes") for a in answers)
    assert min(a["n_caregivers"] for a in answers) >= min(demo.SMALLEST.values())


def test_the_sizes_fit_the_total_without_going_below_the_smallest():
    sizes = demo.fitted_sizes([24, 220, 12, 90, 100], ["R", "R", "P", "P", "N"], 300)
    assert sum(sizes) == 300 and sizes[0] == 24 and sizes[2] == 12 and sizes[1] > sizes[4] > sizes[3]


def loaded_demo_states_the_seeds_figures(review) -> None:
    """The loaded demo's figures, as the summaries, the runs and the report state them. Run by
    tests/screening/test_demo_and_command.py on its load of the whole demo (a load takes a minute or
    two, so CI pays it once for both)."""
    from analysis import selectors as analysis_selectors

    described = selectors.described_studies(review=review)
    assert len(described.studies) == 77 and not described.without_consensus
    fields = {f.key: summaries.summarise(f, described.studies) for f in described.fields}

    caregivers = fields["n_caregivers"]
    assert caregivers.sum == 5660 and caregivers.n == 77 and not caregivers.missing
    pregnancy = {v.value: v for v in fields["started_in_pregnancy"].values}
    assert pregnancy["Yes"].count == 9 and round(pregnancy["Yes"].percent) == 12
    categories = {v.value: v.count for v in fields["intervention_category"].values}
    assert list(categories) == builtin.INTERVENTION_CATEGORIES and all(categories.values())
    regions = {v.value: v.count for v in fields["region"].values}
    assert regions["North America"] + regions["Europe"] > 77 / 2
    assert max(regions, key=regions.get) in ("North America", "Europe")
    participants = {v.value: v.count for v in fields["participants"].values}
    assert max(participants, key=participants.get) == "Mothers"
    outcomes = summaries.outcome_frequencies(described.studies, described.outcome_names)
    assert sorted(o.outcome for o in outcomes) == sorted(NAMES) and all(o.count for o in outcomes)

    shares = {}
    for analysis in analysis_selectors.analyses_list(review=review):
        run = analysis_selectors.last_run(analysis=analysis, done=True)
        prepost = (run.results or {}).get("prepost") if run else None
        if prepost:
            shares[analysis.outcome.name] = prepost["share"]
    assert set(shares) == set(NAMES) - {"Infant attachment"}  # attachment is compared between groups only
    assert all(0.7 <= share <= 0.8 for share in shares.values()), shares

    # The report the lead hands on states the same figures (its default picks are these fields).
    from analysis.report import gather

    report, _, _ = gather.report(review=review, roles={"lead"})
    text = " ".join(b.text for s in report.sections for b in s.blocks if b.kind == "paragraph")
    assert "The review included 77 studies" in text and "Number of caregivers: 5,660 in total" in text
    assert "Yes 9 of 77 (12%)" in text and all(c in text for c in builtin.INTERVENTION_CATEGORIES)
    assert "Europe 50 of 77" in text and "North America 21 of 77" in text
    assert all(f"{name}: {report.numbers['outcome:' + name]['k']} studies" in text for name in NAMES)
    low, high = min(shares.values()), max(shares.values())
    assert f"favourable in {low * 100:.0f}% to {high * 100:.0f}% of them" in text
    assert not report.stale_outcomes and not report.missing_outcomes
