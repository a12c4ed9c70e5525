"""Writes of appraisal: adding a built-in tool to a review, defining a custom tool in the browser,
and saving an appraiser's entry for one study (and result). Entries, settlement and consensus are
the extraction services; these check what is particular to appraisal first."""
from __future__ import annotations

import re

from django.db import transaction

from reviewapp.audit import audit_record
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Review
from screening.models import Study

from .. import definition as defs
from .. import services as extraction_services
from ..models import AppraisalTool, FormTemplate
from . import tools

Kind = FormTemplate.Kind
CUSTOM_ANSWERS = ["Yes", "No", "Unclear", "Not applicable"]
CUSTOM_SCALE = ["Low", "Moderate", "High"]
MAX_QUESTIONS = 200


@transaction.atomic
def builtin_tools_load() -> int:
    """The built-in tool versions, stored if missing (the migration stores them; a database emptied
    since, as between tests, gets them back here)."""
    return tools.load_builtin(AppraisalTool)


@transaction.atomic
def tool_form_add(*, actor, review: Review, tool: AppraisalTool) -> FormTemplate:
    """The review's form for a built-in tool version, published (the existing one if added before)."""
    template = review.form_templates.filter(kind=Kind.APPRAISAL, tool=tool).first()
    if template is not None:
        return template
    name = tool.name if not review.form_templates.filter(name=tool.name).exists() else f"{tool.name} ({tool.version})"
    template = extraction_services.template_create(actor=actor, review=review, name=name, kind=Kind.APPRAISAL,
                                                   definition=tools.form_definition(tool.definition), tool=tool)
    extraction_services.version_publish(actor=actor, template=template, note=f"{tool.name}, version {tool.version}.")
    return template


def parse_domains(text: str) -> list[dict]:
    """Domains and questions as the lead types them: a line per domain title, and under it a line
    per question starting with "-" (a question ending in "(NA)" may be answered not applicable)."""
    domains: list[dict] = []
    count = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(("-", "*", "•")):
            if not domains:
                raise ApplicationError(f"Line {number}: a question comes before any domain; "
                                       "write the domain's title on a line of its own first.")
            question = line.lstrip("-*• ").strip()
            if not question:
                raise ApplicationError(f"Line {number}: the question has no text.")
            na = bool(re.search(r"\(NA\)\s*$", question))
            question = re.sub(r"\s*\(NA\)\s*$", "", question)
            domain = domains[-1]
            n = len(domain["questions"]) + 1
            domain["questions"].append({"key": f"q{len(domains)}_{n}", "id": f"{len(domains)}.{n}",
                                        "text": question[:500], "na": na})
            count += 1
        else:
            domains.append({"key": f"d{len(domains) + 1}", "short": f"D{len(domains) + 1}", "title": line[:200],
                            "effect": "", "algorithm": None, "questions": []})
    if not domains:
        raise ApplicationError("Name at least one domain, with its questions under it.")
    empty = [d["title"] for d in domains if not d["questions"]]
    if empty:
        raise ApplicationError(f"The domain “{empty[0]}” has no questions (start each question's line with -).")
    if count > MAX_QUESTIONS:
        raise ApplicationError(f"At most {MAX_QUESTIONS} questions.")
    return domains


def domains_as_text(tool: dict) -> str:
    lines = []
    for domain in tool["domains"]:
        lines.append(domain["title"])
        lines += [f"- {q['text']}" + (" (NA)" if q.get("na") else "") for q in domain["questions"]]
    return "\n".join(lines)


def _lines(values: list[str], what: str, fallback: list[str]) -> list[str]:
    cleaned = [v.strip()[:60] for v in values if v.strip()] or fallback
    if len(cleaned) < 2 or len(set(cleaned)) != len(cleaned):
        raise ApplicationError(f"The {what} need at least two different entries, one per line.")
    return cleaned


@transaction.atomic
def custom_tool_save(*, actor, review: Review, name: str, level: str, answers: list[str], scale: list[str],
                     domains_text: str, no_information: str = "", high_risk_from: str = "",
                     template: FormTemplate | None = None) -> FormTemplate:
    """Create a custom tool (published as version 1) or publish its next version. Appraisals made
    with an earlier version keep it. ``high_risk_from``: the level of the scale from which a
    judgement counts as high risk (GRADE, the figures, the analyses' sensitivity analyses); empty,
    the worse half of the scale. The audit trail keeps the whole definition, this included."""
    if level not in tools.LEVELS:
        raise ApplicationError("Choose whether the tool judges a whole study or each result.")
    version = (template.current_version.number + 1) if template and template.current_version else 1
    tool = {"slug": "custom", "version": str(version), "name": name.strip() or "Custom tool", "custom": True,
            "source": f"Defined in the review by {actor.get_username()}.", "level": level,
            "effects": [], "answers": _lines(answers, "answer options", CUSTOM_ANSWERS), "answer_labels": {},
            "scale": _lines(scale, "judgement levels", CUSTOM_SCALE), "no_information": no_information.strip()[:60],
            "high_risk_from": high_risk_from.strip(),
            "domains": parse_domains(domains_text), "overall": {"algorithm": {"id": "worst_domain", "version": "1"}}}
    if template is not None:  # answers are stored by key: each question keeps the key it was given
        earlier = [tools.tool_of(v.definition) for v in template.versions.order_by("-number")]
        tool["domains"] = tools.keep_keys(tool["domains"], [t for t in earlier if t])
    if tool["no_information"] in tool["scale"]:
        raise ApplicationError("The 'no information' level must differ from the judgement levels.")
    try:
        definition = tools.form_definition(tool)
    except defs.DefinitionError as exc:
        raise ApplicationError(str(exc)) from None
    high_risk = {"high_risk_from": tool["high_risk_from"], "high_risk_levels": tools.high_risk_levels(tool)}
    if template is None:
        template = extraction_services.template_create(actor=actor, review=review, name=tool["name"],
                                                       kind=Kind.APPRAISAL, definition=definition)
        audit_record(actor=actor, review=review, action=AuditEvent.Action.UPDATE, instance=template, before={},
                     after={"scale": tool["scale"], **high_risk},
                     label=f"custom appraisal tool {template.name}: its scale and where high risk starts")
    else:
        template = FormTemplate.objects.select_for_update().get(pk=template.pk)
        if template.tool_id is not None or template.kind != Kind.APPRAISAL:
            raise ApplicationError("Only custom tools can be edited; a built-in tool changes by a new version.")
        if tool["name"] != template.name and review.form_templates.filter(name=tool["name"]).exists():
            raise ApplicationError(f"A form or tool named “{tool['name']}” exists already.")
        previous = tools.tool_of(template.draft or {}) or {}
        before = {"name": template.name, "draft": template.draft,
                  "high_risk_from": previous.get("high_risk_from", ""),
                  "high_risk_levels": tools.high_risk_levels(previous) if previous.get("scale") else []}
        template.name, template.draft = tool["name"], definition
        template.save(update_fields=["name", "draft"])
        audit_record(actor=actor, review=review, action=AuditEvent.Action.UPDATE, instance=template, before=before,
                     after={"name": template.name, "draft": definition, **high_risk},
                     label=f"custom appraisal tool {template.name} changed")
    extraction_services.version_publish(actor=actor, template=template, move=False,
                                        note=f"Custom tool, version {version}.")
    return template


def check_target(*, template: FormTemplate, target: str) -> None:
    """A result-level tool needs one of the review's outcomes and an effect the tool assesses."""
    version = template.current_version
    if version is None or template.kind != Kind.APPRAISAL:
        raise ApplicationError("This is not a published appraisal tool.")
    tool = tools.tool_of(version.definition)
    if tool.get("level") != "result":
        if target:
            raise ApplicationError("This tool judges whole studies, not single results.", {"field": "outcome"})
        return
    outcome, effect = tools.target_parse(target)
    if not template.review.outcomes.filter(name=outcome).exists():
        raise ApplicationError("Choose one of the review's outcomes for the result to appraise.", {"field": "outcome"})
    effects = tool.get("effects") or []
    if effects and effect not in effects:
        raise ApplicationError("Choose the effect of interest: " + " or ".join(effects) + ".", {"field": "effect"})


def appraisal_save(*, actor, template: FormTemplate, study: Study, target: str, answers: dict,
                   done: bool = False, draft=None):
    """An appraiser's answers (as data, see `entry_save`), checked and saved for one target."""
    check_target(template=template, target=target)
    return extraction_services.entry_save(actor=actor, template=template, study=study, answers=answers, done=done,
                                          target=target, draft=draft)


def appraisal_autosave(*, actor, template: FormTemplate, study: Study, target: str, data):
    check_target(template=template, target=target)
    return extraction_services.entry_autosave(actor=actor, template=template, study=study, data=data, target=target)


def appraisal_save_answers(*, actor, template: FormTemplate, study: Study, target: str, answers: dict,
                           done: bool = False):
    """An appraisal given as JSON answers (the API): checked and saved as `appraisal_save` does."""
    check_target(template=template, target=target)
    return extraction_services.entry_save_answers(actor=actor, template=template, study=study, answers=answers,
                                                  done=done, target=target)
