"""Writes to forms: templates, the draft the lead edits in the builder, and publishing versions.

Publishing never drops an answer: every entry and consensus of the template moves to the new
version; answers of fields whose key and type are unchanged (and whose value still fits) are
carried over, the rest are kept aside as "from an earlier version" and shown beside the form.
"""
from __future__ import annotations

import copy

from django.db import transaction
from django.utils.translation import ngettext

from reviewapp.audit import audit_record, audited_update, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Review
from reviewapp.widgets import plain_number

from .. import definition as defs
from .. import outcome_data, rules, selectors
from ..builtin import BUILTIN_NAME, builtin_definition
from ..models import DesignMapping, FormTemplate, FormVersion
from ..selectors import BUILTIN_DESIGN_FIELD, BUILTIN_DESIGN_VALUES
from .designs import design_mapping_set

Action = AuditEvent.Action


def _outcome_names(review: Review) -> list[str]:
    return list(review.outcomes.values_list("name", flat=True))


@transaction.atomic
def template_create(*, actor, review: Review, name: str, kind: str = FormTemplate.Kind.EXTRACTION,
                    definition: dict | None = None, tool=None) -> FormTemplate:
    name = name.strip()
    if not name:
        raise ApplicationError("A form needs a name.")
    if review.form_templates.filter(name=name).exists():
        raise ApplicationError(f"A form named “{name}” exists already.")
    template = FormTemplate(review=review, name=name, kind=kind, created_by=actor, tool=tool,
                            draft=definition or defs.empty_definition())
    template.full_clean()
    template.save()
    audit_record(actor=actor, review=review, action=Action.CREATE, instance=template,
                 after=snapshot(template, exclude=("created_at", "draft")), label=f"form {name}")
    return template


@transaction.atomic
def template_create_builtin(*, actor, review: Review) -> FormTemplate:
    """The built-in form, published as version 1 (or the existing one)."""
    template = review.form_templates.filter(name=BUILTIN_NAME).first()
    if template is None:
        template = template_create(actor=actor, review=review, name=BUILTIN_NAME, definition=builtin_definition())
    if template.current_version is None:
        version_publish(actor=actor, template=template, note="The built-in form.")
    # The form studies are extracted on, and no mapping yet: its design field says the design.
    if (not DesignMapping.objects.filter(review=review).exists()
            and selectors.extraction_template(review=review) == template):
        design_mapping_set(actor=actor, review=review, field_key=BUILTIN_DESIGN_FIELD,
                           values=BUILTIN_DESIGN_VALUES)
    return template


@transaction.atomic
def template_settler_set(*, actor, template: FormTemplate, settler) -> FormTemplate:
    """Name who settles differences besides the leads (`rules.settler_candidates`), or nobody (None)."""
    refusal = rules.settler_refusal(review=template.review, user=settler)
    if refusal:
        raise ApplicationError(refusal, {"field": "settler"})
    template = FormTemplate.objects.select_for_update().get(pk=template.pk)
    return audited_update(actor=actor, review=template.review, instance=template, fields={"settler": settler},
                          allowed=("settler",), exclude=("created_at", "draft"))


def _locked_draft(template: FormTemplate) -> tuple[FormTemplate, dict]:
    template = FormTemplate.objects.select_for_update().get(pk=template.pk)
    return template, copy.deepcopy(template.draft or defs.empty_definition())


def _save_draft(*, actor, template: FormTemplate, draft: dict, what: str) -> FormTemplate:
    before = {"draft": template.draft}
    template.draft = draft
    template.save(update_fields=["draft"])
    audit_record(actor=actor, review=template.review, action=Action.UPDATE, instance=template,
                 before=before, after={"draft": draft}, label=f"form {template.name}: {what}")
    return template


def _used_keys(template: FormTemplate, draft: dict) -> set[str]:
    """Keys used now or in any version: a new field never takes an old field's key (and its answers)."""
    keys = set()
    for definition in [draft, *template.versions.values_list("definition", flat=True)]:
        for section in defs.sections(definition):
            keys.add(section["key"])
            keys.update(f["key"] for f in section["fields"])
    return keys


def _section(draft: dict, key: str) -> dict:
    for section in defs.sections(draft):
        if section["key"] == key:
            return section
    raise ApplicationError("No such section in the form.")


@transaction.atomic
def draft_section_save(*, actor, template: FormTemplate, section_key: str | None, title: str,
                       repeat: str = "", help: str = "") -> dict:
    template, draft = _locked_draft(template)
    title = title.strip()
    if not title:
        raise ApplicationError("A section needs a title.")
    if section_key is None:
        section = {"key": defs.make_key(title, _used_keys(template, draft)), "title": title,
                   "repeat": repeat.strip(), "help": help.strip(), "fields": []}
        draft.setdefault("sections", []).append(section)
    else:
        section = _section(draft, section_key)
        if section.get("kind") == "outcome_data":
            raise ApplicationError("The outcome data group is built in; it cannot be changed.")
        if bool(section.get("repeat")) != bool(repeat.strip()) and template.versions.exists():
            # Its answers would change shape (one value <-> rows), which no version could carry over.
            raise ApplicationError("A published section cannot switch between plain and repeating; "
                                   "add a new section instead.")
        section.update(title=title, repeat=repeat.strip(), help=help.strip())
    _save_draft(actor=actor, template=template, draft=draft, what=f"section {title}")
    return section


@transaction.atomic
def draft_outcome_data_add(*, actor, template: FormTemplate) -> None:
    template, draft = _locked_draft(template)
    if any(s["key"] == outcome_data.SECTION_KEY for s in defs.sections(draft)):
        raise ApplicationError("The form has its outcome data group already.")
    draft.setdefault("sections", []).append(outcome_data.section())
    _save_draft(actor=actor, template=template, draft=draft, what="outcome data group added")


FIELD_ATTRS = ("label", "type", "required", "help", "choices", "min", "max", "unit")


@transaction.atomic
def draft_field_save(*, actor, template: FormTemplate, section_key: str, field_key: str | None,
                     **attrs) -> dict:
    unknown = set(attrs) - set(FIELD_ATTRS)
    if unknown:
        raise TypeError(f"unknown field attributes: {sorted(unknown)}")
    template, draft = _locked_draft(template)
    section = _section(draft, section_key)
    if section.get("kind") == "outcome_data":
        raise ApplicationError("The outcome data group is built in; its fields cannot be changed.")
    label = (attrs.get("label") or "").strip()
    if not label:
        raise ApplicationError("A field needs a label.")
    if attrs.get("type") not in defs.FIELD_TYPES:
        raise ApplicationError("Choose the type of the field.")
    choices = [c.strip() for c in attrs.get("choices") or [] if c.strip()]
    if attrs["type"] in defs.CHOICE_TYPES and len(choices) < 2:
        raise ApplicationError("A choice field needs at least two choices, one per line.")
    if len(set(choices)) != len(choices):
        raise ApplicationError("Each choice may appear only once.")
    # Stored as typed: a bound typed "1" stays 1 in the definition, its API and its pages.
    lo, hi = plain_number(attrs.get("min")), plain_number(attrs.get("max"))
    if lo is not None and hi is not None and lo > hi:
        raise ApplicationError("The smallest allowed value is above the largest.")
    values = {"label": label, "type": attrs["type"], "required": bool(attrs.get("required")),
              "help": (attrs.get("help") or "").strip(),
              "choices": choices if attrs["type"] in defs.CHOICE_TYPES else [],
              "min": lo if attrs["type"] in defs.NUMBER_TYPES else None,
              "max": hi if attrs["type"] in defs.NUMBER_TYPES else None,
              "unit": (attrs.get("unit") or "").strip() if attrs["type"] == "decimal" else ""}
    if field_key is None:
        field = {"key": defs.make_key(label, _used_keys(template, draft)), **values}
        section["fields"].append(field)
    else:
        field = next((f for f in section["fields"] if f["key"] == field_key), None)
        if field is None:
            raise ApplicationError("No such field in the form.")
        field.update(values)
    _save_draft(actor=actor, template=template, draft=draft, what=f"field {label}")
    return field


@transaction.atomic
def draft_item_delete(*, actor, template: FormTemplate, section_key: str, field_key: str | None = None) -> None:
    template, draft = _locked_draft(template)
    section = _section(draft, section_key)
    if field_key is None:
        draft["sections"] = [s for s in draft["sections"] if s["key"] != section_key]
        what = f"section {section['title']} removed"
    else:
        if section.get("kind") == "outcome_data":
            raise ApplicationError("The outcome data group is built in; remove the whole group instead.")
        section["fields"] = [f for f in section["fields"] if f["key"] != field_key]
        what = f"field {field_key} removed"
    _save_draft(actor=actor, template=template, draft=draft, what=what)


@transaction.atomic
def draft_item_move(*, actor, template: FormTemplate, section_key: str, field_key: str | None, up: bool) -> None:
    template, draft = _locked_draft(template)
    items = draft["sections"] if field_key is None else _section(draft, section_key)["fields"]
    key = section_key if field_key is None else field_key
    i = next((n for n, item in enumerate(items) if item["key"] == key), None)
    if i is None:
        raise ApplicationError("Nothing to move.")
    j = i - 1 if up else i + 1
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
        _save_draft(actor=actor, template=template, draft=draft, what=f"{key} moved")


@transaction.atomic
def draft_discard(*, actor, template: FormTemplate) -> None:
    """Back to the current version's definition."""
    template, _ = _locked_draft(template)
    version = template.current_version
    if version is None:
        raise ApplicationError("Nothing was published yet.")
    _save_draft(actor=actor, template=template, draft=copy.deepcopy(version.definition), what="draft discarded")


@transaction.atomic
def version_publish(*, actor, template: FormTemplate, note: str = "", move: bool = True) -> FormVersion:
    """Publish the draft as the next version and move every entry and consensus onto it (with
    ``move=False``, as for appraisal tools, what exists keeps the version it used; new ones take this)."""
    from ..models import Extraction

    template, draft = _locked_draft(template)
    try:
        defs.check_definition(draft)
    except defs.DefinitionError as exc:
        raise ApplicationError(str(exc)) from None
    last = template.current_version
    if last is not None and last.definition == draft:
        raise ApplicationError("The draft is the same as the published version: nothing to publish.")
    version = FormVersion.objects.create(template=template, number=(last.number + 1) if last else 1,
                                         definition=draft, note=note.strip()[:300], published_by=actor)
    audit_record(actor=actor, review=template.review, action=Action.CREATE, instance=version,
                 after={"number": version.number, "note": version.note},
                 label=f"form {template.name} v{version.number}")
    names = _outcome_names(template.review)
    moved = 0
    existing = Extraction.objects.select_for_update().filter(template=template).select_related("version")
    for extraction in existing if move else []:
        for entry in extraction.entries.select_related("version"):
            entry.answers, retired = defs.carry_answers(entry.version.definition, draft, entry.answers,
                                                        version=entry.version.number, outcome_names=names)
            entry.retired = {**entry.retired, **retired}
            entry.version = version
            entry.save(update_fields=["answers", "retired", "version", "updated_at"])
        if extraction.consensus is not None:
            extraction.consensus, retired = defs.carry_answers(
                extraction.version.definition, draft, extraction.consensus, version=extraction.version.number,
                outcome_names=names)
            extraction.retired = {**extraction.retired, **retired}
        extraction.version = version
        extraction.save(update_fields=["consensus", "retired", "version", "updated_at"])
        moved += 1
    if moved:
        audit_record(actor=actor, review=template.review, action=Action.UPDATE, instance=template,
                     before={"version": last.number if last else None},
                     after={"version": version.number, "extractions_moved": moved},
                     label=f"form {template.name}: {moved} {ngettext('extraction', 'extractions', moved)} moved to "
                           f"v{version.number}")
    return version
