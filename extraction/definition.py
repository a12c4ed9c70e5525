"""Form definitions: their shape, their checks, and turning what a form posted into answers.

A definition is JSON::

    {"sections": [{"key", "title", "help", "repeat", "kind", "fields": [
        {"key", "label", "type", "required", "help", "choices", "choices_from", "min", "max", "unit"}]}]}

``repeat`` is the label of one row ("Arm", "Time point") for a repeating group, or "" for a
plain section. ``kind`` is "outcome_data" for the built-in outcome data group. Keys are stable:
they are made once from the label and never change, so a new version can carry answers over.

Answers are JSON: a plain section's fields are top-level keys; a repeating group is a list of
rows (dicts) under the section's key. Empty answers are left out.
"""
from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from typing import Any

FIELD_TYPES = {
    "text": "Text",
    "longtext": "Long text",
    "integer": "Whole number",
    "decimal": "Decimal number (with unit)",
    "single": "Single choice",
    "multiple": "Multiple choice",
    "ynu": "Yes / no / unclear",
    "date": "Date",
    "country": "Country",
}
CHOICE_TYPES = ("single", "multiple")
NUMBER_TYPES = ("integer", "decimal")
YNU = ["Yes", "No", "Unclear"]
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
MAX_TEXT = 5000


class DefinitionError(ValueError):
    """A definition that cannot be published, with the reason."""


@cache
def countries() -> tuple[str, ...]:
    import pycountry

    return tuple(sorted(c.name for c in pycountry.countries))


def make_key(label: str, taken: set[str]) -> str:
    """A key from a label: lower case, underscores; numbered when taken."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:50] or "field"
    if not base[0].isalpha():
        base = f"f_{base}"[:50]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def empty_definition() -> dict:
    return {"sections": []}


def sections(definition: dict) -> list[dict]:
    return definition.get("sections", [])


def field_choices(field: dict, outcome_names: list[str] | None = None) -> list[str]:
    if field.get("choices_from") == "outcomes":
        return list(outcome_names or [])
    if field["type"] == "ynu":
        return YNU
    if field["type"] == "country":
        return list(countries())
    return list(field.get("choices") or [])


def check_definition(definition: dict) -> None:
    """Raise DefinitionError unless the definition can be published."""
    seen_top: set[str] = set()
    if not sections(definition):
        raise DefinitionError("The form has no sections yet.")
    for section in sections(definition):
        title = section.get("title") or section.get("key")
        if not KEY_RE.match(section.get("key", "")):
            raise DefinitionError(f"Section “{title}” has an invalid key.")
        if not section.get("fields"):
            raise DefinitionError(f"Section “{title}” has no fields.")
        if section.get("repeat"):
            if section["key"] in seen_top:
                raise DefinitionError(f"The key “{section['key']}” is used twice.")
            seen_top.add(section["key"])
            names: set[str] = set()
        else:
            names = seen_top
        for field in section["fields"]:
            label = field.get("label") or field.get("key")
            if not KEY_RE.match(field.get("key", "")):
                raise DefinitionError(f"Field “{label}” has an invalid key.")
            if field["key"] in names:
                raise DefinitionError(f"The key “{field['key']}” is used twice (field “{label}”).")
            names.add(field["key"])
            if field.get("type") not in FIELD_TYPES:
                raise DefinitionError(f"Field “{label}” has an unknown type.")
            if (field["type"] in CHOICE_TYPES and not field.get("choices_from")
                    and len(field.get("choices") or []) < 2):
                raise DefinitionError(f"Field “{label}” needs at least two choices.")
            lo, hi = field.get("min"), field.get("max")
            if lo is not None and hi is not None and lo > hi:
                raise DefinitionError(f"Field “{label}”: the smallest allowed value is above the largest.")


def fields_by_path(definition: dict) -> dict[str, tuple[dict, dict]]:
    """Field key (plain sections) or ``section.field`` (repeating groups) -> (section, field)."""
    out = {}
    for section in sections(definition):
        for field in section["fields"]:
            name = f"{section['key']}.{field['key']}" if section.get("repeat") else field["key"]
            out[name] = (section, field)
    return out


def derived_paths(definition: dict) -> set[str]:
    """Paths of fields the application fills (e.g. an algorithm's proposed judgement), never a person."""
    return {path for path, (_, field) in fields_by_path(definition).items() if field.get("derived")}


def merged_paths(definition: dict) -> set[str]:
    """Paths of free texts that are not settled between two entries: the consensus keeps both."""
    return {path for path, (_, field) in fields_by_path(definition).items() if field.get("merge")}


# -- input names and cleaning -------------------------------------------------

def input_name(section: dict, field: dict, row: int | None = None) -> str:
    if section.get("repeat"):
        return f"r-{section['key']}-{row}-{field['key']}"
    return f"f-{field['key']}"


def remove_name(section: dict, row: int) -> str:
    return f"r-{section['key']}-{row}-_remove"


def _number(text: str, integer: bool) -> float | int:
    cleaned = text.strip()
    if cleaned.count(",") == 1 and "." not in cleaned:  # a decimal comma
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError("whole number expected" if integer else "number expected") from None
    if not math.isfinite(value):
        raise ValueError("number expected")
    if integer:
        if value != int(value):
            raise ValueError("whole number expected")
        return int(value)
    return value


def clean_value(field: dict, raw: list[str], outcome_names: list[str] | None = None) -> Any:
    """The answer for one field from what was posted, or None when empty; ValueError with the reason."""
    values = [v.strip() for v in raw if v is not None and v.strip()]
    if not values:
        return None
    kind = field["type"]
    if kind == "multiple":
        allowed = field_choices(field, outcome_names)
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValueError(f"“{unknown[0]}” is not one of the choices")
        return [c for c in allowed if c in values]
    text = values[0]
    if kind in ("text", "longtext"):
        if len(text) > MAX_TEXT:
            raise ValueError(f"at most {MAX_TEXT} characters")
        return text
    if kind in NUMBER_TYPES:
        value = _number(text, kind == "integer")
        lo, hi = field.get("min"), field.get("max")
        if lo is not None and value < lo:
            raise ValueError(f"must be at least {lo:g}")
        if hi is not None and value > hi:
            raise ValueError(f"must be at most {hi:g}")
        return value
    if kind in ("single", "ynu", "country"):
        if text not in field_choices(field, outcome_names):
            raise ValueError(f"“{text}” is not one of the choices")
        return text
    if kind == "date":
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError("a date as YYYY-MM-DD expected") from None
    raise ValueError("unknown field type")


@dataclass
class Parsed:
    answers: dict
    errors: dict[str, str]  # answer path (answers.key, answers.group.0.key) -> message
    missing: list[str]  # labels of required fields left empty
    missing_paths: dict[str, str] = dataclass_field(default_factory=dict)  # their paths -> labels


def repeat_rows(section: dict, data) -> list[int]:
    """The row indices a repeating group posted, in order."""
    prefix = f"r-{section['key']}-"
    rows = set()
    for name in data:
        if name.startswith(prefix):
            index = name[len(prefix):].split("-", 1)[0]
            if index.isdigit():
                rows.add(int(index))
    return sorted(rows)


def answers_as_post(definition: dict, answers: dict) -> dict[str, list[str]]:
    """What the entry form's inputs hold for these answers (the inverse of entry_post.answers_from_post)."""
    out: dict[str, list[str]] = {}

    def as_strings(value) -> list[str]:
        if value is None:
            return []
        if isinstance(value, list):
            return [str(v) for v in value]
        if isinstance(value, float) and value.is_integer():
            return [str(int(value))] if abs(value) < 1e15 else [repr(value)]
        return [str(value)]

    for section in sections(definition):
        if section.get("repeat"):
            for i, row in enumerate(answers.get(section["key"]) or []):
                for field in section["fields"]:
                    if field["key"] in row:
                        out[input_name(section, field, i)] = as_strings(row[field["key"]])
            continue
        for field in section["fields"]:
            if field["key"] in answers:
                out[input_name(section, field)] = as_strings(answers[field["key"]])
    return out


# -- paths: one answer each, for comparison and settlement ---------------------

def flatten(definition: dict, answers: dict) -> dict[str, Any]:
    """``{path: value}`` with paths ``key`` and ``section[i].key`` (rows counted from 0)."""
    out = {}
    for section in sections(definition):
        if section.get("repeat"):
            for i, row in enumerate(answers.get(section["key"]) or []):
                for field in section["fields"]:
                    if row.get(field["key"]) is not None:
                        out[f"{section['key']}[{i}].{field['key']}"] = row[field["key"]]
        else:
            for field in section["fields"]:
                if answers.get(field["key"]) is not None:
                    out[field["key"]] = answers[field["key"]]
    return out


PATH_RE = re.compile(r"^(?P<section>[a-z][a-z0-9_]*)\[(?P<row>\d+)\]\.(?P<field>[a-z][a-z0-9_]*)$")


def unflatten(definition: dict, flat: dict[str, Any]) -> dict:
    answers: dict = {}
    groups: dict[str, dict[int, dict]] = {}
    for path, value in flat.items():
        if value is None:
            continue
        match = PATH_RE.match(path)
        if match:
            groups.setdefault(match["section"], {}).setdefault(int(match["row"]), {})[match["field"]] = value
        else:
            answers[path] = value
    for key, rows in groups.items():
        answers[key] = [rows[i] for i in sorted(rows) if rows[i]]
    return answers


def path_field(definition: dict, path: str) -> tuple[dict, dict, int | None] | None:
    """(section, field, row) of a path, or None when the definition has no such field."""
    match = PATH_RE.match(path)
    lookup = fields_by_path(definition)
    if match:
        found = lookup.get(f"{match['section']}.{match['field']}")
        return (found[0], found[1], int(match["row"])) if found else None
    found = lookup.get(path)
    return (found[0], found[1], None) if found else None


def path_label(definition: dict, path: str) -> str:
    found = path_field(definition, path)
    if found is None:
        return path
    section, field, row = found
    if row is None:
        return f"{section['title']} · {field['label']}"
    return f"{section['title']} · {section['repeat']} {row + 1} · {field['label']}"


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()) == " ".join(b.split())
    return a == b


def display(value: Any, field: dict | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float):
        text = f"{value:g}" if abs(value) < 1e6 else str(value)
    else:
        text = str(value)
    if field and field.get("unit") and isinstance(value, (int, float)):
        text += f" {field['unit']}"
    return text


# -- versions ------------------------------------------------------------------

def carry_answers(old: dict, new: dict, answers: dict, *, version: int,
                  outcome_names: list[str] | None = None) -> tuple[dict, dict]:
    """Answers moved to a new definition: kept where the field (by key) is unchanged in kind and the
    value still fits; everything else returned as retired ``{path: {"value", "label", "version"}}``."""
    new_fields = fields_by_path(new)
    kept: dict[str, Any] = {}
    retired: dict[str, dict] = {}
    for path, value in flatten(old, answers).items():
        old_section, old_field, row = path_field(old, path)
        lookup = f"{old_section['key']}.{old_field['key']}" if row is not None else old_field["key"]
        target = new_fields.get(lookup)
        fits = False
        if target is not None and target[1]["type"] == old_field["type"]:
            try:
                raw = value if isinstance(value, list) else [repr(value) if isinstance(value, float) else str(value)]
                fits = clean_value(target[1], [str(v) for v in raw], outcome_names) is not None
            except ValueError:
                fits = False
        if fits:
            kept[path] = value
        else:
            retired[path] = {"value": value, "label": path_label(old, path), "version": version}
    return unflatten(new, kept), retired


# -- answers as data (the services' input; the page converts its form post) ----

def _as_inputs(value: Any, field: dict) -> list[str] | str:
    """What a form input would hold for one JSON answer, or the reason it cannot be one."""
    if value is None:
        return []
    if isinstance(value, list):
        if field["type"] != "multiple":
            return "one value expected, not a list"
        if not all(isinstance(v, str) for v in value):
            return "a list of the chosen texts expected"
        return list(value)
    if isinstance(value, bool) or isinstance(value, dict):
        return "a text or a number expected"
    if field["type"] == "multiple":
        return "a list of the chosen texts expected"
    if isinstance(value, float):
        return [repr(value)]
    return [str(value)]


def answer_key(section: dict, field: dict, row: int | None = None) -> str:
    """Where an answer sits in the answers JSON: ``answers.key`` or ``answers.group.0.key``."""
    if section.get("repeat"):
        return f"answers.{section['key']}.{row}.{field['key']}"
    return f"answers.{field['key']}"


def parse_answers(definition: dict, answers: dict, outcome_names: list[str] | None = None) -> Parsed:
    """Answers given as data, in the shape entries store them (a plain field's value under its key, a
    repeating group as a list of rows), checked and cleaned as the form's fields say: every problem
    at once, by path (``answers.key``, ``answers.group.0.key``), with the messages the form shows.
    Texts are read as the form reads its inputs ("1,5" is 1.5); rows left empty are dropped."""
    if not isinstance(answers, dict):
        return Parsed(answers={}, errors={"answers": "An object of answers by field key expected."}, missing=[])
    plain = {f["key"]: (s, f) for s in sections(definition) if not s.get("repeat") for f in s["fields"]}
    groups = {s["key"]: s for s in sections(definition) if s.get("repeat")}
    out: dict = {}
    errors: dict[str, str] = {}
    missing: list[str] = []
    missing_paths: dict[str, str] = {}
    for key in answers:
        if key not in plain and key not in groups:
            errors[f"answers.{key}"] = "No such field in the form."
    for section in sections(definition):
        if section.get("repeat"):
            given = answers.get(section["key"])
            if given is None:
                continue
            if not isinstance(given, list) or not all(isinstance(row, dict) for row in given):
                errors[f"answers.{section['key']}"] = f"{section['title']}: a list of rows (objects) expected."
                continue
            by_key = {f["key"]: f for f in section["fields"]}
            rows = []
            for i, given_row in enumerate(given):
                row, row_errors = {}, {}
                for field_key in given_row:
                    if field_key not in by_key:
                        row_errors[f"answers.{section['key']}.{i}.{field_key}"] = "No such field in the form."
                for field in section["fields"]:
                    path = answer_key(section, field, i)
                    try:
                        value = _clean_answer(field, given_row.get(field["key"]), outcome_names)
                    except ValueError as exc:  # named as the checks of impossible values name them
                        row_errors[path] = f"{section['repeat']} {len(rows) + 1}, {field['label']}: {exc}."
                        continue
                    if value is not None:
                        row[field["key"]] = value
                if row or row_errors:
                    errors.update(row_errors)
                    rows.append(row)
                    for f in section["fields"]:
                        if f.get("required") and f["key"] not in row:
                            label = f"{section['repeat']} {len(rows)}: {f['label']}"
                            missing.append(label)
                            missing_paths[answer_key(section, f, i)] = label
            if rows:
                out[section["key"]] = rows
            continue
        for field in section["fields"]:
            path = answer_key(section, field)
            try:
                value = _clean_answer(field, answers.get(field["key"]), outcome_names)
            except ValueError as exc:
                errors[path] = f"{field['label']}: {exc}."
                continue
            if value is not None:
                out[field["key"]] = value
            elif field.get("required"):
                missing.append(field["label"])
                missing_paths[path] = field["label"]
    return Parsed(answers=out, errors=errors, missing=missing, missing_paths=missing_paths)


def _clean_answer(field: dict, value: Any, outcome_names: list[str] | None) -> Any:
    """One answer given as data, cleaned as `clean_value` cleans a form input; ValueError with the reason."""
    raw = _as_inputs(value, field)
    if isinstance(raw, str):
        raise ValueError(raw)
    return clean_value(field, raw, outcome_names)
