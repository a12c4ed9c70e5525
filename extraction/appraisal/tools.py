"""Appraisal tool definitions: versioned data (JSON files in tools/, loaded by a data migration into
`AppraisalTool` rows; custom tools are written in the browser), checked here and turned into the
form definition that the double-entry machinery of extraction fills.

A tool definition::

    {"slug", "version", "name", "source", "level": "result" | "study", "effects": ["assignment", ...],
     "answers": ["Y", "PY", ...], "answer_labels": {...}, "scale": [best, ..., worst],
     "high_risk_from": "" | a level of the scale (see high_risk_levels),
     "no_information": "" | "No information",
     "domains": [{"key", "short", "title", "effect": "" | an effect, "algorithm": {"id", "version"} | null,
                  "questions": [{"key", "id", "text", "na"}]}],
     "overall": {"algorithm": {"id", "version"} | null}}

A result-level tool is filled per study and result: the extraction's target is
"outcome name|effect of interest". Domains with an ``effect`` apply to that effect only (RoB 2's
Domain 2 has one variant for the effect of assignment and one for adhering).

ROBINS-I version 2 fits the same shape as a new file: its own answer options (strong/weak yes and
no), an algorithm id per domain (added to algorithms.py with its tests), a triage domain whose
algorithm proposes Critical, and variants of the confounding domain by effect of interest.
"""
from __future__ import annotations

import json
from pathlib import Path

from .. import definition as defs
from . import algorithms

TOOLS_DIR = Path(__file__).resolve().parent / "tools"
LEVELS = ("result", "study")
EFFECTS = {"assignment": "Effect of assignment (intention to treat)",
           "adhering": "Effect of adhering (per protocol)"}
SEPARATOR = "|"
# The tool each design of the built-in extraction form calls for (suggested, and used by the demo).
TOOL_BY_DESIGN = {"Randomised controlled trial": "rob2-parallel", "Non-randomised controlled study": "robins-i",
                  "Uncontrolled pre-post study": "prepost-checklist"}


def builtin_tools() -> list[dict]:
    """Every built-in tool definition shipped with the application, checked."""
    out = []
    for path in sorted(TOOLS_DIR.glob("*.json")):
        tool = json.loads(path.read_text(encoding="utf-8"))
        try:
            check_tool(tool)
        except defs.DefinitionError as exc:
            raise defs.DefinitionError(f"{path.name}: {exc}") from None
        out.append(tool)
    return out


def load_builtin(model) -> int:
    """Store each built-in tool version not stored yet; a stored version is left as it is (a changed
    tool is a new version). ``model`` is AppraisalTool, or its historical model in a migration.
    Returns how many were added."""
    added = 0
    for tool in builtin_tools():
        _, created = model.objects.get_or_create(slug=tool["slug"], version=tool["version"],
                                                 defaults={"name": tool["name"], "definition": tool, "builtin": True})
        added += created
    return added


def check_tool(tool: dict) -> None:
    """Raise DefinitionError (saying what is wrong where) unless the tool can be used."""
    for key in ("slug", "version", "name", "answers", "scale", "domains"):
        if not tool.get(key):
            raise defs.DefinitionError(f"The tool has no {key}.")
    if tool.get("level", "study") not in LEVELS:
        raise defs.DefinitionError("The level must be 'result' or 'study'.")
    if len(tool["answers"]) < 2 or len(set(tool["answers"])) != len(tool["answers"]):
        raise defs.DefinitionError("The tool needs at least two different answer options.")
    if len(tool["scale"]) < 2 or len(set(tool["scale"])) != len(tool["scale"]):
        raise defs.DefinitionError("The judgement scale needs at least two different levels.")
    wrong = high_risk_from_error(tool["scale"], tool.get("high_risk_from") or "")
    if wrong:
        raise defs.DefinitionError(wrong)
    unknown_effects = set(tool.get("effects") or []) - set(EFFECTS)
    if unknown_effects:
        raise defs.DefinitionError(f"Unknown effect of interest: {sorted(unknown_effects)[0]}.")
    keys: set[str] = set()
    for domain in tool["domains"]:
        title = domain.get("title") or domain.get("key")
        if not defs.KEY_RE.match(domain.get("key", "")) or domain["key"] in keys:
            raise defs.DefinitionError(f"Domain “{title}” has a missing, invalid or repeated key.")
        keys.add(domain["key"])
        if not domain.get("questions"):
            raise defs.DefinitionError(f"Domain “{title}” has no questions.")
        algorithm = (domain.get("algorithm") or {}).get("id")
        if algorithm and algorithm not in algorithms.DOMAIN_ALGORITHMS:
            raise defs.DefinitionError(f"Domain “{title}” names an unknown algorithm {algorithm}.")
        if domain.get("effect") and domain["effect"] not in (tool.get("effects") or []):
            raise defs.DefinitionError(f"Domain “{title}” applies to an effect the tool does not assess.")
        for question in domain["questions"]:
            if not defs.KEY_RE.match(question.get("key", "")) or question["key"] in keys:
                raise defs.DefinitionError(f"A question of “{title}” has a missing, invalid or repeated key.")
            keys.add(question["key"])
            if not (question.get("text") or "").strip():
                raise defs.DefinitionError(f"A question of “{title}” has no text.")
    overall = ((tool.get("overall") or {}).get("algorithm") or {}).get("id")
    if overall and overall not in algorithms.OVERALL_ALGORITHMS:
        raise defs.DefinitionError(f"The overall judgement names an unknown algorithm {overall}.")


def _same_words(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _fresh(preferred: str, taken: set[str]) -> str:
    key, n = preferred, 2
    while key in taken:
        key, n = f"{preferred}_{n}", n + 1
    return key


def keep_keys(domains: list[dict], earlier: list[dict]) -> list[dict]:
    """The domains of a custom tool's new version, with the keys its earlier versions gave them.

    Answers are stored under the keys, so a key must stay with its question: a question is found
    again by its text (a domain by its title; case and spacing aside), wherever it moved, and keeps
    its key; a new question gets a key no version ever used, so an answer given to a deleted
    question never lands on a new one. ``domains`` come with the positional keys a first version
    gets (d1, q1_1, ...); ``earlier`` are the earlier tool definitions, newest first."""
    taken = {d["key"] for tool in earlier for d in tool["domains"]}
    taken |= {q["key"] for tool in earlier for d in tool["domains"] for q in d["questions"]}
    domain_keys: dict[str, str] = {}
    question_keys: dict[tuple[str, str], str] = {}  # (domain key, text) -> key, then ("", text)
    for tool in earlier:
        for d in tool["domains"]:
            domain_keys.setdefault(_same_words(d["title"]), d["key"])
            for q in d["questions"]:
                question_keys.setdefault((d["key"], _same_words(q["text"])), q["key"])
                question_keys.setdefault(("", _same_words(q["text"])), q["key"])
    used: set[str] = set()
    out = []
    for domain in domains:
        key = domain_keys.get(_same_words(domain["title"]))
        if key is None or key in used:
            key = _fresh(domain["key"], taken | used)
        used.add(key)
        questions = []
        for q in domain["questions"]:
            text = _same_words(q["text"])
            found = question_keys.get((key, text)) or question_keys.get(("", text))
            q_key = found if found is not None and found not in used else _fresh(q["key"], taken | used)
            used.add(q_key)
            questions.append({**q, "key": q_key})
        out.append({**domain, "key": key, "questions": questions})
    return out


def high_risk_levels(tool: dict) -> list[str]:
    """The levels of the tool's scale that count as high risk of bias (what a sensitivity analysis
    leaves out): from ``high_risk_from`` to the worst; without it, the worse half of the scale,
    the middle level not counted (RoB 2: High; ROBINS-I: Serious, Critical; Low/High: High).
    Severity comes from the order of the scale, never from its words, so a custom tool's scale
    counts too."""
    scale = list(tool["scale"])
    start = tool.get("high_risk_from") or ""
    if start in scale:
        return scale[scale.index(start):]
    return scale[-(len(scale) // 2):]


def high_risk_from_error(scale: list[str], high_risk_from: str) -> str | None:
    """Why ``high_risk_from`` cannot be where high risk starts on ``scale`` (None when it can, or is
    empty: the worse half then)."""
    if not high_risk_from:
        return None
    if high_risk_from not in scale:
        return (f"High risk must start at one of the judgement levels ({', '.join(scale)}); "
                f"“{high_risk_from}” is not one of them.")
    if high_risk_from == scale[0]:
        return (f"High risk cannot start at the best level, “{scale[0]}”: every judgement would count as "
                "high risk.")
    return None


def judgement_levels(tool: dict) -> list[str]:
    return list(tool["scale"]) + ([tool["no_information"]] if tool.get("no_information") else [])


def question_choices(tool: dict, question: dict) -> list[str]:
    """NA is offered only where the tool allows it for the question."""
    if question.get("na") or "NA" not in tool["answers"]:
        return list(tool["answers"])
    return [a for a in tool["answers"] if a != "NA"]


def _single(key, label, choices, *, derived=False, help=""):
    field = {"key": key, "label": label, "type": "single", "required": False, "help": help,
             "choices": list(choices), "min": None, "max": None, "unit": ""}
    if derived:
        field["derived"] = True
    return field


def _text(key, label):
    # Two appraisers' supporting texts differ as a rule: the consensus keeps both instead of asking
    # the settler to choose one per question.
    return {"key": key, "label": label, "type": "longtext", "required": False, "help": "", "choices": [],
            "min": None, "max": None, "unit": "", "merge": True}


def form_definition(tool: dict) -> dict:
    """The tool as a form of the extraction machinery: one plain section per domain (answer and
    support per question, the proposed judgement (derived, never typed), the appraiser's judgement and
    the reason for overriding), and one for the overall judgement. The tool itself rides along
    under "appraisal", so a published version keeps exactly the tool it used."""
    check_tool(tool)
    levels = judgement_levels(tool)
    sections = []
    for domain in tool["domains"]:
        fields = []
        for q in domain["questions"]:
            fields.append(_single(q["key"], f"{q.get('id', '')} {q['text']}".strip(), question_choices(tool, q)))
            fields.append(_text(f"{q['key']}_note", f"{q.get('id', '')} support".strip()))
        fields += [_single(f"{domain['key']}_proposed", "Proposed judgement", levels, derived=True),
                   _single(f"{domain['key']}_judgement", "Judgement", levels),
                   _text(f"{domain['key']}_reason", "Reason for overriding the proposal")]
        sections.append({"key": domain["key"], "title": f"{domain.get('short', '')} {domain['title']}".strip(),
                         "repeat": "", "help": "", "kind": "rob_domain", "fields": fields})
    sections.append({"key": "overall", "title": "Overall", "repeat": "", "help": "", "kind": "rob_overall",
                     "fields": [_single("overall_proposed", "Proposed overall judgement", levels, derived=True),
                                _single("overall_judgement", "Overall judgement", levels),
                                _text("overall_reason", "Reason for overriding the proposal")]})
    return {"appraisal": tool, "sections": sections}


def tool_of(definition: dict) -> dict | None:
    return definition.get("appraisal")


# -- targets ---------------------------------------------------------------------

def target_make(outcome: str, effect: str) -> str:
    return f"{outcome}{SEPARATOR}{effect}"


def target_parse(target: str) -> tuple[str, str]:
    """(outcome name, effect of interest); ("", "") for a study-level appraisal."""
    outcome, _, effect = (target or "").rpartition(SEPARATOR)
    return (outcome, effect) if outcome or effect else ("", "")


def target_label(target: str) -> str:
    outcome, effect = target_parse(target)
    if not outcome and not effect:
        return "whole study"
    return f"{outcome} ({effect})" if effect else outcome


def domains_for(tool: dict, target: str) -> list[dict]:
    """The domains that apply to an appraisal with this target (its effect of interest)."""
    _, effect = target_parse(target)
    return [d for d in tool["domains"] if not d.get("effect") or d["effect"] == effect]
