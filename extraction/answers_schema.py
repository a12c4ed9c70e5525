"""The JSON Schema of the answers of one published form version: what an API client sends as an
entry's ``answers`` and reads back (plain fields by key, a repeating group as a list of rows).

Built from the version's definition with the same rules as `definition.clean_value`: types,
units, choices, ranges and repeating groups. Empty answers are null or left out, so a draft
validates; the fields required to mark an entry done are listed under ``x-required-when-done``.
"""
from __future__ import annotations

from typing import Any

from . import definition as defs

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _value_schema(field: dict, outcome_names: list[str]) -> dict[str, Any]:
    kind = field["type"]
    if kind in ("text", "longtext"):
        schema: dict[str, Any] = {"type": "string", "maxLength": defs.MAX_TEXT}
    elif kind in defs.NUMBER_TYPES:
        schema = {"type": "integer" if kind == "integer" else "number"}
        if field.get("min") is not None:
            schema["minimum"] = field["min"]
        if field.get("max") is not None:
            schema["maximum"] = field["max"]
        if field.get("unit"):
            schema["x-unit"] = field["unit"]
    elif kind == "multiple":
        schema = {"type": "array", "uniqueItems": True,
                  "items": {"type": "string", "enum": defs.field_choices(field, outcome_names)}}
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    else:  # single, ynu, country
        schema = {"type": "string", "enum": defs.field_choices(field, outcome_names)}
    described = {"title": field["label"], "x-field-type": kind}
    if field.get("help"):
        described["description"] = field["help"]
    return {**described, "anyOf": [schema, {"type": "null"}]}


def _object(fields: list[dict], outcome_names: list[str]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False,
            "properties": {f["key"]: _value_schema(f, outcome_names) for f in fields}}


def answers_schema(*, definition: dict, outcome_names: list[str], title: str) -> dict[str, Any]:
    """The schema of ``answers`` under ``definition`` (choices from the review's outcomes where a
    field takes them)."""
    properties: dict[str, Any] = {}
    required_when_done: list[str] = []
    for section in defs.sections(definition):
        fields = section.get("fields", [])
        if section.get("repeat"):
            row = _object(fields, outcome_names)
            row["title"] = section["repeat"]
            properties[section["key"]] = {"title": section.get("title", ""), "type": ["array", "null"],
                                          "items": row}
            required_when_done += [f"{section['key']}[].{f['key']}" for f in fields if f.get("required")]
        else:
            for field in fields:
                properties[field["key"]] = _value_schema(field, outcome_names)
                if field.get("required"):
                    required_when_done.append(field["key"])
    return {"$schema": DIALECT, "title": title, "type": "object", "additionalProperties": False,
            "properties": properties, "x-required-when-done": required_when_done}
