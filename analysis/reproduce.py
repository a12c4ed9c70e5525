"""A run as a folder anyone can re-run: its data as CSV, an R script with metafor, a Python script
with the engine, the stored results and plots, and a README (no Django here).

The R script fits with ``control=list(threshold=1e-12, maxiter=10000, tol=1e-12)`` (and
``tol=1e-12`` for ``confint``): metafor's default control stops early, the engine finds the exact
optimum, and with this control the two agree to 1e-8 (DESIGN.md, Targets).
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile

R_NUMBERS = ("k", "b", "se", "zval", "pval", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "tau2_ci", "I2", "H2",
             "QE", "QEp")


def _r_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _col(name: str) -> str:
    """A column name R's read.csv keeps as it is (letters, digits, underscores)."""
    return re.sub(r"\W+", "_", name).strip("_") or "x"


def data_csv(inputs: dict) -> str:
    spec, studies = inputs["spec"], inputs["studies"]
    mods = list(spec.get("moderators") or [])
    header = ["study", "yi", "vi", "n", "design", "timepoint"]
    if spec.get("subgroup_field"):
        header.append("subgroup")
    header += [_col(m) for m in mods]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for s in studies:
        row = [s["label"], repr(float(s["yi"])), repr(float(s["vi"])), "" if s["n"] is None else s["n"],
               s["design"], s["timepoint"]]
        if spec.get("subgroup_field"):
            row.append(s.get("subgroup") or "")
        row += ["" if s["moderators"].get(m) is None else s["moderators"][m] for m in mods]
        writer.writerow(row)
    return buf.getvalue()


def r_script(inputs: dict, *, title: str) -> str:
    spec = inputs["spec"]
    method, test, level = spec["method"], spec["test"], spec["level"]
    lines = [
        f"## {title}",
        "## Reproduces the run's numbers with metafor. Run in this folder: Rscript reproduce.R",
        "## It prints the model and writes results-R.json (compare with results.json).",
        "suppressPackageStartupMessages({library(metafor); library(jsonlite)})",
        'dat <- read.csv("data.csv", stringsAsFactors = FALSE)',
        "## metafor's default control stops early (REML's Fisher scoring at a tau2 change of 1e-5);",
        "## run to convergence it agrees with the app's engine to 1e-8",
        "CONVERGED <- list(threshold = 1e-12, maxiter = 10000, tol = 1e-12)",
        "fit <- function(args) {",
        "  args$control <- CONVERGED",
        "  res <- try(do.call(rma, args), silent = TRUE)",
        "  ## when Fisher scoring overshoots, a shorter step reaches the same optimum (help(rma): stepadj)",
        "  for (step in c(0.5, 0.1)) if (inherits(res, \"try-error\")) {",
        "    args$control$stepadj <- step",
        "    res <- try(do.call(rma, args), silent = TRUE)",
        "  }",
        "  if (inherits(res, \"try-error\")) stop(res)",
        "  res",
        "}",
        f"MODEL <- list(method = {_r_string(method)}, test = {_r_string(test)}, level = {level:g})",
        "res <- fit(c(list(yi = dat$yi, vi = dat$vi), MODEL))",
        "print(res)",
        "pred <- predict(res)",
        "out <- list(k = res$k, b = as.numeric(res$beta), se = res$se, zval = res$zval, pval = res$pval,",
        "            ci_lb = res$ci.lb, ci_ub = res$ci.ub, pi_lb = pred$pi.lb, pi_ub = pred$pi.ub,",
        "            tau2 = res$tau2, I2 = res$I2, H2 = res$H2, QE = res$QE, QEp = res$QEp)",
    ]
    if method not in ("EE", "FE"):
        lines += [
            "ci <- confint(res, control = list(tol = 1e-12, maxiter = 10000))",
            "print(ci)",
            'out$tau2_ci <- unname(ci$random["tau^2", c("ci.lb", "ci.ub")])',
        ]
    if spec.get("subgroup_field"):
        lines += [
            "## subgroups: each pooled on its own, compared with a fixed-effect Q test (as the app)",
            "grouped <- dat[!is.na(dat$subgroup) & dat$subgroup != \"\", ]",
            "sub <- lapply(split(grouped, grouped$subgroup), function(d) fit(c(list(yi = d$yi, vi = d$vi), MODEL)))",
            "between <- rma(sapply(sub, function(r) as.numeric(r$beta)), sei = sapply(sub, function(r) r$se), "
            "method = \"EE\")",
            "print(between)",
            "out$subgroups <- lapply(sub, function(r) list(k = r$k, b = as.numeric(r$beta), ci_lb = r$ci.lb, "
            "ci_ub = r$ci.ub))",
            "out$Q_between <- between$QE",
        ]
    mods = [_col(m) for m in spec.get("moderators") or []]
    if mods:
        terms = " + ".join(mods)
        lines += [
            "## meta-regression on the studies with every moderator (text moderators become factors;",
            "## R orders factor levels by locale, the app by code point: a reference level may differ)",
            f"mr <- fit(c(list(yi = dat$yi, vi = dat$vi, mods = ~ {terms}, data = dat), MODEL))",
            "print(mr)",
            "out$metareg <- list(k = mr$k, QM = mr$QM, QMp = mr$QMp, b = as.numeric(mr$beta))",
        ]
    lines += ['write_json(out, "results-R.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)', ""]
    return "\n".join(lines)


def python_script(inputs: dict, *, title: str) -> str:
    spec = inputs["spec"]
    return f'''"""{title}

Reproduces the run's numbers with the review manager's engine (analysis.stats). Run it with the
project's Python from the repository root: python path/to/this/folder/reproduce.py
"""
import csv
import json
from pathlib import Path

from analysis.stats import leave1out, rma

HERE = Path(__file__).resolve().parent
with open(HERE / "data.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
yi = [float(r["yi"]) for r in rows]
vi = [float(r["vi"]) for r in rows]
res = rma(yi, vi, method={spec["method"]!r}, test={spec["test"]!r}, level={spec["level"]!r})
out = {{name: getattr(res, name) for name in {list(R_NUMBERS)!r}}}
out["leave1out"] = leave1out(yi, vi, method={spec["method"]!r}, test={spec["test"]!r},
                             level={spec["level"]!r}).to_dict()["estimate"]
print(json.dumps(out, indent=2, default=list))
'''


def readme(inputs: dict, *, title: str, excluded_count: int) -> str:
    spec = inputs["spec"]
    return f"""{title}

Outcome: {spec["outcome"]}; time point: {spec["timepoint"]}; measure: {spec["measure"]};
model: {spec["method"]}; test: {spec["test"]}; designs: {", ".join(spec["designs"])}.

data.csv      the studies this run pooled: yi (positive favours the intervention; ratios on
              the log scale), vi (sampling variance), n (participants), design, time point
inputs.json   everything the run used, including the {excluded_count} studies left out and why
results.json  the results stored by the app
reproduce.R    metafor, run to convergence (control threshold/tol 1e-12): Rscript reproduce.R
              writes results-R.json, equal to results.json's summary to 1e-6
reproduce.py   the app's engine: python reproduce.py (from the repository root)
forest.svg, funnel.svg  the plots
"""


def run_zip(*, inputs: dict, results: dict, forest_svg: str, funnel_svg: str, title: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.txt", readme(inputs, title=title, excluded_count=len(inputs.get("excluded", []))))
        z.writestr("data.csv", data_csv(inputs))
        z.writestr("inputs.json", json.dumps(inputs, indent=2, ensure_ascii=False))
        z.writestr("results.json", json.dumps(results, indent=2, ensure_ascii=False))
        z.writestr("reproduce.R", r_script(inputs, title=title))
        z.writestr("reproduce.py", python_script(inputs, title=title))
        z.writestr("forest.svg", forest_svg)
        z.writestr("funnel.svg", funnel_svg)
    return buf.getvalue()
