"""SYNTHETIC risk-of-bias appraisals for the demo review: every included study with a final
extraction is appraised twice (by the demo lead and the demo extractor) with the tool its design
calls for (from the extraction consensus): RoB 2 per result (effect of assignment) for randomised
trials, ROBINS-I for non-randomised controlled studies, the built-in pre-post checklist for
uncontrolled pre-post studies. In about one appraisal in four the two disagree on one signalling
question; the lead settles each difference and finalises. Judgements follow a fixed seed with a
spread like that of psychotherapy trials (blinding of self-reported outcomes is rarely possible).
Loading twice changes nothing.
"""
from __future__ import annotations

import random

from django.db import transaction

from reviewapp.models import Membership
from screening.models import Study

from .. import services as extraction_services
from ..models import AppraisalTool, Entry, Extraction, FormTemplate
from . import services, tools

SEED = 20211001
NOTE = "SYNTHETIC DEMO APPRAISAL: not a judgement of a real study."
TOOL_BY_DESIGN = tools.TOOL_BY_DESIGN
RESULTS_PER_TRIAL = 2

# RoB 2: answers that lead each domain's algorithm to low / some concerns / high, and how often.
ROB2_PATTERNS = {
    "d1": ({"q1_1": "Y", "q1_2": "PY", "q1_3": "N"}, {"q1_1": "Y", "q1_2": "NI", "q1_3": "PN"},
           {"q1_1": "PY", "q1_2": "N", "q1_3": "PN"}),
    "d2": ({"q2_1": "Y", "q2_2": "Y", "q2_3": "PN", "q2_4": "NA", "q2_5": "NA", "q2_6": "Y", "q2_7": "NA"},
           {"q2_1": "Y", "q2_2": "Y", "q2_3": "NI", "q2_4": "NA", "q2_5": "NA", "q2_6": "Y", "q2_7": "NA"},
           {"q2_1": "Y", "q2_2": "Y", "q2_3": "PN", "q2_4": "NA", "q2_5": "NA", "q2_6": "N", "q2_7": "PY"}),
    "d3": ({"q3_1": "Y", "q3_2": "NA", "q3_3": "NA", "q3_4": "NA"},
           {"q3_1": "N", "q3_2": "PN", "q3_3": "PY", "q3_4": "PN"},
           {"q3_1": "N", "q3_2": "N", "q3_3": "Y", "q3_4": "PY"}),
    "d4": ({"q4_1": "N", "q4_2": "N", "q4_3": "N", "q4_4": "NA", "q4_5": "NA"},
           {"q4_1": "N", "q4_2": "PN", "q4_3": "Y", "q4_4": "PY", "q4_5": "PN"},
           {"q4_1": "N", "q4_2": "PN", "q4_3": "Y", "q4_4": "Y", "q4_5": "PY"}),
    "d5": ({"q5_1": "Y", "q5_2": "N", "q5_3": "PN"}, {"q5_1": "NI", "q5_2": "PN", "q5_3": "PN"},
           {"q5_1": "N", "q5_2": "PY", "q5_3": "PN"}),
}
ROB2_WEIGHTS = {"d1": (8, 2, 0.5), "d2": (7, 3, 0.4), "d3": (6, 3, 1), "d4": (4, 5, 1), "d5": (6, 4, 0.4)}
ROBINS_WEIGHTS = (4, 6, 0.8, 0.1, 0.3)  # low, moderate, serious, critical, no information
CHECKLIST_WEIGHTS = (5, 4, 1.2)


def _rob2_answers(rng: random.Random) -> dict:
    answers = {}
    for key, patterns in ROB2_PATTERNS.items():
        answers.update(rng.choices(patterns, weights=ROB2_WEIGHTS[key])[0])
    answers["q1_2_note"] = rng.choice(["Central telephone randomisation (synthetic).",
                                       "Sealed envelopes, no detail on their order (synthetic)."])
    answers["q4_3_note"] = "Parents reported the outcome and knew their allocation (synthetic)."
    return answers


def _direct_answers(rng: random.Random, tool: dict, levels: list[str], weights) -> dict:
    """Tools without domain algorithms: plausible answers and the appraiser's domain judgements."""
    answers = {}
    for domain in tool["domains"]:
        judgement = rng.choices(levels, weights=weights)[0]
        answers[f"{domain['key']}_judgement"] = judgement
        good = levels.index(judgement) == 0
        for q in domain["questions"]:
            choices = tools.question_choices(tool, q)
            answers[q["key"]] = choices[0] if good or rng.random() < 0.5 else choices[rng.randint(1, 2)]
    return answers


def _confirm(definition: dict, answers: dict, target: str) -> dict:
    """Settle what the tool leaves to the appraiser (several domains with some concerns, or no
    information): confirm the proposal, or call it high when four or more domains raise concerns."""
    from .judgements import evaluate

    domains, overall = evaluate(definition, answers, target)
    if overall.confirm and not answers.get("overall_judgement"):
        concerns = sum(1 for d in domains if d.final == "Some concerns")
        if concerns >= 4:
            answers = {**answers, "overall_judgement": "High",
                       "overall_reason": f"Some concerns in {concerns} domains together lower confidence "
                                         "substantially (synthetic)."}
        else:
            answers = {**answers, "overall_judgement": overall.proposed}
    return answers


def _second(rng: random.Random, tool: dict, answers: dict, target: str) -> dict:
    """The other appraiser: the same, except one signalling question answered differently now and then."""
    changed = {**answers, "overall_reason": answers.get("overall_reason", "")}
    if rng.random() < 0.25:
        domain = rng.choice(tools.domains_for(tool, target))
        q = rng.choice(domain["questions"])
        options = [c for c in tools.question_choices(tool, q) if c != answers.get(q["key"]) and c != "NA"]
        changed[q["key"]] = rng.choice(options)
    return {k: v for k, v in changed.items() if v}


def _appraise(*, template: FormTemplate, study: Study, target: str, first, second, answers_a: dict,
              answers_b: dict, lead) -> None:
    extraction = Extraction.objects.filter(template=template, study=study, target=target).first()
    if extraction is not None and extraction.status == Extraction.Status.DONE:
        return
    definition = template.current_version.definition
    with transaction.atomic():
        for user, answers in ((first, answers_a), (second, answers_b)):
            entry = Entry.objects.filter(extraction__template=template, extraction__study=study,
                                         extraction__target=target, user=user).first()
            if entry is not None and entry.done:
                continue
            answers = _confirm(definition, answers, target)
            result = services.appraisal_save(actor=user, template=template, study=study, target=target, done=True,
                                             answers=answers)
            if not result.saved:
                raise RuntimeError(f"demo appraisal of {study.label} {target} refused: {result.errors}")
        extraction = Extraction.objects.get(template=template, study=study, target=target)
        _, _, differ = extraction_services.differences(extraction)
        for path in differ:
            if not extraction.settlements.filter(path=path).exists():
                extraction_services.settlement_record(actor=lead, extraction=extraction, path=path, choice="a",
                                                      note="Checked against the report (synthetic demo).")
        extraction_services.consensus_finalise(actor=lead, extraction=extraction)


def demo_appraisal_load(*, review, lead) -> None:
    """Consensus appraisals of every included study with a final extraction; what is done stays."""
    extractor = (Membership.objects.filter(review=review, role=Membership.Role.EXTRACTOR).exclude(user=lead)
                 .select_related("user").order_by("user__username").first())
    if extractor is None:
        return
    services.builtin_tools_load()
    templates = {}
    for slug in sorted(set(TOOL_BY_DESIGN.values())):
        tool = AppraisalTool.objects.filter(slug=slug).order_by("-created_at").first()
        templates[slug] = services.tool_form_add(actor=lead, review=review, tool=tool)
    extractions = (Extraction.objects.filter(review=review, template__kind=FormTemplate.Kind.EXTRACTION, target="",
                                             status=Extraction.Status.DONE)
                   .select_related("study").order_by("study_id"))
    for extraction in extractions:
        study, consensus = extraction.study, extraction.consensus or {}
        slug = TOOL_BY_DESIGN.get(consensus.get("design"))
        if slug is None:
            continue
        template = templates[slug]
        tool = tools.tool_of(template.current_version.definition)
        if slug == "rob2-parallel":
            measured = [m["outcome"] for m in consensus.get("outcomes_measured") or []][:RESULTS_PER_TRIAL]
            targets = [tools.target_make(outcome, "assignment") for outcome in measured]
        else:
            targets = [""]
        for target in targets:
            rng = random.Random(f"{SEED}-{study.label}-{target}")
            if slug == "rob2-parallel":
                answers = _rob2_answers(rng)
            else:
                weights = ROBINS_WEIGHTS if slug == "robins-i" else CHECKLIST_WEIGHTS
                answers = _direct_answers(rng, tool, tools.judgement_levels(tool), weights)
            answers["overall_reason"] = ""
            answers = {k: v for k, v in answers.items() if v}
            first_note = {**answers, "q1_1_note": NOTE}
            _appraise(template=template, study=study, target=target, first=lead, second=extractor.user,
                      answers_a=first_note, answers_b=_second(rng, tool, first_note, target), lead=lead)
