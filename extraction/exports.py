"""Extraction data as tables: wide (one row per study) and long (one row per study, outcome, time point
and arm), written as CSV or XLSX. Every file goes through `write_table`, and so through the app's
one writer (reviewapp.tabular), which neutralises cells a spreadsheet would run."""
from __future__ import annotations

import pandas as pd

from reviewapp import tabular
from reviewapp.selectors import outcome_directions

from . import definition as defs
from . import outcome_data, selectors

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
LONG_VALUES = ["n", "mean", "sd", "se", "ci_lb", "ci_ub", "events"]
RESULT_VALUES = ["effect_measure", "effect", "effect_ci_lb", "effect_ci_ub", "effect_se", "effect_p",
                 "pre_mean", "pre_sd", "post_mean", "post_sd", "r", "r_source"]


def write_table(frame: pd.DataFrame, fmt: str, sheet: str = "data") -> bytes:
    """The table through the app's one CSV/XLSX writer, which neutralises cells a spreadsheet would run."""
    rows = [list(frame.columns), *([None if pd.isna(v) else v for v in row]
                                   for row in frame.itertuples(index=False, name=None))]
    if fmt == "csv":
        return tabular.csv_text(rows).encode("utf-8")
    if fmt == "xlsx":
        return tabular.xlsx_bytes({sheet: rows})
    raise ValueError(f"unknown format {fmt!r}")


def _cell(value):
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def wide_frame(*, template) -> pd.DataFrame:
    """Study characteristics: every field except the outcome data (see the long table), repeating
    groups as numbered columns (arms_1_name, arms_2_name, ...)."""
    records = []
    columns: list[str] = ["study"]
    for study, answers, definition in selectors.consensus_rows(template=template):
        record = {"study": study.label}
        for section in defs.sections(definition):
            if section.get("kind") == "outcome_data":
                continue
            if section.get("repeat"):
                for i, row in enumerate(answers.get(section["key"]) or [], start=1):
                    for f in section["fields"]:
                        record[f"{section['key']}_{i}_{f['key']}"] = _cell(row.get(f["key"]))
            else:
                for f in section["fields"]:
                    record[f["key"]] = _cell(answers.get(f["key"]))
        columns += [c for c in record if c not in columns]
        records.append(record)
    return pd.DataFrame.from_records(records, columns=columns)


def long_frame(*, template) -> pd.DataFrame:
    review = template.review
    directions = outcome_directions(review=review)
    records = []
    for study, answers, _ in selectors.consensus_rows(template=template):
        for number, row in enumerate(answers.get(outcome_data.SECTION_KEY) or [], start=1):
            effect = outcome_data.row_effect(row, higher_favours_intervention=directions.get(row.get("outcome"), True))
            common = {"study": study.label, "result": number, "outcome": row.get("outcome"),
                      "instrument": row.get("instrument"), "higher_is_better": row.get("higher_is_better"),
                      "timepoint": row.get("timepoint"), "data_type": row.get("data_type")}
            result = {k: row.get(k) for k in RESULT_VALUES}
            harmonised = {"measure": effect.measure or None, "yi": effect.yi, "vi": effect.vi,
                          "sign_flipped": effect.flipped if effect.complete else None}
            kind = row.get("data_type")
            arms = []
            if kind in (outcome_data.CONTINUOUS, outcome_data.DICHOTOMOUS):
                arms = [("intervention", row.get("i_arm"), "i"), ("comparator", row.get("c_arm"), "c")]
            elif kind == outcome_data.PREPOST:
                arms = [("pre-post group", row.get("i_arm"), "i")]
            if not arms:
                records.append({**common, "arm_role": "comparison", "arm": None,
                                **{k: None for k in LONG_VALUES}, **result, **harmonised})
            for role, label, prefix in arms:
                records.append({**common, "arm_role": role, "arm": label,
                                **{k: row.get(f"{prefix}_{k}") for k in LONG_VALUES}, **result, **harmonised})
    columns = ["study", "result", "outcome", "instrument", "higher_is_better", "timepoint", "data_type",
               "arm_role", "arm", *LONG_VALUES, *RESULT_VALUES, "measure", "yi", "vi", "sign_flipped"]
    return pd.DataFrame.from_records(records, columns=columns)
