"""Writes of double entry: each person's entry (saved, autosaved, marked done, reopened), the
settlement of each difference, and the consensus that becomes the study's data."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import ngettext

from reviewapp.audit import audit_record
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from reviewapp.notifications.models import Kind
from reviewapp.notifications.services import notify
from reviewapp.people import display_name
from reviewapp.permissions import roles_of
from screening.models import Study

from .. import definition as defs
from .. import outcome_data, rules
from ..appraisal import judgements
from ..models import Entry, Extraction, FormTemplate, Settlement

Action = AuditEvent.Action
Status = Extraction.Status
ENTRIES_PER_EXTRACTION = rules.ENTRIES_PER_STUDY
MAX_DRAFT_INPUTS = 5000


@dataclass
class SaveResult:
    entry: Entry
    saved: bool
    errors: dict[str, str] = field(default_factory=dict)  # answer path (or "__all__") -> message


def outcome_names(review) -> list[str]:
    return list(review.outcomes.values_list("name", flat=True))


def check_answers(definition: dict, answers: dict) -> dict[str, str]:
    """Impossible outcome data, as answer path -> message."""
    errors = {}
    for section in defs.sections(definition):
        if section.get("kind") != "outcome_data":
            continue
        for i, row in enumerate(answers.get(section["key"]) or []):
            for key, message in outcome_data.check_row(row).items():
                field_def = next(f for f in section["fields"] if f["key"] == key)
                errors[defs.answer_key(section, field_def, i)] = (
                    f"{section['repeat']} {i + 1}, {field_def['label']}: {message}.")
    return errors


def _status(extraction: Extraction) -> str:
    if extraction.consensus is not None and extraction.finalised_at:
        return Status.DONE
    entries = list(extraction.entries.all())
    if len(entries) >= ENTRIES_PER_EXTRACTION and all(e.done for e in entries):
        return Status.AWAITING_CONSENSUS
    return Status.IN_PROGRESS if entries else Status.NOT_STARTED


def _refresh_status(extraction: Extraction) -> None:
    status = _status(extraction)
    if status != extraction.status:
        extraction.status = status
        extraction.save(update_fields=["status", "updated_at"])
        if status == Status.AWAITING_CONSENSUS:
            _announce_awaiting(extraction)


def _announce_awaiting(extraction: Extraction) -> None:
    """Both entries are done: tell whoever may settle them (never what either entered)."""
    template = extraction.template
    appraisal = template.kind == FormTemplate.Kind.APPRAISAL
    link = reverse("appraisal_compare" if appraisal else "compare",
                   args=[extraction.review_id, template.pk, extraction.study_id])
    if extraction.target:
        link += "?" + urlencode({"target": extraction.target})
    notify(review=extraction.review_id, kind=Kind.CONSENSUS, recipients=rules.settlers_of(extraction=extraction),
           params={"form": template.name, "form_kind": template.kind}, group=f"consensus:{template.pk}", link=link,
           link_many=reverse("appraisal_home" if appraisal else "extraction_home", args=[extraction.review_id]))


def extraction_for(*, template: FormTemplate, study: Study, target: str = "", lock: bool = True) -> Extraction:
    """The extraction of ``study`` on ``template``, made on first use with the current version."""
    if study.review_id != template.review_id:
        raise ApplicationError("The study belongs to another review.")
    version = template.current_version
    if version is None:
        raise ApplicationError("The form has not been published yet: a lead publishes it in the form builder.")
    extraction, _ = Extraction.objects.get_or_create(
        template=template, study=study, target=target,
        defaults={"review_id": template.review_id, "version": version, "status": Status.NOT_STARTED})
    if lock:
        extraction = Extraction.objects.select_for_update().get(pk=extraction.pk)
    return extraction


def _entry_for(*, actor, extraction: Extraction) -> Entry:
    entry = Entry.objects.select_for_update().filter(extraction=extraction, user=actor).first()
    if entry is not None:
        return entry
    refusal = rules.new_entry_refusal(user=actor, extraction=extraction)
    if refusal:
        raise ApplicationError(refusal)
    entry = Entry.objects.create(extraction=extraction, user=actor, version=extraction.version)
    audit_record(actor=actor, review=extraction.review, action=Action.CREATE, instance=entry,
                 after={"study": extraction.study.label, "form": extraction.template.name},
                 label=f"entry of {actor} on {extraction.study.label}")
    _refresh_status(extraction)
    return entry


def _draft(data) -> dict[str, list[str]]:
    if hasattr(data, "lists"):
        items = {k: v for k, v in data.lists() if k.startswith(("f-", "r-"))}
    else:
        items = {k: (v if isinstance(v, list) else [v]) for k, v in data.items() if k.startswith(("f-", "r-"))}
    if len(items) > MAX_DRAFT_INPUTS:
        raise ApplicationError("The form sent more inputs than any form has.")
    return {k: [str(x)[: defs.MAX_TEXT] for x in v] for k, v in items.items()}


@transaction.atomic
def entry_save(*, actor, template: FormTemplate, study: Study, answers: dict, done: bool = False,
               target: str = "", draft=None) -> SaveResult:
    """Save a person's answers, given as data in the shape entries store them (the page converts its
    form post, see extraction.entry_post; the API sends JSON). A refused save reports every problem
    by answer path and changes none of the saved answers; it keeps ``draft`` (the page's inputs as
    typed) as the entry's draft when one is given."""
    extraction = extraction_for(template=template, study=study, target=target)
    entry = _entry_for(actor=actor, extraction=extraction)
    _refuse_change(extraction, entry)
    definition = entry.version.definition
    parsed = defs.parse_answers(definition, answers, outcome_names(template.review))
    # Every problem in one round: values that are no number (or no choice) and impossible values among
    # the rest (n = 0, a negative SD), and, when marking done, every required answer still missing.
    errors = {**parsed.errors}
    for name, message in check_answers(definition, parsed.answers).items():
        errors.setdefault(name, message)
    if "appraisal" in definition:  # a risk-of-bias tool: store each algorithm's proposal beside the answers
        parsed.answers = judgements.derive(definition, parsed.answers, target)
        if done:
            parsed.missing += judgements.problems(definition, parsed.answers, target)
    if done and parsed.missing:
        for name, label in parsed.missing_paths.items():
            errors.setdefault(name, f"{label}: required before marking done.")
        # What no single answer holds (e.g. an appraisal's unanswered signalling questions).
        elsewhere = [label for label in parsed.missing if label not in parsed.missing_paths.values()]
        if elsewhere:
            errors["__all__"] = "Required before marking done: " + "; ".join(elsewhere) + "."
    if errors:
        if draft is not None:
            entry.draft = _draft(draft)
            entry.save(update_fields=["draft", "updated_at"])
        return SaveResult(entry=entry, saved=False, errors=errors)
    before = {"answers": entry.answers, "done": entry.done}
    entry.answers, entry.draft = parsed.answers, None
    if done:
        entry.done, entry.done_at = True, timezone.now()
    entry.save()
    audit_record(actor=actor, review=template.review, action=Action.UPDATE, instance=entry, before=before,
                 after={"answers": entry.answers, "done": entry.done},
                 label=f"entry of {actor} on {study.label}" + (" (done)" if done else ""))
    _refresh_status(extraction)
    return SaveResult(entry=entry, saved=True)


def _refuse_change(extraction: Extraction, entry: Entry) -> None:
    refusal = rules.entry_change_refusal(extraction=extraction)
    if refusal:
        raise ApplicationError(refusal)
    if entry.done:
        raise ApplicationError("You marked this entry done; reopen it to change it.")


class _Refused(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("refused")
        self.errors = errors


def entry_save_answers(*, actor, template: FormTemplate, study: Study, answers: dict, done: bool = False,
                       target: str = "") -> Entry:
    """`entry_save` for a program (the API): a refused save changes nothing, not even an entry made
    by this call (a program sends its answers again): ValidationError with each problem's path."""
    try:
        with transaction.atomic():
            result = entry_save(actor=actor, template=template, study=study, answers=answers, done=done,
                                target=target)
            if not result.saved:
                raise _Refused(result.errors)  # undoes an entry made by this call
    except _Refused as refused:
        raise ValidationError({path: [message] for path, message in refused.errors.items()}) from None
    return result.entry


@transaction.atomic
def entry_autosave(*, actor, template: FormTemplate, study: Study, data, target: str = "") -> Entry:
    """Keep what the form holds right now, unchecked, so a closed tab loses nothing. Not audited:
    it changes no answer (a save does, and is)."""
    extraction = extraction_for(template=template, study=study, target=target)
    entry = _entry_for(actor=actor, extraction=extraction)
    _refuse_change(extraction, entry)
    entry.draft = _draft(data)
    entry.save(update_fields=["draft", "updated_at"])
    return entry


@transaction.atomic
def entry_reopen(*, actor, extraction: Extraction) -> Entry:
    extraction = Extraction.objects.select_for_update().get(pk=extraction.pk)
    entry = Entry.objects.select_for_update().filter(extraction=extraction, user=actor).first()
    if entry is None or not entry.done:
        raise ApplicationError("You have no finished entry to reopen.")
    refusal = rules.entry_change_refusal(extraction=extraction)
    if refusal:
        raise ApplicationError(refusal)
    entry.done, entry.done_at = False, None
    entry.save(update_fields=["done", "done_at", "updated_at"])
    audit_record(actor=actor, review=extraction.review, action=Action.UPDATE, instance=entry,
                 before={"done": True}, after={"done": False}, label=f"entry of {actor} reopened")
    _refresh_status(extraction)
    return entry


# -- consensus -------------------------------------------------------------------

def _refuse_settler(actor, extraction: Extraction) -> None:
    refusal = rules.settle_refusal(user=actor, roles=roles_of(user=actor, review=extraction.review),
                                   extraction=extraction)
    if refusal:
        raise ApplicationError(refusal)


def _pair(extraction: Extraction) -> tuple[Entry, Entry]:
    entries = list(extraction.entries.select_related("user").order_by("id"))
    if len(entries) < ENTRIES_PER_EXTRACTION or not all(e.done for e in entries):
        raise ApplicationError("Both entries must be done before differences are settled.")
    return entries[0], entries[1]


def differences(extraction: Extraction) -> tuple[dict, dict, list[str]]:
    """(first entry's flat answers, second's, the paths where they differ)."""
    a, b = _pair(extraction)
    definition = extraction.version.definition
    fa, fb = defs.flatten(definition, a.answers), defs.flatten(definition, b.answers)
    return fa, fb, rules.differing_paths(definition, a.answers, b.answers)


@transaction.atomic
def settlement_record(*, actor, extraction: Extraction, path: str, choice: str, other: str = "",
                      note: str = "") -> Settlement:
    """Settle one differing field: ``choice`` is "a" or "b" (take that entry's value), "empty", or
    "other" (the value typed in ``other``, checked as the field's type)."""
    extraction = Extraction.objects.select_for_update().get(pk=extraction.pk)
    _refuse_settler(actor, extraction)
    if extraction.status == Status.DONE:
        raise ApplicationError("The consensus is final already.")
    fa, fb, differ = differences(extraction)
    if path not in differ:
        raise ApplicationError("The two entries agree on this field; there is nothing to settle.",
                               {"field": "path"})
    found = defs.path_field(extraction.version.definition, path)
    if found is None:
        raise ApplicationError("No such field in the form.", {"field": "path"})
    if choice == "a":
        value = fa.get(path)
    elif choice == "b":
        value = fb.get(path)
    elif choice == "empty":
        value = None
    elif choice == "other":
        try:
            value = defs.clean_value(found[1], other.split("\n") if found[1]["type"] == "multiple" else [other],
                                     outcome_names(extraction.review))
        except ValueError as exc:
            raise ApplicationError(f"{found[1]['label']}: {exc}.", {"field": "other"}) from None
    else:
        raise ApplicationError("Choose one of the two values, or type another.", {"field": "choice"})
    existing = Settlement.objects.filter(extraction=extraction, path=path).first()
    before = {"value": existing.value} if existing else None
    settlement, _ = Settlement.objects.update_or_create(
        extraction=extraction, path=path, defaults={"value": value, "note": note.strip()[:500], "settled_by": actor})
    audit_record(actor=actor, review=extraction.review, action=Action.UPDATE if before else Action.CREATE,
                 instance=settlement, before=before, after={"path": path, "value": value, "note": settlement.note},
                 label=f"{extraction.study.label}: {defs.path_label(extraction.version.definition, path)} settled")
    return settlement


def consensus_answers(extraction: Extraction) -> tuple[dict, list[str]]:
    """The consensus the entries and settlements give, and the differing paths not yet settled."""
    fa, fb, differ = differences(extraction)
    settled = {s.path: s.value for s in extraction.settlements.all()}
    flat = {p: v for p, v in fa.items() if p not in differ}
    a, b = _pair(extraction)
    for path in defs.merged_paths(extraction.version.definition):
        texts = [t for t in (fa.get(path), fb.get(path)) if t]
        if len(texts) == 2 and not defs.same_value(*texts):
            flat[path] = f"{display_name(a.user)}: {texts[0]}\n{display_name(b.user)}: {texts[1]}"
        elif texts:
            flat[path] = texts[0]
    open_paths = []
    for path in differ:
        if path in settled:
            flat[path] = settled[path]
        else:
            open_paths.append(path)
    definition = extraction.version.definition
    answers = defs.unflatten(definition, flat)
    if "appraisal" in definition:
        answers = judgements.derive(definition, answers, extraction.target)
    return answers, open_paths


@transaction.atomic
def consensus_finalise(*, actor, extraction: Extraction) -> Extraction:
    extraction = Extraction.objects.select_for_update().get(pk=extraction.pk)
    _refuse_settler(actor, extraction)
    if extraction.status == Status.DONE:
        raise ApplicationError("The consensus is final already.")
    answers, open_paths = consensus_answers(extraction)
    if open_paths:
        raise ApplicationError(ngettext("%d difference still to settle.", "%d differences still to settle.",
                                        len(open_paths)) % len(open_paths))
    problems = check_answers(extraction.version.definition, answers)
    if problems:
        raise ApplicationError("The settled values do not fit together: " + " ".join(problems.values()))
    if "appraisal" in extraction.version.definition:
        missing = judgements.problems(extraction.version.definition, answers, extraction.target)
        if missing:
            raise ApplicationError("The consensus still needs: " + "; ".join(missing) + ".")
    extraction.consensus = answers
    extraction.finalised_by, extraction.finalised_at = actor, timezone.now()
    extraction.status = Status.DONE
    extraction.save()
    audit_record(actor=actor, review=extraction.review, action=Action.UPDATE, instance=extraction,
                 before={"consensus": None}, after={"consensus": answers},
                 label=f"consensus of {extraction.study.label} on {extraction.template.name}")
    return extraction


@transaction.atomic
def consensus_reopen(*, actor, extraction: Extraction) -> Extraction:
    """Undo a final consensus (its settlements stay), e.g. after a mistake was found."""
    extraction = Extraction.objects.select_for_update().get(pk=extraction.pk)
    _refuse_settler(actor, extraction)
    if extraction.status != Status.DONE:
        raise ApplicationError("There is no final consensus to reopen.")
    before = {"consensus": extraction.consensus}
    extraction.consensus, extraction.finalised_by, extraction.finalised_at = None, None, None
    extraction.status = Status.AWAITING_CONSENSUS
    extraction.save()
    audit_record(actor=actor, review=extraction.review, action=Action.UPDATE, instance=extraction,
                 before=before, after={"consensus": None}, label=f"consensus of {extraction.study.label} reopened")
    return extraction
