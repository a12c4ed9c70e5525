"""Files that leave the app for the tools where reviews are written up:

- the summary-of-findings table as a Word-friendly HTML file, CSV and XLSX;
- RevMan Web's four study-centric CSVs (study information, study arms, study results, risk of
  bias 2), zipped; the column mapping is documented in README.md ("Exports for RevMan Web");
- one R archive with every analysis' data and metafor script plus run_all.R;
- robvis-shaped CSVs of the appraisals, one per tool.

Every CSV and XLSX goes through reviewapp.tabular, which neutralises formulas.
"""
from __future__ import annotations

import io
import json
import zipfile
from html import escape

from extraction import definition as defs
from extraction import selectors as extraction_selectors
from extraction.appraisal import selectors as appraisal_selectors
from extraction.appraisal import tools as appraisal_tools
from extraction.outcome_data import SECTION_KEY
from reviewapp.models import Review
from reviewapp.tabular import csv_text, xlsx_bytes

from .. import reproduce
from ..codegen import NotALiteral, r_strings
from ..models import AnalysisRun
from ..selectors import slug
from . import selectors

# -- summary of findings -------------------------------------------------------------------------


def sof_csv(*, review: Review) -> str:
    return csv_text(selectors.table(review=review))


def sof_xlsx(*, review: Review) -> bytes:
    return xlsx_bytes({"Summary of findings": selectors.table(review=review)})


SOF_STYLE = """body{font-family:Calibri,Arial,sans-serif;font-size:10pt}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #000;padding:4pt;vertical-align:top;text-align:left}
th{background:#d9e2f3}
caption{font-weight:bold;text-align:left;padding-bottom:6pt}
p.note{font-size:9pt}"""


def sof_html(*, review: Review) -> str:
    """A standalone file Word opens as a table: one <table>, styles in one <style> element."""
    rows = selectors.table(review=review)
    head = "".join(f"<th>{escape(h)}</th>" for h in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows[1:])
    question = escape(review.question or review.title)
    pico = "<br>".join(f"{label}: {escape(value)}" for label, value in (
        ("Population", review.population), ("Intervention", review.intervention), ("Comparison", review.comparator))
        if value)
    pico_row = f'<tr><td colspan="{len(rows[0])}">{pico}</td></tr>' if pico else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Summary of findings: {escape(review.title)}</title>
<style>{SOF_STYLE}</style></head><body>
<table><caption>Summary of findings: {question}</caption>
<thead>{pico_row}<tr>{head}</tr></thead>
<tbody>{body}</tbody></table>
<p class="note">GRADE certainty: High ⊕⊕⊕⊕, Moderate ⊕⊕⊕◯, Low ⊕⊕◯◯, Very low ⊕◯◯◯. Randomised evidence starts
high, observational low; reasons for rating down or up follow each certainty. Absolute effects for binary
outcomes come from the assumed control risk shown.</p>
</body></html>
"""


# -- RevMan Web study-centric CSVs -----------------------------------------------------------------

def _value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _study_fields(definition: dict) -> list[dict]:
    return [f for s in defs.sections(definition) if not s.get("repeat") for f in s["fields"]]


RESULT_ARM_COLUMNS = ["Study", "Outcome", "Time point", "Instrument", "Arm", "Intervention", "Data type",
                      "Events", "Total", "Mean", "SD", "SE", "Effect measure", "Effect estimate",
                      "CI lower", "CI upper", "Effect SE", "P value"]
DATA_TYPE = {"Means (two groups)": "Continuous", "Events (two groups)": "Dichotomous",
             "Reported effect": "Contrast", "Pre-post (one group)": "Continuous"}


def revman_files(*, review: Review) -> dict[str, list[list]]:
    """The four CSVs as rows (header first), by file name."""
    template = extraction_selectors.extraction_template(review=review)
    consensus = list(extraction_selectors.consensus_rows(template=template)) if template else []
    # RevMan matches these names exactly against the review's interventions: short names, not the
    # protocol's sentence (the lead sets them on the protocol; else its first phrase).
    intervention, comparator = review.intervention_short, review.comparator_short
    by_role = {"Intervention": intervention, "Comparator": comparator}

    fields = _study_fields(template.current_version.definition) if template else []
    info = [["Study"] + [f"Char: {f['label']}" for f in fields]
            + [f"Covariate: {f['label']}" for f in fields if f["type"] in ("integer", "decimal")]]
    arms = [["Study", "Arm", "Intervention", "Number allocated", "Planned sessions"]]
    results = [RESULT_ARM_COLUMNS]
    for study, answers, _definition in consensus:
        info.append([study.label] + [_value(answers.get(f["key"])) for f in fields]
                    + [_value(answers.get(f["key"])) for f in fields if f["type"] in ("integer", "decimal")])
        arm_rows = answers.get("arms") or []
        for arm in arm_rows:
            arms.append([study.label, arm.get("name", ""), by_role.get(arm.get("role"), ""),
                         _value(arm.get("n_randomised")), _value(arm.get("sessions"))])
        role_of = {a.get("name", ""): by_role.get(a.get("role"), "") for a in arm_rows}
        for row in answers.get(SECTION_KEY) or []:
            base = [study.label, row.get("outcome", ""), row.get("timepoint", ""), row.get("instrument", "")]
            kind = DATA_TYPE.get(row.get("data_type"), row.get("data_type", ""))
            contrast = [_value(row.get(k)) for k in ("effect_measure", "effect", "effect_ci_lb", "effect_ci_ub",
                                                     "effect_se", "effect_p")]
            sides = [("i", row.get("i_arm") or "Intervention", intervention)]
            if row.get("data_type") != "Pre-post (one group)":
                sides.append(("c", row.get("c_arm") or "Comparator", comparator))
            for p, name, default in sides:
                arm_level = [_value(row.get(f"{p}_events")), _value(row.get(f"{p}_n")), _value(row.get(f"{p}_mean")),
                             _value(row.get(f"{p}_sd")), _value(row.get(f"{p}_se"))]
                if row.get("data_type") == "Pre-post (one group)":
                    arm_level[2], arm_level[3] = _value(row.get("post_mean")), _value(row.get("post_sd"))
                # the contrast goes on the intervention arm's row only, so it is not counted twice
                results.append(base + [name, role_of.get(name, default), kind] + arm_level
                               + (contrast if p == "i" else [""] * len(contrast)))
    rob2 = _rob2_rows(review)
    return {"study_information.csv": info, "study_arms.csv": arms, "study_results.csv": results,
            "risk_of_bias_2.csv": rob2}


ROB2_DOMAINS = [("D1", "Randomisation process"), ("D2", "Deviations from intended interventions"),
                ("D3", "Missing outcome data"), ("D4", "Measurement of the outcome"),
                ("D5", "Selection of the reported result"), ("Overall", "Overall")]


def _rob2_rows(review: Review) -> list[list]:
    header = ["Study", "Outcome", "Result", "Effect of interest", "Tool"]
    for short, title in ROB2_DOMAINS:
        name = title if short == title else f"{short} {title}"  # "Overall", not "Overall Overall"
        header += [f"{name}: judgement", f"{name}: support"]
    out = [header]
    for template in appraisal_selectors.tool_templates(review=review):
        tool = appraisal_selectors.tool_definition(template)
        if not tool["slug"].startswith("rob2"):
            continue
        for r in appraisal_selectors.consensus_rows(template=template):
            support = {}
            for d in r.domains:
                key = d.short or d.key
                support[key] = d.reason if d.chosen and d.reason else d.proposal_reason
            cells = [r.study.label, r.outcome, r.outcome + (f" ({r.effect})" if r.effect else ""),
                     appraisal_tools.EFFECTS.get(r.effect, r.effect), template.name]
            for short, _title in ROB2_DOMAINS:
                if short == "Overall":
                    overall = r.overall
                    cells += [r.by_column.get("overall") or "",
                              (overall.reason if overall and overall.chosen and overall.reason
                               else overall.proposal_reason if overall else "")]
                else:
                    cells += [r.by_column.get(short) or "", support.get(short, "")]
            out.append(cells)
    return out


def revman_zip(*, review: Review) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, rows in revman_files(review=review).items():
            z.writestr(name, csv_text(rows))
    return buf.getvalue()


# -- R archive ---------------------------------------------------------------------------------

RUN_ALL = """## Every analysis of the review, with metafor. Run in this folder: Rscript run_all.R
## Each folder's reproduce.R fits its analysis and writes results-R.json beside results.json;
## this script runs them all and stops with an error if any fails or differs from the app's result.
for (pkg in {packages}) if (!requireNamespace(pkg, quietly = TRUE))
  stop("run_all.R needs the R package ", pkg, " (see README.txt): install.packages('", pkg, "')")
suppressPackageStartupMessages(library(jsonlite))
folders <- {folders}
RTOL <- 1e-6
failed <- character(0)
for (f in folders) {{
  cat("==", f, "==\\n")
  old <- setwd(f)
  ok <- tryCatch({{ source("reproduce.R", echo = FALSE); TRUE }}, error = function(e) {{ message(e); FALSE }})
  setwd(old)
  if (!ok) {{ failed <- c(failed, f); next }}
  r <- fromJSON(file.path(f, "results-R.json"))
  app <- fromJSON(file.path(f, "results.json"))$summary
  for (name in c("b", "se", "ci_lb", "ci_ub", "tau2", "I2", "QE")) {{
    a <- app[[name]]; b <- r[[name]]
    if (!is.null(a) && abs(a - b) > RTOL * max(1, abs(a))) {{
      message(f, ": ", name, " differs (app ", a, ", R ", b, ")"); failed <- c(failed, f)
    }}
  }}
}}
if (length(failed)) stop("failed: ", paste(unique(failed), collapse = ", "))
cat("all", length(folders), "analyses reproduced\\n")
"""


def r_archive(*, review: Review) -> bytes:
    """One folder per analysis' latest finished run (data.csv, reproduce.R, results.json, inputs.json)
    plus run_all.R at the top."""
    runs = []
    for analysis in review.analyses.order_by("position", "id"):
        run = analysis.runs.filter(status=AnalysisRun.Status.DONE).order_by("-number").first()
        if run is not None:
            runs.append(run)
    buf = io.BytesIO()
    folders = []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for run in runs:
            folder = f"{slug(run.analysis.name)}-run{run.number}"
            if folder in folders:  # two names with one slug ("A b", "a-b"): the id tells them apart
                folder = f"{folder}-{run.analysis.pk}"
            folders.append(folder)
            title = f"{run.analysis.name}, run {run.number} ({review.title})"
            try:
                script = reproduce.r_script(run.inputs, title=title)
            except NotALiteral as exc:
                raise NotALiteral(f"{run.analysis.name}, run {run.number}: {exc}") from exc
            z.writestr(f"{folder}/data.csv", reproduce.data_csv(run.inputs))
            z.writestr(f"{folder}/reproduce.R", script)
            z.writestr(f"{folder}/results.json", json.dumps(run.results, indent=2, ensure_ascii=False))
            z.writestr(f"{folder}/inputs.json", json.dumps(run.inputs, indent=2, ensure_ascii=False))
        z.writestr("run_all.R", RUN_ALL.format(folders=r_strings(folders),
                                                       packages=r_strings(reproduce.R_PACKAGES)))
        z.writestr("README.txt", f"{review.title}: every analysis' latest finished run.\n\n"
                                 f"Rscript run_all.R   needs {reproduce.R_NEEDS}\n"
                                 "runs each folder's reproduce.R (metafor, run to convergence) and checks its\n"
                                 "numbers against the app's results.json to 1e-6.\n")
    return buf.getvalue()


# -- robvis ------------------------------------------------------------------------------------

def robvis_files(*, review: Review) -> dict[str, list[list]]:
    """One CSV per appraisal tool of the review in robvis' template: Study, D1..Dn, Overall, Weight.
    A result-level tool (RoB 2) has one row per study and result ("study · outcome (effect)")."""
    weights = appraisal_selectors.study_weights(review=review)
    files = {}
    for template in appraisal_selectors.tool_templates(review=review):
        tool = appraisal_selectors.tool_definition(template)
        columns = [short for short, _s, _t in appraisal_selectors.columns_of(tool)]
        header = ["Study", *columns, "Overall", "Weight"]
        rows = [header]
        for r in appraisal_selectors.consensus_rows(template=template):
            rows.append([r.label] + [(r.by_column.get(c) or "No information") for c in columns]
                        + [r.by_column.get("overall") or "No information", weights.get(r.study.pk, 1)])
        if len(rows) > 1:
            files[f"robvis-{slug(tool['slug'])}.csv"] = rows
    return files
