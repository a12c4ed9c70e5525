"""Descriptive summaries of the included studies' extraction fields. Pure: no Django.

The unit is the study: each study's final consensus is one set of answers, so a number such as the
caregivers is summed once per study however many reports the study has, and a multiple-choice
field counts a study once under each value it ticked (shares then add up to more than 100 %).
A study without an answer is counted as missing and listed, never dropped.
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import definition as defs

MISSING = "(missing)"
CHOICE_KINDS = ("single", "multiple", "ynu", "country")
NUMBER_KINDS = defs.NUMBER_TYPES
OUTCOMES_SECTION = "outcomes_measured"
OUTCOME_DATA_SECTION = "outcome_data"


@dataclass(frozen=True)
class StudyAnswers:
    """One included study and its final consensus answers."""

    study_id: int
    label: str
    answers: dict


@dataclass(frozen=True)
class SummaryField:
    """A plain (not repeating) field a summary can describe."""

    key: str
    label: str
    kind: str  # "choice" or "number"
    multiple: bool
    choices: tuple[str, ...]
    unit: str = ""


@dataclass
class ValueCount:
    value: str
    studies: list[StudyAnswers]
    total: int  # the studies the share is of

    @property
    def count(self) -> int:
        return len(self.studies)

    @property
    def percent(self) -> float:
        return 100.0 * self.count / self.total if self.total else 0.0


@dataclass
class ChoiceSummary:
    field: SummaryField
    values: list[ValueCount]
    missing: list[StudyAnswers]
    total: int


@dataclass
class NumberSummary:
    field: SummaryField
    values: list[float]
    missing: list[StudyAnswers]
    total: int

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def sum(self) -> float | None:
        return sum(self.values) if self.values else None

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.values) if self.values else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    @property
    def minimum(self) -> float | None:
        return min(self.values) if self.values else None

    @property
    def maximum(self) -> float | None:
        return max(self.values) if self.values else None


@dataclass
class CrossCell:
    row: str
    column: str
    studies: list[StudyAnswers] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.studies)


@dataclass
class CrossTable:
    rows_field: SummaryField
    columns_field: SummaryField
    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], CrossCell]
    total: int

    def cell(self, row: str, column: str) -> CrossCell:
        return self.cells.get((row, column)) or CrossCell(row=row, column=column)

    def table(self) -> list[tuple[str, list[CrossCell]]]:
        return [(r, [self.cell(r, c) for c in self.columns]) for r in self.rows]


@dataclass
class OutcomeFrequency:
    outcome: str
    studies: list[StudyAnswers]
    results: int  # outcome data rows (time points and comparisons) across those studies
    total: int

    @property
    def count(self) -> int:
        return len(self.studies)

    @property
    def percent(self) -> float:
        return 100.0 * self.count / self.total if self.total else 0.0


def summary_fields(definition: dict, outcome_names: Sequence[str] = ()) -> list[SummaryField]:
    """The plain fields of a form that can be counted (choices) or summed (numbers), in form order."""
    out = []
    for section in defs.sections(definition):
        if section.get("repeat"):
            continue
        for f in section["fields"]:
            kind = f.get("type")
            if kind in CHOICE_KINDS:
                choices = tuple(defs.field_choices(f, list(outcome_names))) if kind != "country" else ()
                out.append(SummaryField(key=f["key"], label=f.get("label") or f["key"], kind="choice",
                                        multiple=kind == "multiple", choices=choices))
            elif kind in NUMBER_KINDS:
                out.append(SummaryField(key=f["key"], label=f.get("label") or f["key"], kind="number",
                                        multiple=False, choices=(), unit=f.get("unit") or ""))
    return out


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _choice_values(value: Any) -> list[str]:
    if _is_empty(value):
        return []
    items = value if isinstance(value, list) else [value]
    # a study that ticked a value twice still counts once under it
    return list(dict.fromkeys(str(v) for v in items))


def _ordered(seen: dict[str, Any], choices: Sequence[str]) -> list[str]:
    """The form's choices first, in its order (those nobody chose too), then other values found."""
    return list(choices) + sorted((v for v in seen if v not in choices), key=str.casefold)


def choice_summary(f: SummaryField, studies: Sequence[StudyAnswers]) -> ChoiceSummary:
    by_value: dict[str, list[StudyAnswers]] = {}
    missing = []
    for s in studies:
        values = _choice_values(s.answers.get(f.key))
        if not values:
            missing.append(s)
        for v in values:
            by_value.setdefault(v, []).append(s)
    total = len(studies)
    return ChoiceSummary(field=f, total=total, missing=missing,
                         values=[ValueCount(value=v, studies=by_value.get(v, []), total=total)
                                 for v in _ordered(by_value, f.choices)])


def number_summary(f: SummaryField, studies: Sequence[StudyAnswers]) -> NumberSummary:
    values, missing = [], []
    for s in studies:
        value = s.answers.get(f.key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            missing.append(s)
        else:
            values.append(value)
    return NumberSummary(field=f, values=values, missing=missing, total=len(studies))


def summarise(f: SummaryField, studies: Sequence[StudyAnswers]) -> ChoiceSummary | NumberSummary:
    return choice_summary(f, studies) if f.kind == "choice" else number_summary(f, studies)


def _cross_values(f: SummaryField, s: StudyAnswers) -> list[str]:
    if f.kind == "number":
        value = s.answers.get(f.key)
        return [MISSING] if _is_empty(value) else [defs.display(value)]
    return _choice_values(s.answers.get(f.key)) or [MISSING]


def cross_table(rows_field: SummaryField, columns_field: SummaryField,
                studies: Sequence[StudyAnswers]) -> CrossTable:
    """Studies by the values of two fields; a multiple-choice study sits in every cell of its
    values, and a study without an answer in the row or column "(missing)"."""
    cells: dict[tuple[str, str], CrossCell] = {}
    seen_rows: dict[str, None] = {}
    seen_columns: dict[str, None] = {}
    for s in studies:
        for r in _cross_values(rows_field, s):
            seen_rows[r] = None
            for c in _cross_values(columns_field, s):
                seen_columns[c] = None
                cells.setdefault((r, c), CrossCell(row=r, column=c)).studies.append(s)

    def axis(f: SummaryField, seen: dict[str, None]) -> list[str]:
        if f.kind == "number":
            return sorted((v for v in seen if v != MISSING), key=float) + ([MISSING] if MISSING in seen else [])
        return [v for v in _ordered(seen, f.choices) if v != MISSING] + ([MISSING] if MISSING in seen else [])

    return CrossTable(rows_field=rows_field, columns_field=columns_field, rows=axis(rows_field, seen_rows),
                      columns=axis(columns_field, seen_columns), cells=cells, total=len(studies))


def outcome_frequencies(studies: Sequence[StudyAnswers], outcome_names: Sequence[str]) -> list[OutcomeFrequency]:
    """Per outcome, the studies that measured it (named among the outcomes measured or in an outcome
    data row) and how many results they report; the protocol's outcomes first, most measured first."""
    measured: dict[str, list[StudyAnswers]] = {name: [] for name in outcome_names}
    results: dict[str, int] = dict.fromkeys(outcome_names, 0)
    for s in studies:
        names = [row.get("outcome") for row in s.answers.get(OUTCOMES_SECTION) or []]
        data_rows = s.answers.get(OUTCOME_DATA_SECTION) or []
        names += [row.get("outcome") for row in data_rows]
        for name in dict.fromkeys(n for n in names if n):
            measured.setdefault(name, []).append(s)
        for row in data_rows:
            if row.get("outcome"):
                results[row["outcome"]] = results.get(row["outcome"], 0) + 1
    total = len(studies)
    out = [OutcomeFrequency(outcome=name, studies=found, results=results.get(name, 0), total=total)
           for name, found in measured.items()]
    return sorted(out, key=lambda o: -o.count)


# -- as JSON (the API's body) ----------------------------------------------------------

def _studies_json(studies: Sequence[StudyAnswers]) -> list[dict]:
    return [{"id": s.study_id, "label": s.label} for s in studies]


def summary_json(summary: ChoiceSummary | NumberSummary) -> dict:
    f = summary.field
    body: dict[str, Any] = {"key": f.key, "label": f.label, "kind": f.kind, "multiple": f.multiple,
                            "studies": summary.total, "missing": len(summary.missing),
                            "missing_studies": _studies_json(summary.missing)}
    if isinstance(summary, ChoiceSummary):
        body["values"] = [{"value": v.value, "count": v.count, "percent": round(v.percent, 1),
                           "studies": _studies_json(v.studies)} for v in summary.values]
    else:
        body.update(unit=f.unit, n=summary.n, sum=summary.sum, mean=summary.mean, median=summary.median,
                    min=summary.minimum, max=summary.maximum)
    return body


def cross_table_json(table: CrossTable) -> dict:
    return {"rows_field": table.rows_field.key, "columns_field": table.columns_field.key, "studies": table.total,
            "rows": table.rows, "columns": table.columns,
            "cells": [{"row": c.row, "column": c.column, "count": c.count, "studies": _studies_json(c.studies)}
                      for _, cells in table.table() for c in cells]}


def outcome_json(o: OutcomeFrequency) -> dict:
    return {"outcome": o.outcome, "count": o.count, "percent": round(o.percent, 1), "results": o.results,
            "studies": _studies_json(o.studies)}
