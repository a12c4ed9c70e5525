"""What the templates need to draw a form: sections, rows and fields with their values and errors.

Values are the strings the inputs hold (what was typed), so a refused save or a restored draft
comes back exactly as the person left it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from reviewapp.widgets import plain_number

from . import definition as defs
from . import outcome_data

# The blocks of an outcome data row, and the data types each block serves (for hiding the others).
OUTCOME_BLOCKS = [
    ("Result", ("outcome", "instrument", "higher_is_better", "timepoint", "data_type", "i_arm", "c_arm"), ""),
    ("Intervention arm (or the pre-post group)", ("i_",), "continuous dichotomous prepost"),
    ("Comparator arm", ("c_",), "continuous dichotomous"),
    ("Reported effect", ("effect",), "effect"),
    ("Pre-post", ("pre_", "post_", "r", "r_source"), "prepost"),
]
DATA_TYPE_SLUGS = {outcome_data.CONTINUOUS: "continuous", outcome_data.DICHOTOMOUS: "dichotomous",
                   outcome_data.EFFECT: "effect", outcome_data.PREPOST: "prepost"}


@dataclass
class FieldView:
    name: str
    id: str
    key: str
    label: str
    type: str
    required: bool
    help: str
    unit: str
    choices: list[str]
    values: list[str]
    error: str = ""
    min: float | None = None
    max: float | None = None

    @property
    def value(self) -> str:
        return self.values[0] if self.values else ""


@dataclass
class Block:
    title: str
    serves: str
    fields: list[FieldView]


@dataclass
class RowView:
    index: str
    number: int
    blocks: list[Block]
    remove_name: str
    effect: object = None
    data_type: str = ""


@dataclass
class SectionView:
    key: str
    title: str
    help: str
    repeat: str
    kind: str
    fields: list[FieldView] = field(default_factory=list)
    rows: list[RowView] = field(default_factory=list)
    blank: RowView | None = None


def _field_view(section: dict, spec: dict, row, values: dict, errors: dict, outcome_names) -> FieldView:
    name = defs.input_name(section, spec, row)
    choices = defs.field_choices(spec, outcome_names) if spec["type"] in ("single", "multiple", "ynu") else []
    return FieldView(name=name, id="id_" + name, key=spec["key"], label=spec["label"], type=spec["type"],
                     required=bool(spec.get("required")), help=spec.get("help", ""), unit=spec.get("unit", ""),
                     choices=choices, values=list(values.get(name, [])), error=errors.get(name, ""),
                     min=plain_number(spec.get("min")), max=plain_number(spec.get("max")))


def _blocks(section: dict, fields: list[FieldView]) -> list[Block]:
    if section.get("kind") != "outcome_data":
        return [Block(title="", serves="", fields=fields)]
    blocks = []
    left = list(fields)
    for title, keys, serves in OUTCOME_BLOCKS:
        mine = [f for f in left if f.key in keys or any(f.key.startswith(k) for k in keys if k.endswith("_"))
                or (keys == ("effect",) and f.key.startswith("effect"))]
        left = [f for f in left if f not in mine]
        if serves:  # the block's title says whose value it is: "Comparator: n" shows as "n"
            mine = [FieldView(**{**f.__dict__, "label": f.label.split(": ", 1)[-1]}) for f in mine]
        blocks.append(Block(title=title, serves=serves, fields=mine))
    if left:
        blocks.append(Block(title="Other", serves="", fields=left))
    return blocks


def form_view(definition: dict, values: dict[str, list[str]], errors: dict[str, str], outcome_names: list[str],
              effects: dict[tuple[str, int], object] | None = None, with_blank: bool = True) -> list[SectionView]:
    out = []
    for section in defs.sections(definition):
        view = SectionView(key=section["key"], title=section["title"], help=section.get("help", ""),
                           repeat=section.get("repeat", ""), kind=section.get("kind", ""))
        if not section.get("repeat"):
            view.fields = [_field_view(section, f, None, values, errors, outcome_names) for f in section["fields"]]
            out.append(view)
            continue
        indices = defs.repeat_rows(section, values)
        next_index = (max(indices) + 1) if indices else 0
        for number, i in enumerate(indices, start=1):
            fields = [_field_view(section, f, i, values, errors, outcome_names) for f in section["fields"]]
            data_type = next((f.value for f in fields if f.key == "data_type"), "")
            view.rows.append(RowView(index=str(i), number=number, blocks=_blocks(section, fields),
                                     remove_name=defs.remove_name(section, i),
                                     effect=(effects or {}).get((section["key"], i)),
                                     data_type=DATA_TYPE_SLUGS.get(data_type, "")))
        # One empty row is always offered (rows left empty are dropped on save); the script adds more.
        blank_fields = [_field_view(section, f, "__i__", {}, {}, outcome_names) for f in section["fields"]]
        view.blank = RowView(index="__i__", number=0, blocks=_blocks(section, blank_fields),
                             remove_name=defs.remove_name(section, "__i__"))
        if with_blank:
            view.rows.append(_renumber(view.blank, next_index, len(view.rows) + 1))
        out.append(view)
    return out


def _renumber(row: RowView, index: int, number: int) -> RowView:
    def fix(f: FieldView) -> FieldView:
        return FieldView(**{**f.__dict__, "name": f.name.replace("__i__", str(index)),
                            "id": f.id.replace("__i__", str(index))})
    return RowView(index=str(index), number=number,
                   blocks=[Block(b.title, b.serves, [fix(f) for f in b.fields]) for b in row.blocks],
                   remove_name=row.remove_name.replace("__i__", str(index)))


def row_effects(definition: dict, answers: dict, directions: dict[str, bool]) -> dict[tuple[str, int], object]:
    """The effect of each saved outcome data row, keyed like the rows the form draws."""
    out = {}
    for section in defs.sections(definition):
        if section.get("kind") != "outcome_data":
            continue
        for i, row in enumerate(answers.get(section["key"]) or []):
            out[(section["key"], i)] = outcome_data.row_effect(
                row, higher_favours_intervention=directions.get(row.get("outcome", ""), True))
    return out
