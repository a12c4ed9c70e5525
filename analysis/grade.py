"""GRADE certainty of one outcome's body of evidence, proposed from the data (plain Python, no Django).

``propose(GradeInput) -> GradeProposal``: the start level and, per domain, a proposed change
(0, -1 serious, -2 very serious) with the sentence that grounds it. The lead confirms or changes
each (analysis.sof.services); indirectness and the three upgrades are never proposed from data.

Sources of the rules and thresholds (DOMAIN.md, "GRADE"; the GRADE guidelines series in
J Clin Epidemiol 2011):
- start: Balshem H et al. 64:401 (randomised high, observational low). A mixed body starts by the
  majority of its weight; a non-randomised body starts high as well when every non-randomised
  study was appraised with ROBINS-I, whose "moderate"/"serious"/"critical" then carry the design's
  risk into the risk-of-bias domain (Schünemann HJ et al., GRADE guidelines 18, J Clin Epidemiol
  2019;111:105). Non-randomised studies without such an appraisal count as high risk of bias when
  the body starts high, so they cannot raise certainty by riding on randomised weight.
- risk of bias: Guyatt GH et al. 64:407 (guidelines 4), judged on the share of the meta-analysis'
  weight; RISK_* thresholds below.
- inconsistency: Guyatt GH et al. 64:1294 (guidelines 7) with I2 bands of the Cochrane Handbook
  section 10.10.2 and the prediction interval against the null (Cochrane Handbook 10.10.4.3).
- imprecision: Guyatt GH et al. 64:1283 (guidelines 6): the CI against the null and the threshold
  (minimal important difference, MID) the lead sets, and the optimal information size (OIS).
- publication bias: Guyatt GH et al. 64:1277 (guidelines 5); Egger's test at p < 0.10 (Egger M et
  al., BMJ 1997;315:629) and trim-and-fill, both only from 10 studies (Cochrane Handbook 13.3.5.4).

OIS: the total sample size of one trial with 80 % power at two-sided alpha 0.05 (Guyatt 2011,
guidelines 6). Continuous: 4 (z_0.975 + z_0.8)^2 / delta^2, delta the MID in SD units (SMD's MID
itself; MD's MID / SD). Binary: 2 (z_0.975 + z_0.8)^2 (p0 (1 - p0) + p1 (1 - p1)) / (p0 - p1)^2,
p0 the assumed control risk, p1 = p0 (1 - RRR) with a relative risk reduction of 25 % unless set.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from gettext import ngettext  # the standard library's: this core imports no Django

from scipy.stats import norm

from .wording import ci_label

RATIO = ("OR", "RR")
START_HIGH, START_LOW = 4, 2
LEVELS = {4: "High", 3: "Moderate", 2: "Low", 1: "Very low"}
SYMBOLS = {4: "⊕⊕⊕⊕", 3: "⊕⊕⊕◯", 2: "⊕⊕◯◯", 1: "⊕◯◯◯"}

#: no effect on the scale the engine pools on (the log scale for ratios)
NULL = 0.0

DOWN = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
UP = ("large_effect", "dose_response", "confounding")
DOMAINS = DOWN + UP
DOMAIN_LABELS = {"risk_of_bias": "Risk of bias", "inconsistency": "Inconsistency", "indirectness": "Indirectness",
                 "imprecision": "Imprecision", "publication_bias": "Publication bias",
                 "large_effect": "Large effect", "dose_response": "Dose-response gradient",
                 "confounding": "Plausible confounding"}

#: risk of bias: -2 when more than half the weight is at high risk; -1 when a quarter or more is,
#: or when most weight is not at low risk (GRADE guidelines 4: rate down when the studies that
#: carry most of the information have limitations).
RISK_VERY_SERIOUS_HIGH = 0.50
RISK_SERIOUS_HIGH = 0.25
RISK_SERIOUS_NOT_LOW = 0.50
#: inconsistency, Cochrane Handbook 10.10.2: 30-60 % moderate, 50-90 % substantial, 75-100 % considerable
I2_MODERATE, I2_SUBSTANTIAL, I2_CONSIDERABLE = 30.0, 50.0, 75.0
#: Egger's test: 0.10, the level Egger 1997 proposed for its low power
EGGER_ALPHA = 0.10
MIN_K_FUNNEL = 10
#: OIS: alpha 0.05 two-sided, power 0.80; relative risk reduction for binary outcomes
ALPHA, POWER, DEFAULT_RRR = 0.05, 0.80, 0.25


@dataclass(frozen=True)
class StudyEvidence:
    label: str
    weight: float  # the meta-analysis weight (any scale; shares are taken)
    randomised: bool
    rob: str | None = None  # the overall judgement in lower case; None when not appraised
    # where the judgement stands on its tool's scale (its order and high_risk_from, never its words)
    high_risk: bool = False
    low_risk: bool = False  # the scale's best level
    robins: bool = False  # appraised with ROBINS-I


@dataclass(frozen=True)
class GradeInput:
    measure: str  # SMD, MD, OR, RR, RD, SMCR; ratios on the log scale
    studies: tuple[StudyEvidence, ...]
    estimate: float
    ci_lb: float
    ci_ub: float
    pi_lb: float | None = None
    pi_ub: float | None = None
    I2: float | None = None
    I2_ci: tuple[float, float] | None = None
    tau2: float | None = None
    participants: int | None = None
    mid: float | None = None  # on the measure's shown scale: SMD/MD units, a ratio (e.g. 1.25), RD
    sd: float | None = None  # for MD's OIS
    control_risk: float | None = None  # 0..1, for binary OIS
    rrr: float = DEFAULT_RRR
    egger_p: float | None = None
    trimfill_k0: int | None = None
    trimfill_ci: tuple[float, float] | None = None
    level: float = 95  # of every interval above (CI, PI, I2's and tau2's)

    @property
    def k(self) -> int:
        return len(self.studies)


@dataclass(frozen=True)
class Proposal:
    domain: str
    change: int  # 0, -1, -2 (down) or 0, +1, +2 (up)
    reason: str
    from_data: bool = True

    @property
    def label(self) -> str:
        return DOMAIN_LABELS[self.domain]


@dataclass(frozen=True)
class GradeProposal:
    start: int
    start_reason: str
    proposals: dict[str, Proposal] = field(default_factory=dict)

    def certainty(self, changes: dict[str, int] | None = None) -> int:
        """The level (1-4) after the proposals, or after ``changes`` where given per domain."""
        changes = changes or {}
        total = sum(changes.get(d, p.change) for d, p in self.proposals.items())
        return max(1, min(4, self.start + total))


def level_name(level: int) -> str:
    return LEVELS[level]


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _shown(measure: str, x: float) -> float:
    return math.exp(x) if measure in RATIO else x


def _fmt(measure: str, x: float) -> str:
    return f"{_shown(measure, x):.2f}"


# -- start -------------------------------------------------------------------------------

def start_level(data: GradeInput) -> tuple[int, str]:
    total = sum(s.weight for s in data.studies) or 1.0
    randomised = sum(s.weight for s in data.studies if s.randomised) / total
    nrs = [s for s in data.studies if not s.randomised]
    if randomised >= 0.5:
        why = (f"randomised trials carry {_pct(randomised)} of the weight" if nrs
               else "all studies are randomised trials")
        return START_HIGH, f"High: {why}."
    if nrs and all(s.robins for s in nrs):
        return START_HIGH, (f"High: randomised trials carry {_pct(randomised)} of the weight, but every "
                            "non-randomised study was appraised with ROBINS-I, whose judgements carry the "
                            "design's risk into risk of bias (GRADE guidelines 18).")
    return START_LOW, (f"Low: observational evidence carries {_pct(1 - randomised)} of the weight "
                       "and not every such study has a ROBINS-I appraisal.")


# -- risk of bias ------------------------------------------------------------------------

def risk_of_bias(data: GradeInput, start: int) -> Proposal:
    total = sum(s.weight for s in data.studies) or 1.0
    high = low = 0.0
    unappraised = 0
    for s in data.studies:
        is_high, is_low = s.high_risk, s.low_risk
        if s.rob is None:
            unappraised += 1
            # a non-randomised study the body started high with must show its risk; else some concerns
            is_high, is_low = not s.randomised and start == START_HIGH, False
        if is_high:
            high += s.weight
        elif is_low:
            low += s.weight
    high, not_low = high / total, 1 - low / total
    # "1 of 22 studies is", "3 of 22 studies are", "1 of 1 study is": the verb follows the count
    studies = ngettext("study", "studies", data.k)
    note = (" " + ngettext("{n} of {k} {studies} is not appraised.", "{n} of {k} {studies} are not appraised.",
                           unappraised).format(n=unappraised, k=data.k, studies=studies) if unappraised else "")
    shares = f"{_pct(high)} of the weight from studies at high risk, {_pct(not_low - high)} with some concerns"
    if high > RISK_VERY_SERIOUS_HIGH:
        return Proposal("risk_of_bias", -2, f"Very serious: {shares}.{note}")
    if high >= RISK_SERIOUS_HIGH or not_low > RISK_SERIOUS_NOT_LOW:
        return Proposal("risk_of_bias", -1, f"Serious: {shares}.{note}")
    return Proposal("risk_of_bias", 0, f"Not serious: {shares}.{note}")


# -- inconsistency -------------------------------------------------------------------------

def inconsistency(data: GradeInput) -> Proposal:
    if data.k < 2 or data.I2 is None:
        return Proposal("inconsistency", 0, "Not assessable from a single study.")
    parts = [f"I² = {data.I2:.0f}%"]
    if data.I2_ci is not None:
        parts[0] += f" ({ci_label(data.level)} {data.I2_ci[0]:.0f} to {data.I2_ci[1]:.0f}%)"
    if data.tau2 is not None:
        parts.append(f"τ² = {data.tau2:.3g}")
    null = NULL
    ci_crosses = data.ci_lb < null < data.ci_ub
    pi_crosses = None
    if data.pi_lb is not None and data.pi_ub is not None:
        pi_crosses = data.pi_lb < null < data.pi_ub
        parts.append(f"{data.level:g}% prediction interval {_fmt(data.measure, data.pi_lb)} to "
                     f"{_fmt(data.measure, data.pi_ub)}"
                     + (" includes effects in both directions" if pi_crosses else " excludes no effect"))
    said = "; ".join(parts)
    if data.I2 >= I2_CONSIDERABLE and pi_crosses:
        return Proposal("inconsistency", -2, f"Very serious: {said}.")
    if data.I2 >= I2_SUBSTANTIAL:
        return Proposal("inconsistency", -1, f"Serious: {said}.")
    if data.I2 >= I2_MODERATE and pi_crosses and not ci_crosses:
        return Proposal("inconsistency", -1,
                        f"Serious: {said}, while the pooled effect's CI does not; some settings may see no benefit.")
    return Proposal("inconsistency", 0, f"Not serious: {said}.")


# -- imprecision ---------------------------------------------------------------------------

def optimal_information_size(data: GradeInput) -> float | None:
    """Total participants a single adequately powered trial would need (module docstring); None
    when the MID (continuous) or control risk (binary) is missing."""
    z = norm.ppf(1 - ALPHA / 2) + norm.ppf(POWER)
    if data.measure in ("SMD", "SMCR", "MD"):
        if data.mid is None or data.mid == 0:
            return None
        delta = abs(data.mid)
        if data.measure == "MD":
            if not data.sd:
                return None
            delta = abs(data.mid) / data.sd
        return 4 * z * z / (delta * delta)
    if data.control_risk is None or not 0 < data.control_risk < 1 or not 0 < data.rrr < 1:
        return None
    p0 = data.control_risk
    p1 = p0 * (1 - data.rrr)
    return 2 * z * z * (p0 * (1 - p0) + p1 * (1 - p1)) / (p0 - p1) ** 2


def _mid_bounds(data: GradeInput) -> tuple[float, float] | None:
    """The thresholds of an important effect on the analysis scale (log for ratios), both sides."""
    if data.mid is None:
        return None
    if data.measure in RATIO:
        if data.mid <= 0 or data.mid == 1:
            return None
        m = abs(math.log(data.mid))
    else:
        m = abs(data.mid)
    return -m, m


def imprecision(data: GradeInput) -> Proposal:
    null = NULL
    ci = f"the {ci_label(data.level)} {_fmt(data.measure, data.ci_lb)} to {_fmt(data.measure, data.ci_ub)}"
    bounds = _mid_bounds(data)
    reasons, change = [], 0
    if bounds is None:
        if data.ci_lb < null < data.ci_ub:
            change, what = -1, f"{ci} includes no effect (no threshold set: judged against the null)"
        else:
            what = f"{ci} excludes no effect (no threshold set: judged against the null)"
        reasons.append(what)
    else:
        lo, hi = bounds
        shown_mid = f"{_fmt(data.measure, hi)}" if data.measure in RATIO else f"{hi:g}"
        if data.ci_lb < lo and data.ci_ub > hi:
            change = -2
            reasons.append(f"{ci} includes important benefit and important harm (threshold {shown_mid})")
        elif data.ci_lb < null < data.ci_ub:
            change = -1
            reasons.append(f"{ci} includes no effect (threshold {shown_mid})")
        elif data.ci_lb < lo < data.ci_ub or data.ci_lb < hi < data.ci_ub:
            change = -1
            reasons.append(f"{ci} crosses the threshold of an important effect ({shown_mid})")
        else:
            reasons.append(f"{ci} lies on one side of the threshold ({shown_mid})")
    ois = optimal_information_size(data)
    if ois is None:
        reasons.append("the optimal information size is not assessed (set the "
                       + ("control risk" if data.measure in ("OR", "RR", "RD") else
                          "MID" + (" and SD" if data.measure == "MD" else "")) + ")")
    elif data.participants is None:
        reasons.append(f"the optimal information size is {math.ceil(ois)} participants; the total is unknown")
    elif data.participants < ois:
        change -= 1
        reasons.append(f"{data.participants} participants fall short of the optimal information size "
                       f"of {math.ceil(ois)}")
    else:
        reasons.append(f"{data.participants} participants meet the optimal information size of {math.ceil(ois)}")
    change = max(-2, change)
    word = {0: "Not serious", -1: "Serious", -2: "Very serious"}[change]
    return Proposal("imprecision", change, f"{word}: " + "; ".join(reasons) + ".")


# -- publication bias ----------------------------------------------------------------------

def publication_bias(data: GradeInput) -> Proposal:
    if data.k < MIN_K_FUNNEL:
        return Proposal("publication_bias", 0,
                        f"Not assessable from the data: the tests need at least {MIN_K_FUNNEL} studies "
                        f"(this outcome has {data.k}); the lead judges from the search.", from_data=False)
    if data.egger_p is None:
        return Proposal("publication_bias", 0, "Not assessable from the data: Egger's test could not be fitted "
                        "on this run; the lead judges from the funnel plot and the search.", from_data=False)
    k0 = data.trimfill_k0 or 0
    tf = f"trim-and-fill adds {k0} {ngettext('study', 'studies', k0)}"
    changes_conclusion = False
    if k0 and data.trimfill_ci is not None:
        null = NULL
        before = data.ci_lb < null < data.ci_ub
        after = data.trimfill_ci[0] < null < data.trimfill_ci[1]
        changes_conclusion = after and not before
        if changes_conclusion:
            tf += ", and its adjusted CI includes no effect"
    if data.egger_p < EGGER_ALPHA:
        return Proposal("publication_bias", -1, f"Suspected: Egger's test p = {data.egger_p:.3f}; {tf}.")
    if changes_conclusion:
        return Proposal("publication_bias", -1, f"Suspected: Egger's test p = {data.egger_p:.3f}; {tf}.")
    return Proposal("publication_bias", 0, f"Undetected: Egger's test p = {data.egger_p:.3f}; {tf}.")


def propose(data: GradeInput) -> GradeProposal:
    start, start_reason = start_level(data)
    proposals = {
        "risk_of_bias": risk_of_bias(data, start),
        "inconsistency": inconsistency(data),
        "indirectness": Proposal("indirectness", 0, "The lead's judgement (not proposed from the data).",
                                 from_data=False),
        "imprecision": imprecision(data),
        "publication_bias": publication_bias(data),
    }
    for domain in UP:
        proposals[domain] = Proposal(domain, 0, "The lead's judgement (not proposed from the data).",
                                     from_data=False)
    return GradeProposal(start=start, start_reason=start_reason, proposals=proposals)


def i2_interval(tau2_ci: tuple[float, float] | None, vi: list[float]) -> tuple[float, float] | None:
    """I2's CI from tau2's (Q-profile) CI and the typical within-study variance, as metafor's
    confint does (Higgins & Thompson 2002), for a model without moderators. Runs now keep the
    engine's own (``RmaResult.I2_ci``, which agrees); this serves runs stored before it was kept."""
    if tau2_ci is None or None in tau2_ci or len(vi) < 2:
        return None
    w = [1 / v for v in vi]
    sw, sw2 = sum(w), sum(x * x for x in w)
    s2 = (len(w) - 1) * sw / (sw * sw - sw2)
    return tuple(100 * t / (t + s2) for t in tau2_ci)  # type: ignore[return-value]
