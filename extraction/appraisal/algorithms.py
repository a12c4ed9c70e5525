"""The algorithms that propose a risk-of-bias judgement from the answers to signalling questions.

Pure Python, no Django. Each algorithm is named by an id that tool definitions refer to (with a
version), takes the answers of one domain as ``{question id: answer}`` (e.g. ``{"1.1": "Y"}``) and
returns a `Proposal`, or None while an answer it needs is missing. Overall algorithms take the
domain judgements in the tool's order.

The RoB 2 rules follow the 2019 guidance's decision diagrams as ../shared/DOMAIN.md reads them
(Sterne et al., BMJ 2019;366:l4898; full guidance of 22 August 2019). A proposal is only a
proposal: the appraiser may override it with a reason, and both are kept.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

YES = frozenset({"Y", "PY"})
NO = frozenset({"N", "PN"})
NI = "NI"
LOW, SOME, HIGH = "Low", "Some concerns", "High"
MODERATE, SERIOUS, CRITICAL, NO_INFORMATION = "Moderate", "Serious", "Critical", "No information"


@dataclass(frozen=True)
class Proposal:
    judgement: str
    reason: str
    # The guidance leaves this one to the appraiser (e.g. several domains with some concerns may
    # or may not lower confidence enough for High): the form asks them to confirm or override.
    confirm: bool = False


class MissingAnswer(Exception):
    """An answer the algorithm needs is not given yet."""


def _get(answers: Mapping[str, str], qid: str) -> str:
    value = answers.get(qid) or ""
    if not value:
        raise MissingAnswer(qid)
    return value


def _yes(answers, qid) -> bool:
    return _get(answers, qid) in YES


def _no(answers, qid) -> bool:
    return _get(answers, qid) in NO


def _answered(answers, qid) -> str:
    """The answer, with an unanswered or not-applicable question read as 'NA'."""
    return answers.get(qid) or "NA"


# -- RoB 2 domains ----------------------------------------------------------------

def rob2_d1(a: Mapping[str, str]) -> Proposal:
    """Randomisation process: 1.1 random sequence, 1.2 concealment, 1.3 baseline imbalance."""
    if _no(a, "1.2"):
        return Proposal(HIGH, "Allocation was not concealed (1.2).")
    if _get(a, "1.2") == NI:
        if _yes(a, "1.3"):
            return Proposal(HIGH, "No information on concealment and baseline imbalances suggest a problem (1.2, 1.3).")
        return Proposal(SOME, "No information on concealment of the allocation (1.2).")
    # 1.2 is Y/PY
    if _yes(a, "1.3"):
        return Proposal(SOME, "Baseline imbalances suggest a problem with randomisation (1.3).")
    if _no(a, "1.1"):
        return Proposal(SOME, "Concealed allocation, but the sequence was not random (1.1).")
    return Proposal(LOW, "Random, concealed allocation without worrying baseline imbalances.")


def _rob2_d2_assignment_part1(a) -> Proposal:
    if _no(a, "2.1") and _no(a, "2.2"):
        return Proposal(LOW, "Participants and carers were unaware of the assignment (2.1, 2.2).")
    q23 = _get(a, "2.3")
    if q23 in NO:
        return Proposal(LOW, "No deviations arose because of the trial context (2.3).")
    if q23 == NI:
        return Proposal(SOME, "No information on deviations because of the trial context (2.3).")
    if _no(a, "2.4"):
        return Proposal(SOME, "Deviations arose but were unlikely to affect the outcome (2.4).")
    if _yes(a, "2.5"):
        return Proposal(SOME, "Deviations that could affect the outcome were balanced between groups (2.5).")
    return Proposal(HIGH, "Deviations likely to affect the outcome were not balanced between groups (2.4, 2.5).")


def _rob2_d2_assignment_part2(a) -> Proposal:
    if _yes(a, "2.6"):
        return Proposal(LOW, "An appropriate analysis estimated the effect of assignment (2.6).")
    if _no(a, "2.7"):
        return Proposal(SOME, "The analysis was not appropriate, without a substantial impact (2.6, 2.7).")
    return Proposal(HIGH, "An inappropriate analysis with a potentially substantial impact (2.6, 2.7).")


def _combine_parts(*parts: Proposal) -> Proposal:
    for level in (HIGH, SOME):
        found = [p for p in parts if p.judgement == level]
        if found:
            return Proposal(level, " ".join(p.reason for p in found))
    return Proposal(LOW, " ".join(p.reason for p in parts))


def rob2_d2_assignment(a: Mapping[str, str]) -> Proposal:
    """Deviations, effect of assignment: part one (2.1-2.5) and part two (2.6-2.7), worse one wins."""
    return _combine_parts(_rob2_d2_assignment_part1(a), _rob2_d2_assignment_part2(a))


def rob2_d2_assignment_crossover(a: Mapping[str, str]) -> Proposal:
    """Crossover trials: as the parallel-group domain, plus carry-over (2.0): too short a wash-out
    is High, no information on it at least Some concerns."""
    base = rob2_d2_assignment(a)
    q20 = _get(a, "2.0")
    if q20 in NO:
        return Proposal(HIGH, "Not enough time for carry-over effects to disappear (2.0).")
    if q20 == NI and base.judgement == LOW:
        return Proposal(SOME, "No information on carry-over (2.0).")
    return base


def rob2_d2_adhering(a: Mapping[str, str]) -> Proposal:
    """Deviations, effect of adhering: a problem is awareness without balanced non-protocol
    interventions (2.3), failed implementation (2.4) or non-adherence (2.5); with a problem, an
    appropriate analysis (2.6) gives Some concerns, otherwise High."""
    problems = []
    if not (_no(a, "2.1") and _no(a, "2.2")) and _answered(a, "2.3") not in YES | {"NA"}:
        problems.append("non-protocol interventions not shown to be balanced (2.3)")
    if _answered(a, "2.4") not in NO | {"NA"}:
        problems.append("failures in implementing the intervention (2.4)")
    if _answered(a, "2.5") not in NO | {"NA"}:
        problems.append("non-adherence that could affect the outcome (2.5)")
    if not problems:
        return Proposal(LOW, "No deviations that could affect the effect of adhering.")
    text = "; ".join(problems)
    if _yes(a, "2.6"):
        return Proposal(SOME, f"Problems ({text}), but an appropriate analysis (2.6).")
    return Proposal(HIGH, f"Problems ({text}) without an appropriate analysis (2.6).")


def rob2_d3(a: Mapping[str, str]) -> Proposal:
    """Missing outcome data: 3.1 nearly all data, 3.2 evidence of no bias, 3.3 could depend on the
    true value, 3.4 likely did."""
    if _yes(a, "3.1"):
        return Proposal(LOW, "Outcome data for all or nearly all participants (3.1).")
    if _yes(a, "3.2"):
        return Proposal(LOW, "Evidence that the result is not biased by missing data (3.2).")
    if _no(a, "3.3"):
        return Proposal(LOW, "Missingness could not depend on the true value (3.3).")
    if _no(a, "3.4"):
        return Proposal(SOME, "Missingness could, but is unlikely to, depend on the true value (3.4).")
    return Proposal(HIGH, "Missingness likely depends on the true value of the outcome (3.4).")


def rob2_d4(a: Mapping[str, str]) -> Proposal:
    """Measurement of the outcome: 4.1 inappropriate method, 4.2 differing between groups, 4.3
    assessors aware, 4.4 could be influenced, 4.5 likely influenced. With 4.2 NI the best reachable
    judgement is Some concerns."""
    if _yes(a, "4.1"):
        return Proposal(HIGH, "The method of measuring the outcome was inappropriate (4.1).")
    q42 = _get(a, "4.2")
    if q42 in YES:
        return Proposal(HIGH, "Measurement could have differed between groups (4.2).")
    best = SOME if q42 == NI else LOW
    why = " No information on whether measurement differed between groups (4.2)." if q42 == NI else ""
    if _no(a, "4.3"):
        return Proposal(best, "Outcome assessors were unaware of the intervention (4.3)." + why)
    if _no(a, "4.4"):
        return Proposal(best, "Knowing the intervention could not influence the assessment (4.4)." + why)
    if _no(a, "4.5"):
        return Proposal(SOME, "Knowing the intervention could, but is unlikely to, influence the assessment (4.5)."
                        + why)
    return Proposal(HIGH, "Assessment was likely influenced by knowing the intervention (4.5).")


def rob2_d5(a: Mapping[str, str]) -> Proposal:
    """Selection of the reported result: 5.1 pre-specified plan, 5.2 and 5.3 selection from several
    measurements or analyses."""
    q52, q53 = _get(a, "5.2"), _get(a, "5.3")
    if q52 in YES or q53 in YES:
        return Proposal(HIGH, "The result was likely selected from several measurements or analyses (5.2, 5.3).")
    if q52 == NI or q53 == NI:
        return Proposal(SOME, "No information on selection from several measurements or analyses (5.2, 5.3).")
    if _yes(a, "5.1"):
        return Proposal(LOW, "Analysed as pre-specified, with no sign of a selected result.")
    return Proposal(SOME, "No pre-specified analysis plan, or no information on one (5.1).")


def rob2_d1b(a: Mapping[str, str]) -> Proposal:
    """Cluster trials, timing of identification and recruitment: 1b.1 everyone identified before
    randomisation, 1b.2 knowing the assignment could affect recruitment, 1b.3 baseline differences."""
    imbalance = _get(a, "1b.3")
    if _yes(a, "1b.1") or _no(a, "1b.2"):
        if imbalance in YES:
            return Proposal(SOME, "Recruitment was not driven by the assignment, but baseline differences (1b.3).")
        return Proposal(LOW, "Participants identified before randomisation, or recruitment unaffected by it.")
    if imbalance in YES:
        return Proposal(HIGH, "Recruitment could know the assignment and baseline differences suggest it did (1b.3).")
    return Proposal(SOME, "Recruitment could have been affected by knowing the assignment (1b.2).")


# -- overall ---------------------------------------------------------------------

def rob2_overall(domains: Sequence[str | None]) -> Proposal:
    """Low if every domain is low; High if any is high; otherwise Some concerns, which the appraiser
    confirms when several domains have some concerns (that may lower confidence enough for High)."""
    if any(d is None for d in domains):
        raise MissingAnswer("domain")
    if HIGH in domains:
        return Proposal(HIGH, "At least one domain at high risk.")
    some = sum(1 for d in domains if d == SOME)
    if some >= 2:
        return Proposal(SOME, f"Some concerns in {some} domains: judge whether together they lower confidence in "
                        "the result substantially (then High).", confirm=True)
    if some == 1:
        return Proposal(SOME, "Some concerns in one domain, none high.")
    return Proposal(LOW, "Low risk in every domain.")


def robins_i_overall(domains: Sequence[str | None]) -> Proposal:
    """The most severe domain; No information (to confirm) when a domain lacks information and none
    is serious or critical (the guidance keeps it for missing information in key domains)."""
    if any(d is None for d in domains):
        raise MissingAnswer("domain")
    for level in (CRITICAL, SERIOUS):
        if level in domains:
            return Proposal(level, f"At least one domain at {level.lower()} risk.")
    if NO_INFORMATION in domains:
        return Proposal(NO_INFORMATION, "Some domains lack information and none is serious or critical: keep "
                        "No information if a key domain lacks it, otherwise judge from the others.", confirm=True)
    if MODERATE in domains:
        return Proposal(MODERATE, "Low or moderate risk in every domain.")
    return Proposal(LOW, "Low risk in every domain.")


def worst_domain(domains: Sequence[str | None], scale: Sequence[str]) -> Proposal:
    """For a tool with an ordered scale (best first): the worst domain judgement."""
    if any(d is None for d in domains):
        raise MissingAnswer("domain")
    ranked = [d for d in domains if d in scale]
    if not ranked:
        raise MissingAnswer("domain")
    worst = max(ranked, key=list(scale).index)
    return Proposal(worst, f"The worst domain judgement ({worst}).")


DOMAIN_ALGORITHMS: dict[str, Callable[[Mapping[str, str]], Proposal]] = {
    "rob2.d1": rob2_d1,
    "rob2.d1b": rob2_d1b,
    "rob2.d2.assignment": rob2_d2_assignment,
    "rob2.d2.assignment.crossover": rob2_d2_assignment_crossover,
    "rob2.d2.adhering": rob2_d2_adhering,
    "rob2.d3": rob2_d3,
    "rob2.d4": rob2_d4,
    "rob2.d5": rob2_d5,
}
OVERALL_ALGORITHMS = {"rob2.overall", "robins_i.overall", "worst_domain"}


def propose_domain(algorithm_id: str | None, answers: Mapping[str, str]) -> Proposal | None:
    """The proposal of a domain algorithm, or None (no algorithm, or answers still missing)."""
    if not algorithm_id:
        return None
    try:
        return DOMAIN_ALGORITHMS[algorithm_id](answers)
    except MissingAnswer:
        return None


def propose_overall(algorithm_id: str | None, domains: Sequence[str | None], scale: Sequence[str]) -> Proposal | None:
    try:
        if algorithm_id == "rob2.overall":
            return rob2_overall(domains)
        if algorithm_id == "robins_i.overall":
            return robins_i_overall(domains)
        if algorithm_id == "worst_domain":
            return worst_domain(domains, scale)
    except MissingAnswer:
        return None
    return None
