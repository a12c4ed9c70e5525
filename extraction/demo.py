"""SYNTHETIC extraction data for the demo review: every included study gets two entries on the
built-in form (by the demo lead and the demo extractor), the few fields they disagree on are
settled by the lead, and the consensus is final. Values are generated from a fixed seed; each
study's notes say they are synthetic. Loading twice changes nothing.

Designs follow a fixed cycle in the order of the studies: of every eleven, five randomised
trials, two non-randomised controlled studies and four uncontrolled pre-post studies (for 77
studies: 35, 14 and 28), so the controlled studies feed the meta-analyses and the pre-post ones
the summaries.

The demo has the shape of the seed review's figures (Barlow et al. 2021): across its 77 studies,
5,660 caregivers (`CAREGIVERS_PER_77`, summed once per study, the sizes drawn then fitted to
it), 9 interventions started in pregnancy (`PREGNANCY_PER_77`, about 12 %), most studies in
North America and Europe, and the change in uncontrolled studies favourable in 70-80 % of them
for every outcome (`PREPOST_UNFAVOURABLE` of them, spread over the studies, go the other way).
With another number of studies the same shares hold, as near as whole studies allow.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from reviewapp.models import Membership
from screening.models import Study

from . import builtin, outcome_data, services
from . import definition as defs
from .models import Entry, Extraction

SEED = 20210930
SYNTHETIC_NOTE = "SYNTHETIC DEMO DATA: generated for trying the review manager; not from a real study."
DESIGN_CYCLE = "RNPRPRNPRPR"
DESIGN_NAMES = {"R": builtin.DESIGNS[0], "N": builtin.DESIGNS[1], "P": builtin.DESIGNS[2]}
PROGRAMMES = {
    builtin.INTERVENTION_CATEGORIES[0]: ["Minding the Baby", "Mentalization-based parenting group", "Family Minds",
                                         "Lighthouse Parenting Programme"],
    builtin.INTERVENTION_CATEGORIES[1]: ["Circle of Security", "Watch, Wait and Wonder", "Attachment and Biobehavioral "
                                         "Catch-up (adapted)", "New Beginnings"],
    builtin.INTERVENTION_CATEGORIES[2]: ["Parent-infant psychotherapy", "Child-parent psychotherapy",
                                         "Mother-infant psychoanalytic treatment", "Brief parent-infant psychotherapy"],
}
COUNTRIES = ["United Kingdom", "United States", "Sweden", "Germany", "Australia", "Netherlands", "Italy", "Canada",
             "Norway", "Denmark", "Finland", "France"]
COUNTRY_WEIGHTS = [18, 16, 8, 6, 6, 4, 4, 4, 3, 3, 2, 2]
REGION_OF = {"United Kingdom": "Europe", "United States": "North America", "Sweden": "Europe", "Germany": "Europe",
             "Australia": "Australia and New Zealand", "Netherlands": "Europe", "Italy": "Europe",
             "Canada": "North America", "Norway": "Europe", "Denmark": "Europe", "Finland": "Europe",
             "France": "Europe"}
CAREGIVERS_PER_77 = 5660
PREGNANCY_PER_77 = 9
PREPOST_UNFAVOURABLE = 0.25
# the smallest sample a design is drawn with; fitting the total scales only what is above it
SMALLEST = {"P": 12, "R": 24, "N": 24}
COMPARATORS = ["Treatment as usual", "Waiting list", "Usual care", "Active control (parenting advice)"]
# outcome -> instruments: (name, higher is better, comparator mean, SD)
INSTRUMENTS = {
    "Parent-infant interaction": [("CARE-Index sensitivity", "Yes", 6.5, 2.8), ("EA Scales", "Yes", 17.0, 4.5)],
    "Parental reflective functioning": [("PRFQ pre-mentalizing", "No", 2.1, 0.8), ("PDI-RF", "Yes", 3.6, 1.1)],
    "Parental depression": [("EPDS", "No", 12.4, 5.1), ("BDI-II", "No", 17.8, 9.2)],
    "Infant development": [("Bayley-III cognitive", "Yes", 98.0, 13.5), ("ASQ-3", "Yes", 48.0, 11.0)],
    "Infant social, emotional and behavioural functioning": [("ASQ:SE-2", "No", 38.0, 21.0),
                                                            ("CBCL 1.5-5 total", "No", 42.0, 18.0)],
    "Infant attachment": [("Strange Situation: secure", "Yes", 0.0, 0.0)],
    "Parenting stress": [("PSI-SF total", "No", 84.0, 19.0)],
}


def _rng(study: Study) -> random.Random:
    return random.Random(f"{SEED}-{study.label}")


def _arm_values(rng: random.Random, mean: float, sd: float, n: int) -> dict:
    return {"n": n, "mean": round(mean + rng.gauss(0, sd / 12), 1), "sd": round(sd * rng.uniform(0.85, 1.15), 1)}


def _result(rng: random.Random, outcome: str, instrument, timepoint: str, design: str, arms: list[dict],
            favourable: bool = True) -> dict:
    name, better, mean, sd = instrument
    g = rng.gauss(0.32, 0.22)  # the synthetic true effect, in favour of the intervention
    if design == "P":  # the plan decides whether the change favours the intervention (see the module's note)
        g = max(abs(g), 0.1) * (1 if favourable else -1)
    row = {"outcome": outcome, "instrument": name, "higher_is_better": better, "timepoint": timepoint}
    if design == "P":
        n = arms[0]["n_randomised"] - rng.randint(0, 5)
        change = g * sd if better == "Yes" else -g * sd
        pre = round(mean + (-sd * 0.3 if better == "Yes" else sd * 0.3), 1)
        row.update(data_type=outcome_data.PREPOST, i_arm=arms[0]["name"], i_n=n, pre_mean=pre,
                   pre_sd=round(sd * rng.uniform(0.85, 1.15), 1), post_mean=round(pre + change, 1),
                   post_sd=round(sd * rng.uniform(0.85, 1.15), 1))
        if rng.random() < 0.3:
            row.update(r=round(rng.uniform(0.4, 0.7), 2), r_source="Reported")
        else:
            row.update(r=0.5, r_source="Assumed")
        return row
    n1 = arms[0]["n_randomised"] - rng.randint(0, 6)
    n2 = arms[1]["n_randomised"] - rng.randint(0, 6)
    row.update(i_arm=arms[0]["name"], c_arm=arms[1]["name"])
    if outcome == "Infant attachment":
        p2 = rng.uniform(0.35, 0.55)
        p1 = min(0.9, p2 + rng.uniform(0.0, 0.2))
        row.update(data_type=outcome_data.DICHOTOMOUS, i_n=n1, i_events=round(p1 * n1), c_n=n2,
                   c_events=round(p2 * n2))
        return row
    if rng.random() < 0.1:  # some studies report only an effect with its CI
        se = (1 / n1 + 1 / n2) ** 0.5
        row.update(data_type=outcome_data.EFFECT, effect_measure="SMD", effect=round(g if better == "Yes" else -g, 2))
        row.update(effect_ci_lb=round(row["effect"] - 1.96 * se, 2), effect_ci_ub=round(row["effect"] + 1.96 * se, 2))
        return row
    shift = g * sd if better == "Yes" else -g * sd
    i, c = _arm_values(rng, mean + shift, sd, n1), _arm_values(rng, mean, sd, n2)
    row.update(data_type=outcome_data.CONTINUOUS, i_n=i["n"], i_mean=i["mean"], c_n=c["n"], c_mean=c["mean"])
    if rng.random() < 0.15:  # a few report SEs instead of SDs
        row.update(i_se=round(i["sd"] / i["n"] ** 0.5, 2), c_se=round(c["sd"] / c["n"] ** 0.5, 2))
    else:
        row.update(i_sd=i["sd"], c_sd=c["sd"])
    return row


def _child_age(drawn: float, in_pregnancy: bool) -> float:
    """Months at the start: negative (before birth) exactly when the intervention started in pregnancy."""
    if in_pregnancy:
        return round(-0.5 - abs(drawn) % 6, 1)
    return round(abs(drawn), 1)


def started_in_pregnancy(index: int, studies: int) -> bool:
    """Whether the intervention of the index-th of ``studies`` started in pregnancy: 9 of every 77,
    spread over the studies (for 77, 9 * index mod 77 takes each value below 77 once)."""
    if studies == 77:
        return (index * PREGNANCY_PER_77) % 77 < PREGNANCY_PER_77
    return (index + 1) * PREGNANCY_PER_77 // 77 > index * PREGNANCY_PER_77 // 77


def demo_answers(study: Study, index: int, outcome_names: list[str], *, n_total: int | None = None,
                 pregnancy: bool | None = None, unfavourable: frozenset[str] = frozenset()) -> dict:
    """The consensus answers of one synthetic study; the plan (`demo_plan`) fixes its number of
    caregivers, whether it started in pregnancy and, if uncontrolled, which outcomes' change goes
    against the intervention."""
    rng = _rng(study)
    design = DESIGN_CYCLE[index % len(DESIGN_CYCLE)]
    category = rng.choices(builtin.INTERVENTION_CATEGORIES, weights=[3, 4, 5])[0]
    drawn = rng.randint(24, 220) if design != "P" else rng.randint(12, 90)
    n_total = drawn if n_total is None else n_total
    if design == "P":
        arms = [{"name": rng.choice(PROGRAMMES[category]), "role": "Intervention", "n_randomised": n_total,
                 "sessions": rng.randint(6, 40)}]
    else:
        k = 3 if rng.random() < 0.1 else 2
        share = n_total // k
        arms = [{"name": rng.choice(PROGRAMMES[category]), "role": "Intervention", "n_randomised": share,
                 "sessions": rng.randint(6, 40)}]
        arms += [{"name": name, "role": "Comparator", "n_randomised": share}
                 for name in rng.sample(COMPARATORS, k - 1)]
    timepoints = [{"label": "Post-treatment", "months_from_baseline": float(rng.choice([3, 6, 9, 12]))}]
    if rng.random() < 0.4:
        timepoints.append({"label": "Follow-up", "months_from_baseline": timepoints[0]["months_from_baseline"] + 6})
    # attachment is a share of secure children: compared between groups, not before and after
    candidates = [o for o in outcome_names if o in INSTRUMENTS and (design != "P" or o != "Infant attachment")]
    measured = rng.sample(candidates, k=min(len(candidates), rng.randint(2, 4)))
    outcomes, rows = [], []
    for outcome in measured:
        instrument = rng.choice(INSTRUMENTS[outcome])
        outcomes.append({"outcome": outcome, "instrument": instrument[0]})
        for t in timepoints:
            rows.append(_result(rng, outcome, instrument, t["label"], design, arms,
                                favourable=outcome not in unfavourable))
    drawn_pregnancy = rng.choices(defs.YNU, weights=[2, 7, 1])[0]
    if pregnancy is not None:  # the plan's; a study it says did not start in pregnancy may be unclear
        drawn_pregnancy = "Yes" if pregnancy else ("Unclear" if drawn_pregnancy == "Unclear" else "No")
    country = rng.choices(COUNTRIES, weights=COUNTRY_WEIGHTS)[0]
    answers = {
        "design": DESIGN_NAMES[design], "intervention_category": category, "programme": arms[0]["name"],
        "started_in_pregnancy": drawn_pregnancy,
        "participants": rng.choices(builtin.PARTICIPANTS, weights=[12, 1, 3, 1])[0],
        "setting": sorted(rng.sample(builtin.SETTINGS, rng.choice([1, 1, 2])), key=builtin.SETTINGS.index),
        "format": rng.choices(builtin.FORMATS, weights=[6, 3, 1])[0],
        "country": country, "region": REGION_OF[country],
        "n_caregivers": n_total, "child_age_months": _child_age(rng.uniform(-3, 30), drawn_pregnancy == "Yes"),
        "presenting_difficulties": sorted(rng.sample(builtin.DIFFICULTIES[:5], rng.randint(1, 3)),
                                          key=builtin.DIFFICULTIES.index),
        "arms": arms, "timepoints": timepoints, "outcomes_measured": outcomes, "outcome_data": rows,
        "notes": SYNTHETIC_NOTE,
    }
    return answers


def fitted_sizes(drawn: list[int], designs: list[str], total: int) -> list[int]:
    """The drawn sample sizes scaled to add up to ``total``: only the part above each design's
    smallest size is scaled, and the rounding remainder goes to the largest fractions."""
    floors = [SMALLEST[d] for d in designs]
    spare = sum(n - f for n, f in zip(drawn, floors, strict=True))
    factor = (total - sum(floors)) / spare if spare else 0.0
    exact = [f + (n - f) * factor for n, f in zip(drawn, floors, strict=True)]
    sizes = [int(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: exact[i] - sizes[i], reverse=True)[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _spread(k: int, share: float) -> set[int]:
    """Which of k positions (from 0) take the minority, evenly spread: about ``share`` of them, and
    where whole positions allow, between share - 5 and share + 5 percentage points."""
    fits = [u for u in range(k + 1) if abs(u / k - share) <= 0.05 + 1e-9] if k else [0]
    u = min(fits, key=lambda u: abs(u - k * share)) if fits else round(k * share)
    return {i for i in range(k) if (i + 1) * u // k > i * u // k}


@dataclass(frozen=True)
class StudyPlan:
    n_total: int
    pregnancy: bool
    unfavourable: frozenset[str]


def demo_plan(studies: list[Study], outcome_names: list[str]) -> list[StudyPlan]:
    """What the whole demo must add up to, fixed before any study is written (see the module's note)."""
    first = [demo_answers(study, i, outcome_names) for i, study in enumerate(studies)]
    designs = [DESIGN_CYCLE[i % len(DESIGN_CYCLE)] for i in range(len(studies))]
    total = round(CAREGIVERS_PER_77 * len(studies) / 77)
    sizes = fitted_sizes([a["n_caregivers"] for a in first], designs, total) if studies else []
    against: dict[int, set[str]] = {}
    for outcome in outcome_names:
        measuring = [i for i, a in enumerate(first) if designs[i] == "P"
                     and any(r["outcome"] == outcome for r in a["outcome_data"])]
        for position in _spread(len(measuring), PREPOST_UNFAVOURABLE):
            against.setdefault(measuring[position], set()).add(outcome)
    return [StudyPlan(n_total=sizes[i], pregnancy=started_in_pregnancy(i, len(studies)),
                      unfavourable=frozenset(against.get(i, ()))) for i in range(len(studies))]


def _second_reading(study: Study, answers: dict) -> dict:
    """The second extractor's entry: the same, except a slip in about one study in three."""
    rng = random.Random(f"{SEED}-second-{study.label}")
    changed = {**answers}
    slip = rng.random()
    if slip < 0.15:
        changed["n_caregivers"] = answers["n_caregivers"] + rng.choice([-2, -1, 1, 10])
    elif slip < 0.25:
        changed["format"] = next(f for f in builtin.FORMATS if f != answers["format"])
    elif slip < 0.33 and answers["outcome_data"]:
        rows = [dict(r) for r in answers["outcome_data"]]
        rows[0]["timepoint"] = rows[0]["timepoint"].lower()
        changed["outcome_data"] = rows
    return changed


def demo_extraction_load(*, review, lead) -> None:
    """Consensus extractions for every included study of the demo review; what is done stays."""
    template = services.template_create_builtin(actor=lead, review=review)
    extractor = (Membership.objects.filter(review=review, role=Membership.Role.EXTRACTOR)
                 .exclude(user=lead).select_related("user").order_by("user__username").first())
    if extractor is None:
        return
    second = extractor.user
    names = list(review.outcomes.values_list("name", flat=True))
    studies = list(Study.objects.filter(review=review).order_by("id"))
    plan = demo_plan(studies, names)
    for index, study in enumerate(studies):
        extraction = Extraction.objects.filter(template=template, study=study, target="").first()
        if extraction is not None and extraction.status == Extraction.Status.DONE:
            continue
        with transaction.atomic():
            answers = demo_answers(study, index, names, n_total=plan[index].n_total,
                                   pregnancy=plan[index].pregnancy, unfavourable=plan[index].unfavourable)
            for user, values in ((lead, answers), (second, _second_reading(study, answers))):
                entry = Entry.objects.filter(extraction__template=template, extraction__study=study, user=user).first()
                if entry is not None and entry.done:
                    continue
                result = services.entry_save(actor=user, template=template, study=study, done=True, answers=values)
                if not result.saved:
                    raise RuntimeError(f"demo data for {study.label} refused: {result.errors}")
            extraction = Extraction.objects.get(template=template, study=study, target="")
            _, _, differ = services.differences(extraction)
            for path in differ:
                if not extraction.settlements.filter(path=path).exists():
                    services.settlement_record(actor=lead, extraction=extraction, path=path, choice="a",
                                               note="Checked against the report (synthetic demo).")
            services.consensus_finalise(actor=lead, extraction=extraction)
