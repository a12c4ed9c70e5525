"""What an import read but did not understand, per field.

Parsers note a value they found but could not use (a year "10 15", a DOI field
without a DOI, a BibTeX field given twice) on the ImportReport handed to them;
the record itself is still imported. The report keeps, per field and kind of
problem, a count and the first few examples with their line numbers, so a
reviewer sees at once what to check without the report growing with the file.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EXAMPLES_KEPT = 3
_EXAMPLE_CHARS = 80


@dataclass
class FieldIssue:
    field: str
    message: str
    count: int = 0
    examples: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # {"value": str, "line": int | None}

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "count": self.count, "examples": list(self.examples)}


class ImportReport:
    """Collects the values an import could not use; ``rows()`` gives them for display or storage."""

    def __init__(self) -> None:
        self._issues: dict[tuple[str, str], FieldIssue] = {}

    def note(self, field_name: str, message: str, value: object = None, line: int | None = None) -> None:
        key = (field_name, message)
        issue = self._issues.get(key)
        if issue is None:
            issue = self._issues[key] = FieldIssue(field_name, message)
        issue.count += 1
        if len(issue.examples) < EXAMPLES_KEPT:
            text = " ".join(str(value).split()) if value is not None else ""
            if len(text) > _EXAMPLE_CHARS:
                text = text[:_EXAMPLE_CHARS - 1] + "…"
            issue.examples.append({"value": text, "line": line})

    def unread(self, field_name: str, value: object, line: int | None = None) -> None:
        """A value was present in the field but could not be read as that field."""
        self.note(field_name, "value present but not understood; left empty", value, line)

    def __bool__(self) -> bool:
        return bool(self._issues)

    def __len__(self) -> int:
        return len(self._issues)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per (field, problem): field, message, count, examples."""
        return [issue.as_dict() for issue in sorted(self._issues.values(), key=lambda i: (i.field, i.message))]


def check(report: ImportReport | None, field_name: str, raw: object, parsed: object, line: int | None,
          locate: Callable[[str], int | None] | None = None) -> None:
    """Note ``raw`` as unread when the field had a value but parsing it gave nothing.

    ``locate`` finds the value's own line (called only for a value that is noted);
    without it, ``line`` (the record's first line) is reported.
    """
    # A lone "0" is how some tools (Abstrackr) write "none"; it is not a value to check.
    if report is not None and parsed is None and raw and str(raw).strip("0 "):
        report.unread(field_name, raw, (locate(str(raw)) or line) if locate else line)
