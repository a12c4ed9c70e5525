"""The characteristics of included studies table (as Cochrane reviews carry it): a row per study
with its methods, participants, interventions, outcomes and notes, each column made of the
extraction fields the lead puts in it, plus the study's risk-of-bias summary. Pure: no Django.

A layout is JSON ``{column: [item, ...]}``; an item is a plain field's key or a repeating
group's key (arms, outcomes measured), whose rows are written one after another. The outcome
data group is not an item: it belongs to the analyses.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import definition as defs

COLUMNS = {"methods": "Methods", "participants": "Participants", "interventions": "Interventions",
           "outcomes": "Outcomes", "notes": "Notes"}
RISK_OF_BIAS = "Risk of bias"
# Where the built-in form's items go unless the lead says otherwise; other forms' items start unplaced.
DEFAULT_PLACES = {
    "design": "methods", "timepoints": "methods",
    "participants": "participants", "n_caregivers": "participants", "child_age_months": "participants",
    "presenting_difficulties": "participants", "difficulties_other": "participants", "country": "participants",
    "region": "participants",
    "intervention_category": "interventions", "programme": "interventions", "started_in_pregnancy": "interventions",
    "setting": "interventions", "format": "interventions", "arms": "interventions",
    "outcomes_measured": "outcomes", "notes": "notes",
}


class LayoutError(ValueError):
    """A layout that cannot be stored, with the reason (naming the column or item)."""


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    section: dict
    field: dict | None  # None for a repeating group as a whole


def items(definition: dict) -> list[Item]:
    """What a column can hold, in the form's order: plain fields and repeating groups."""
    out = []
    for section in defs.sections(definition):
        if section.get("kind") == "outcome_data":
            continue
        if section.get("repeat"):
            out.append(Item(key=section["key"], label=section.get("title") or section["key"], section=section,
                            field=None))
        else:
            out += [Item(key=f["key"], label=f.get("label") or f["key"], section=section, field=f)
                    for f in section["fields"]]
    return out


def default_layout(definition: dict) -> dict[str, list[str]]:
    layout: dict[str, list[str]] = {column: [] for column in COLUMNS}
    for item in items(definition):
        if item.key in DEFAULT_PLACES:
            layout[DEFAULT_PLACES[item.key]].append(item.key)
    return layout


def checked_layout(definition: dict, layout: Mapping) -> dict[str, list[str]]:
    """The layout with every column present, or LayoutError naming what is wrong: an unknown column,
    an item the form lacks, or an item in two columns."""
    if not isinstance(layout, Mapping):
        raise LayoutError("The layout must map each column to a list of field keys.")
    known = {item.key for item in items(definition)}
    out: dict[str, list[str]] = {column: [] for column in COLUMNS}
    placed: dict[str, str] = {}
    for column, keys in layout.items():
        if column not in COLUMNS:
            raise LayoutError(f"There is no column “{column}”; the columns are {', '.join(COLUMNS)}.")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise LayoutError(f"Column “{column}” must be a list of field keys.")
        for key in keys:
            if key not in known:
                raise LayoutError(f"The form has no field or group “{key}” (column “{column}”).")
            if key in placed:
                raise LayoutError(f"“{key}” is in two columns: {placed[key]} and {column}.")
            placed[key] = column
            out[column].append(key)
    return out


def _group_text(section: dict, rows: Sequence[dict]) -> str:
    parts = []
    for row in rows:
        values = [defs.display(row.get(f["key"]), f) for f in section["fields"]
                  if row.get(f["key"]) not in (None, "", [])]
        parts.append(", ".join(v for v in values if v))
    return "; ".join(p for p in parts if p)


def item_text(item: Item, answers: dict) -> str:
    if item.field is None:
        return _group_text(item.section, answers.get(item.key) or [])
    value = answers.get(item.key)
    return "" if value is None or value == "" or value == [] else defs.display(value, item.field)


def cell_lines(definition: dict, keys: Sequence[str], answers: dict) -> list[tuple[str, str]]:
    """(label, value) of each item of one column, in the layout's order; an empty answer shows as
    "not reported" rather than vanishing."""
    by_key = {item.key: item for item in items(definition)}
    out = []
    for key in keys:
        item = by_key.get(key)
        if item is not None:
            out.append((item.label, item_text(item, answers) or "not reported"))
    return out


def cell_text(lines: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in lines)


def risk_of_bias_text(judgements: Mapping[str, str]) -> str:
    """A study's overall judgements (outcome name -> judgement; "" for the whole study), as text."""
    if not judgements:
        return "not appraised"
    whole = judgements.get("")
    per_outcome = [f"{outcome}: {j}" for outcome, j in sorted(judgements.items()) if outcome]
    return "; ".join(([f"overall: {whole}"] if whole else []) + per_outcome)


@dataclass
class Row:
    study_id: int
    label: str
    cells: dict[str, list[tuple[str, str]]]  # column -> (label, value) lines
    risk_of_bias: str

    def by_column(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(column heading, its lines) in the table's order."""
        return [(COLUMNS[c], self.cells[c]) for c in COLUMNS]

    def texts(self) -> list[str]:
        return [cell_text(self.cells[c]) for c in COLUMNS] + [self.risk_of_bias]


def table_rows(definition: dict, layout: Mapping[str, list[str]],
               studies: Sequence[tuple[int, str, dict]],
               risk_of_bias: Mapping[tuple[int, str], str]) -> list[Row]:
    """A row per (study id, label, consensus answers)."""
    rows = []
    for study_id, label, answers in studies:
        judgements = {outcome: j for (sid, outcome), j in risk_of_bias.items() if sid == study_id}
        rows.append(Row(study_id=study_id, label=label,
                        cells={c: cell_lines(definition, layout.get(c, []), answers) for c in COLUMNS},
                        risk_of_bias=risk_of_bias_text(judgements)))
    return rows


def header() -> list[str]:
    return ["Study", *COLUMNS.values(), RISK_OF_BIAS]
