"""SYNTHETIC extraction data for the demo review: every included study gets two entries on the
built-in form (by the demo lead and the demo extractor), the few fields they disagree on are
settled by the lead, and the consensus is final. Values are generated from a fixed seed; each
study's notes say they are synthetic. Loading twice changes nothing.

Designs follow a fixed cycle in the order of the studies: of every eleven, five randomised
trials, two non-randomised controlled studies and four uncontrolled pre-post studies (for 77
studies: 35, 14 and 28), so the controlled studies feed the meta-analyses and the pre-post ones
the summaries.
"""
from __future__ import annotations

import random

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


def _result(rng: random.Random, outcome: str, instrument, timepoint: str, design: str, arms: list[dict]) -> dict:
    name, better, mean, sd = instrument
    g = rng.gauss(0.32, 0.22)  # the synthetic true effect, in favour of the intervention
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


def demo_answers(study: Study, index: int, outcome_names: list[str]) -> dict:
    """The consensus answers of one synthetic study."""
    rng = _rng(study)
    design = DESIGN_CYCLE[index % len(DESIGN_CYCLE)]
    category = rng.choices(builtin.INTERVENTION_CATEGORIES, weights=[3, 4, 5])[0]
    n_total = rng.randint(24, 220) if design != "P" else rng.randint(12, 90)
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
            rows.append(_result(rng, outcome, instrument, t["label"], design, arms))
    answers = {
        "design": DESIGN_NAMES[design], "intervention_category": category, "programme": arms[0]["name"],
        "started_in_pregnancy": rng.choices(defs.YNU, weights=[2, 7, 1])[0],
        "participants": rng.choices(builtin.PARTICIPANTS, weights=[12, 1, 3, 1])[0],
        "setting": sorted(rng.sample(builtin.SETTINGS, rng.choice([1, 1, 2])), key=builtin.SETTINGS.index),
        "format": rng.choices(builtin.FORMATS, weights=[6, 3, 1])[0],
        "country": rng.choices(COUNTRIES, weights=COUNTRY_WEIGHTS)[0],
        "n_caregivers": n_total, "child_age_months": round(rng.uniform(-3, 30), 1),
        "presenting_difficulties": sorted(rng.sample(builtin.DIFFICULTIES[:5], rng.randint(1, 3)),
                                          key=builtin.DIFFICULTIES.index),
        "arms": arms, "timepoints": timepoints, "outcomes_measured": outcomes, "outcome_data": rows,
        "notes": SYNTHETIC_NOTE,
    }
    return answers


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
    for index, study in enumerate(Study.objects.filter(review=review).order_by("id")):
        extraction = Extraction.objects.filter(template=template, study=study, target="").first()
        if extraction is not None and extraction.status == Extraction.Status.DONE:
            continue
        with transaction.atomic():
            answers = demo_answers(study, index, names)
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
