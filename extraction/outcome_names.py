"""Outcome names inside stored answers: finding and changing them.

Answers are JSON, so a field whose choices are the review's outcomes (``choices_from: outcomes``: the
outcome of each outcome data row, the outcomes a study measured) stores the outcome's name. These
functions find every such name in answers, in a form's draft (input name -> typed strings) and in a
settlement (path -> value), and rewrite them through ``change``: a function from a stored name to
its new name, or None to leave it. Plain Python: the data migration uses them too.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from . import definition as defs

Change = Callable[[str], "str | None"]


def same_name(a: str, b: str) -> bool:
    """Names are one outcome's when they differ only in case and spacing (as the protocol's outcome
    names must differ in more than that)."""
    return name_key(a) == name_key(b)


def name_key(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def outcome_fields(definition: dict) -> list[tuple[dict, dict]]:
    """(section, field) of every field whose choices are the review's outcomes."""
    return [(s, f) for s in defs.sections(definition) for f in s["fields"] if f.get("choices_from") == "outcomes"]


def changed(value: Any, change: Change) -> tuple[Any, int]:
    if isinstance(value, str):
        new = change(value)
        return (new, 1) if new is not None and new != value else (value, 0)
    if isinstance(value, list):
        out, count = [], 0
        for item in value:
            new, n = changed(item, change)
            out.append(new)
            count += n
        return out, count
    return value, 0


def names_in_answers(definition: dict, answers: dict | None) -> Iterator[str]:
    answers = answers or {}
    for section, field in outcome_fields(definition):
        rows = (answers.get(section["key"]) or []) if section.get("repeat") else [answers]
        for row in rows:
            value = row.get(field["key"]) if isinstance(row, dict) else None
            yield from ([value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)])


def rename_in_answers(definition: dict, answers: dict | None, change: Change) -> int:
    """Rewrite the outcome names in ``answers`` in place; returns how many changed."""
    count = 0
    for section, field in outcome_fields(definition):
        rows = ((answers or {}).get(section["key"]) or []) if section.get("repeat") else [answers or {}]
        for row in rows:
            if isinstance(row, dict) and field["key"] in row:
                row[field["key"]], n = changed(row[field["key"]], change)
                count += n
    return count


def _input_pattern(definition: dict) -> re.Pattern | None:
    names = []
    for section, field in outcome_fields(definition):
        if section.get("repeat"):
            names.append(rf"r-{re.escape(section['key'])}-\d+-{re.escape(field['key'])}")
        else:
            names.append(rf"f-{re.escape(field['key'])}")
    return re.compile("^(?:" + "|".join(names) + ")$") if names else None


def rename_in_draft(definition: dict, draft: dict | None, change: Change) -> int:
    """Rewrite the outcome names a form's draft holds (what was typed, input name -> strings)."""
    pattern = _input_pattern(definition)
    count = 0
    for name, values in (draft or {}).items() if pattern else []:
        if pattern.match(name):
            draft[name], n = changed(values, change)
            count += n
    return count


def is_outcome_path(definition: dict, path: str) -> bool:
    found = defs.path_field(definition, path)
    return found is not None and found[1].get("choices_from") == "outcomes"
