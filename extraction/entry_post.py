"""The entry form's post as answers, and the services' problems back onto the form's inputs.

The services take answers as data (the shape entries store, what the API sends); only the page
knows its inputs' names (``f-key``, ``r-group-row-key``, see definition.input_name). This turns a
post into answers without checking anything (the service checks), and names each problem the
service reports by answer path after the input it belongs to, so the form shows it in place.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import definition as defs
from .models import Entry, Extraction


@dataclass
class PostedAnswers:
    answers: dict
    # answer path (answers.key, answers.group.0.key) -> the input it came from
    inputs: dict[str, str] = field(default_factory=dict)

    def input_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """The service's problems by input name ("__all__" and unknown paths stay as they are)."""
        return {self.inputs.get(path, path): message for path, message in errors.items()}


def _getlist(data, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return data.getlist(name)
    value = data.get(name, [])
    return value if isinstance(value, list) else [value]


def _value(section: dict, fdef: dict, raw: list[str]):
    texts = [t for t in raw if t is not None and str(t).strip()]
    if fdef["type"] == "multiple":
        return texts or None
    return texts[0] if texts else None


def answers_from_post(definition: dict, data) -> PostedAnswers:
    """Answers as texts from a posted entry form (a QueryDict or a dict of lists): rows the person
    removed are left out, and so are rows with nothing typed (numbering follows what is kept)."""
    posted = PostedAnswers(answers={})
    for section in defs.sections(definition):
        if not section.get("repeat"):
            for fdef in section["fields"]:
                name = defs.input_name(section, fdef)
                value = _value(section, fdef, _getlist(data, name))
                if value is not None:
                    posted.answers[fdef["key"]] = value
                posted.inputs[defs.answer_key(section, fdef)] = name
            continue
        rows = []
        for i in defs.repeat_rows(section, data):
            if any(str(v).strip() for v in _getlist(data, defs.remove_name(section, i))):
                continue
            row = {}
            for fdef in section["fields"]:
                value = _value(section, fdef, _getlist(data, defs.input_name(section, fdef, i)))
                if value is not None:
                    row[fdef["key"]] = value
            if not row:
                continue
            for fdef in section["fields"]:
                posted.inputs[defs.answer_key(section, fdef, len(rows))] = defs.input_name(section, fdef, i)
            rows.append(row)
        if rows:
            posted.answers[section["key"]] = rows
    return posted


def entry_definition(*, template, study, user, target: str = "") -> dict | None:
    """The form definition a save of this person's entry is checked against: their entry's version,
    else the extraction's, else the form's current one (None while the form is unpublished)."""
    entry = (Entry.objects.filter(extraction__template=template, extraction__study=study,
                                  extraction__target=target, user=user).select_related("version").first())
    if entry is not None:
        return entry.version.definition
    extraction = (Extraction.objects.filter(template=template, study=study, target=target)
                  .select_related("version").first())
    version = extraction.version if extraction is not None else template.current_version
    return version.definition if version is not None else None


def posted_answers(*, template, study, user, data, target: str = "") -> PostedAnswers:
    """A post of the entry form (or appraisal form) of this person as answers for the services."""
    definition = entry_definition(template=template, study=study, user=user, target=target)
    return answers_from_post(definition, data) if definition is not None else PostedAnswers(answers={})
