"""From an appraiser's answers to judgements: the proposal of each domain's algorithm, the
appraiser's judgement (the proposal unless they override it with a reason) and the overall one.

Called by the entry and consensus services for forms whose definition carries a tool, so the
proposals are stored beside the answers (both kept) and recomputed from a settled consensus.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import algorithms, tools


@dataclass
class DomainJudgement:
    key: str
    short: str
    title: str
    proposed: str | None
    proposal_reason: str
    confirm: bool
    chosen: str | None  # what the appraiser picked (None: the proposal stands)
    reason: str

    @property
    def final(self) -> str | None:
        return self.chosen or self.proposed

    @property
    def overridden(self) -> bool:
        return bool(self.chosen and self.proposed and self.chosen != self.proposed)


def _by_id(domain: dict, answers: dict) -> dict[str, str]:
    return {q.get("id") or q["key"]: answers.get(q["key"], "") for q in domain["questions"]}


def evaluate(definition: dict, answers: dict, target: str) -> tuple[list[DomainJudgement], DomainJudgement]:
    """Every applicable domain's judgement and the overall one, from the answers given."""
    tool = tools.tool_of(definition)
    out = []
    for domain in tools.domains_for(tool, target):
        algorithm = (domain.get("algorithm") or {}).get("id")
        proposal = algorithms.propose_domain(algorithm, _by_id(domain, answers))
        out.append(DomainJudgement(
            key=domain["key"], short=domain.get("short", ""), title=domain["title"],
            proposed=proposal.judgement if proposal else None, proposal_reason=proposal.reason if proposal else "",
            confirm=bool(proposal and proposal.confirm), chosen=answers.get(f"{domain['key']}_judgement"),
            reason=answers.get(f"{domain['key']}_reason", "")))
    algorithm = (((tool.get("overall") or {}).get("algorithm")) or {}).get("id")
    proposal = algorithms.propose_overall(algorithm, [d.final for d in out], tool["scale"])
    overall = DomainJudgement(
        key="overall", short="Overall", title="Overall", proposed=proposal.judgement if proposal else None,
        proposal_reason=proposal.reason if proposal else "", confirm=bool(proposal and proposal.confirm),
        chosen=answers.get("overall_judgement"), reason=answers.get("overall_reason", ""))
    return out, overall


def derive(definition: dict, answers: dict, target: str) -> dict:
    """The answers with each proposal stored under ``<domain>_proposed`` (and ``overall_proposed``)."""
    domains, overall = evaluate(definition, answers, target)
    out = {k: v for k, v in answers.items() if not k.endswith("_proposed")}
    for judgement in [*domains, overall]:
        if judgement.proposed:
            out[f"{judgement.key}_proposed"] = judgement.proposed
    return out


def problems(definition: dict, answers: dict, target: str) -> list[str]:
    """What stops this appraisal from being marked done (or a consensus from being final)."""
    domains, overall = evaluate(definition, answers, target)
    out = []
    for j in [*domains, overall]:
        name = j.title if j.key != "overall" else "the overall judgement"
        if j.final is None:
            out.append(f"{j.short} {j.title}: a judgement (answer the questions, or choose one)"
                       if j.key != "overall" else "Overall: a judgement")
        elif j.overridden and not j.reason.strip():
            out.append(f"a reason for overriding the proposal on {name}")
        elif j.confirm and not j.chosen:
            out.append(f"{'Overall' if j.key == 'overall' else j.short}: confirm the proposal ({j.proposed}) "
                       "or choose another judgement")
    return out


def final_judgements(definition: dict, answers: dict, target: str) -> tuple[dict[str, str | None], str | None]:
    domains, overall = evaluate(definition, answers, target)
    return {d.key: d.final for d in domains}, overall.final
