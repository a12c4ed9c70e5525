"""A run as a folder anyone can re-run: its data as CSV, an R script with metafor, a Python script
with a copy of the engine (engine/, so it stands alone), the stored results and plots, and a
README (no Django here). Data enters the scripts only as literals written by analysis.codegen.

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
from gettext import ngettext
from importlib import resources

import svgkit

from . import stats as stats_package
from .codegen import py_literal, r_number, r_string, r_strings

R_NUMBERS = ("k", "b", "se", "zval", "pval", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "tau2_ci", "I2", "H2",
             "QE", "QEp")


def _col(name: str) -> str:
    """A column name R's read.csv keeps as it is (letters, digits, underscores)."""
    return re.sub(r"\W+", "_", name).strip("_") or "x"


def _header(spec: dict) -> list[str]:
    header = ["study", "yi", "vi", "n", "design", "timepoint"]
    if spec.get("subgroup_field"):
        header.append("subgroup")
    return header + [_col(m) for m in spec.get("moderators") or []]


def data_csv(inputs: dict) -> str:
    spec, studies = inputs["spec"], inputs["studies"]
    mods = list(spec.get("moderators") or [])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(_header(spec))
    for s in studies:
        row = [s["label"], repr(float(s["yi"])), repr(float(s["vi"])), "" if s["n"] is None else s["n"],
               s["design"], s["timepoint"]]
        if spec.get("subgroup_field"):
            row.append(s.get("subgroup") or "")
        row += ["" if s["moderators"].get(m) is None else s["moderators"][m] for m in mods]
        writer.writerow(row)
    return buf.getvalue()


#: the R packages reproduce.R (and the R archive's run_all.R) load, named in README.txt and
#: checked before anything runs
R_PACKAGES = ("metafor", "jsonlite")
R_NEEDS = ("R (4.x) with the packages " + " and ".join(R_PACKAGES) + ": install.packages(c("
           + ", ".join(f'"{name}"' for name in R_PACKAGES) + "))")


def r_script(inputs: dict, *, title: str) -> str:
    """metafor's fit of the run. Every value from the data is an R literal (analysis.codegen); the
    moderators' columns are picked by position and named m1, m2... in the formula, so no name from
    the data is ever read as R code."""
    spec = inputs["spec"]
    method = spec["method"]
    model = f"list(method = {r_string(method)}, test = {r_string(spec['test'])}, level = {r_number(spec['level'])})"
    lines = [
        "## Reproduces the numbers of one analysis run with metafor. Run in this folder: Rscript reproduce.R",
        "## It prints the model and writes results-R.json (compare with results.json).",
        f"TITLE <- {r_string(title)}",
        f"for (pkg in {r_strings(R_PACKAGES)}) if (!requireNamespace(pkg, quietly = TRUE))",
        '  stop("reproduce.R needs the R package ", pkg, " (see README.txt): install.packages(\'", pkg, "\')")',
        "suppressPackageStartupMessages({library(metafor); library(jsonlite)})",
        "## text as written (UTF-8, names unchanged); an empty cell is a missing value, as in the app",
        'dat <- read.csv("data.csv", stringsAsFactors = FALSE, encoding = "UTF-8", check.names = FALSE,',
        '                na.strings = "")',
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
        f"MODEL <- {model}",
        "res <- fit(c(list(yi = dat$yi, vi = dat$vi), MODEL))",
        "print(res)",
        "pred <- predict(res)",
        "out <- list(title = TITLE, k = res$k, b = as.numeric(res$beta), se = res$se, zval = res$zval,",
        "            pval = res$pval, ci_lb = res$ci.lb, ci_ub = res$ci.ub, pi_lb = pred$pi.lb, pi_ub = pred$pi.ub,",
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
            "grouped <- dat[!is.na(dat$subgroup), ]",
            "sub <- lapply(split(grouped, grouped$subgroup), function(d) fit(c(list(yi = d$yi, vi = d$vi), MODEL)))",
            "between <- rma(sapply(sub, function(r) as.numeric(r$beta)), sei = sapply(sub, function(r) r$se), "
            "method = \"EE\")",
            "print(between)",
            "out$subgroups <- lapply(sub, function(r) list(k = r$k, b = as.numeric(r$beta), ci_lb = r$ci.lb, "
            "ci_ub = r$ci.ub))",
            "out$Q_between <- between$QE",
        ]
    moderators = list(spec.get("moderators") or [])
    if moderators:
        # by position: a moderator's column name may repeat a fixed one (a field keyed "design")
        first = len(_header(spec)) - len(moderators) + 1
        columns = ", ".join(str(first + i) for i in range(len(moderators)))
        lines += [
            "## meta-regression on the studies with every moderator (text moderators become factors;",
            "## R orders factor levels by locale, the app by code point: a reference level may differ)",
            f"MODERATORS <- {r_strings(moderators)}",
            f"mods <- setNames(dat[c({columns})], paste0(\"m\", seq_along(MODERATORS)))",
            "mr <- fit(c(list(yi = dat$yi, vi = dat$vi, mods = reformulate(names(mods)), data = mods), MODEL))",
            "print(mr)",
            "out$metareg <- list(k = mr$k, QM = mr$QM, QMp = mr$QMp, b = as.numeric(mr$beta))",
        ]
    lines += ['write_json(out, "results-R.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)', ""]
    return "\n".join(lines)


#: the engine's package folder in the zip, beside reproduce.py
ENGINE = "engine"
#: the SVG primitives the engine's plots are drawn with, a package of their own beside it
PRIMITIVES = "svgkit"


def engine_files() -> dict[str, str]:
    """The engine's source (analysis/stats/*.py) as files of the zip's engine/ package, and the SVG
    primitives it draws its plots with (svgkit/), read at download time so the copy is always the
    engine that computed the run."""
    return {**dict(_python_files(resources.files(stats_package), ENGINE)),
            **dict(_python_files(resources.files(svgkit), PRIMITIVES))}


def _python_files(folder, prefix: str):
    """The package's .py files, its sub-packages' too (analysis/stats/bias/ ...), under ``prefix``."""
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.is_file() and item.name.endswith(".py"):
            yield f"{prefix}/{item.name}", item.read_text(encoding="utf-8")
        elif item.is_dir() and item.joinpath("__init__.py").is_file():
            yield from _python_files(item, f"{prefix}/{item.name}")


def python_script(inputs: dict, *, title: str) -> str:
    spec = inputs["spec"]
    model = {"method": spec["method"], "test": spec["test"], "level": spec["level"]}
    return f'''"""Reproduces the numbers of one analysis run with the review manager's engine, a copy of which
sits beside this script in {ENGINE}/ (plain Python with numpy and scipy; no other package, no repository).
Run it from any folder: python reproduce.py   It prints the results as JSON (compare with results.json).
"""
import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the engine shipped beside this script, whatever the working directory and whatever else is installed
sys.path.insert(0, str(HERE))
from {ENGINE} import json_safe, leave1out, rma  # noqa: E402

TITLE = {py_literal(title)}
MODEL = {py_literal(model)}
NUMBERS = {py_literal(list(R_NUMBERS))}

with open(HERE / "data.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
yi = [float(r["yi"]) for r in rows]
vi = [float(r["vi"]) for r in rows]
res = rma(yi, vi, **MODEL)
out = {{"title": TITLE}}
out.update((name, getattr(res, name)) for name in NUMBERS)
out["leave1out"] = leave1out(yi, vi, **MODEL).to_dict()["estimate"]
print(json.dumps(json_safe(out), indent=2))  # as results.json: arrays as lists, NaN and infinities as null
'''


def readme(inputs: dict, *, title: str, excluded_count: int) -> str:
    """Plain text for people (never run): the data stands in it as it is."""
    left_out = f"{excluded_count} {ngettext('study', 'studies', excluded_count)}"
    spec = inputs["spec"]
    return f"""{title}

Outcome: {spec["outcome"]}; time point: {spec["timepoint"]}; measure: {spec["measure"]};
model: {spec["method"]}; test: {spec["test"]}; designs: {", ".join(spec["designs"])}.

data.csv      the studies this run pooled: yi (positive favours the intervention; ratios on
              the log scale), vi (sampling variance), n (participants), design, time point
inputs.json   everything the run used, including the {left_out} left out and why
results.json  the results stored by the app
reproduce.R   metafor, run to convergence (control threshold/tol 1e-12): Rscript reproduce.R
              writes results-R.json, equal to results.json's summary to 1e-6. Needs
              {R_NEEDS}
reproduce.py  the app's engine: python reproduce.py, in any folder, prints the summary and the
              leave-one-out estimates as JSON, equal to results.json's. Needs Python 3 with numpy
              and scipy only: {ENGINE}/ beside it is a copy of the app's engine (analysis/stats,
              BSD 3-Clause licence, as the review manager), {PRIMITIVES}/ the SVG primitives
              its plots are drawn with
forest.svg, funnel.svg  the plots
"""


def run_zip(*, inputs: dict, results: dict, plots: dict[str, str], title: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.txt", readme(inputs, title=title, excluded_count=len(inputs.get("excluded", []))))
        z.writestr("data.csv", data_csv(inputs))
        z.writestr("inputs.json", json.dumps(inputs, indent=2, ensure_ascii=False))
        z.writestr("results.json", json.dumps(results, indent=2, ensure_ascii=False))
        z.writestr("reproduce.R", r_script(inputs, title=title))
        z.writestr("reproduce.py", python_script(inputs, title=title))
        for name, text in engine_files().items():
            z.writestr(name, text)
        for name, svg in plots.items():
            z.writestr(f"{name}.svg", svg)
    return buf.getvalue()
