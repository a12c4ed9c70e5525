"""A run imported from an archive carries whatever inputs the archive held. Its scripts still hold
that data only as data: the code around it is the same as for a plain run, nothing in it runs, and
a value no literal can carry refuses the download with a message instead of writing a script."""
from __future__ import annotations

import ast
import io
import json
import random
import shutil
import subprocess
import sys
import zipfile

import pytest
from django.urls import reverse

from analysis import reproduce, services
from analysis.stats import rma
from tests.support import require

MARKER = "pwned"
RTOL = 1e-6
ATOL = 1e-10
R_BREAK = '\\\n system("touch pwned") #"); system("touch pwned"); ("'
PY_BREAK = "\"\"\"\n__import__('os').system('touch pwned')\n'''\u2028\\"
FORGED = R_BREAK + PY_BREAK


def inputs(forged: bool) -> dict:
    """Twelve studies pooled with subgroups and one moderator; ``forged`` puts hostile text in
    every name, label and value that is text (the numbers and the model stay valid)."""
    text = (lambda s: s + FORGED) if forged else (lambda s: s)
    rng = random.Random(2026)
    moderator = text("sessions")
    studies = [{"study_id": i, "label": text(f"Study {i}"), "yi": rng.gauss(0.3, 0.3), "vi": rng.uniform(0.02, 0.1),
                "n": 40 + i, "design": text("Randomised controlled trial"), "timepoint": text("Post-treatment"),
                "subgroup": text("group" if i % 2 else "home"), "moderators": {moderator: rng.uniform(4, 30)},
                "notes": [text("note")]}
               for i in range(12)]
    spec = {"name": text("Interaction"), "outcome": text("Interaction"), "timepoint": text("Post-treatment"),
            "measure": text("SMD"), "method": "REML", "test": "z", "designs": [text("Randomised controlled trial")],
            "subgroup_field": text("format"), "moderators": [moderator], "level": 95.0, "higher_favours": True}
    return {"spec": spec, "studies": studies, "excluded": [{"study_id": 99, "label": text("Left"),
                                                            "reason": text("why")}]}


def unpack(forged: bool, where) -> dict:
    data = inputs(forged)
    title = "Run 1" + (FORGED if forged else "")
    zipped = reproduce.run_zip(inputs=data, results={}, plots={"forest": "<svg/>", "funnel": "<svg/>"}, title=title)
    zipfile.ZipFile(io.BytesIO(zipped)).extractall(where)
    return data


def code_of_python(source: str) -> str:
    """The script's syntax tree with every string constant blanked: what is code, not data."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.dump(tree)


def test_the_python_script_of_forged_inputs_is_the_same_code(tmp_path):
    unpack(False, tmp_path / "plain")
    unpack(True, tmp_path / "forged")
    plain, forged = ((tmp_path / d / "reproduce.py").read_text(encoding="utf-8") for d in ("plain", "forged"))
    assert plain != forged
    assert code_of_python(forged) == code_of_python(plain)


#: every name an R script calls or refers to, besides string constants (paste0 joins long text)
R_SYMBOLS = """d <- getParseData(parse(commandArgs(TRUE)[1], keep.source = TRUE))
cat(sort(unique(d$text[d$token %in% c("SYMBOL", "SYMBOL_FUNCTION_CALL", "SYMBOL_SUB")])), sep = "\\n")
"""


@pytest.mark.oracle
def test_the_r_script_of_forged_inputs_calls_nothing_new_and_reproduces_the_engine(tmp_path):
    require(shutil.which("Rscript") is not None, "Rscript is not installed (apt-get install r-cran-metafor)")
    unpack(False, tmp_path / "plain")
    data = unpack(True, tmp_path / "forged")
    (tmp_path / "symbols.R").write_text(R_SYMBOLS)
    symbols = {}
    for d in ("plain", "forged"):
        done = subprocess.run(["Rscript", str(tmp_path / "symbols.R"), str(tmp_path / d / "reproduce.R")],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        symbols[d] = set(done.stdout.split()) - {"paste0"}
    assert symbols["forged"] == symbols["plain"]

    where = tmp_path / "forged"
    done = subprocess.run(["Rscript", "reproduce.R"], cwd=where, capture_output=True, text=True, timeout=300)
    assert not list(tmp_path.rglob(MARKER)), "data in the script ran as code"
    assert done.returncode == 0, done.stderr
    r = json.loads((where / "results-R.json").read_text(encoding="utf-8"))
    assert r["title"] == "Run 1" + FORGED
    yi = [s["yi"] for s in data["studies"]]
    vi = [s["vi"] for s in data["studies"]]
    fit = rma(yi, vi, method="REML", test="z", level=95.0)
    for name in ("b", "se", "ci_lb", "ci_ub", "tau2", "QE"):
        assert r[name] == pytest.approx(getattr(fit, name), rel=RTOL, abs=ATOL), name
    for group in ("group", "home"):
        keep = [i for i, s in enumerate(data["studies"]) if s["subgroup"] == group + FORGED]
        sub = rma([yi[i] for i in keep], [vi[i] for i in keep], method="REML", test="z", level=95.0)
        assert r["subgroups"][group + FORGED]["b"] == pytest.approx(sub.b, rel=RTOL, abs=ATOL)
    (moderator,) = data["spec"]["moderators"]
    mr = rma(yi, vi, method="REML", test="z", level=95.0,
             mods={moderator: [s["moderators"][moderator] for s in data["studies"]]})
    assert r["metareg"]["QM"] == pytest.approx(mr.QM, rel=RTOL)


def test_the_python_script_of_forged_inputs_runs_as_data(tmp_path):
    data = unpack(True, tmp_path)
    done = subprocess.run([sys.executable, "-I", "reproduce.py"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert not list(tmp_path.rglob(MARKER)), "data in the script ran as code"
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["title"] == "Run 1" + FORGED
    fit = rma([s["yi"] for s in data["studies"]], [s["vi"] for s in data["studies"]], method="REML", level=95.0)
    assert out["b"] == pytest.approx(fit.b, rel=1e-12)


@pytest.mark.oracle
def test_a_forged_model_name_fails_in_metafor_and_runs_nothing(tmp_path):
    require(shutil.which("Rscript") is not None, "Rscript is not installed (apt-get install r-cran-metafor)")
    data = inputs(False)
    data["spec"]["method"] = 'REML", test = "z"); system("touch pwned"); list(x = "'
    zipped = reproduce.run_zip(inputs=data, results={}, plots={"forest": "", "funnel": ""}, title="Run 1")
    zipfile.ZipFile(io.BytesIO(zipped)).extractall(tmp_path)
    r = subprocess.run(["Rscript", "reproduce.R"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    py = subprocess.run([sys.executable, "-I", "reproduce.py"], cwd=tmp_path, capture_output=True, text=True,
                        timeout=120)
    assert not list(tmp_path.rglob(MARKER)), "data in the script ran as code"
    assert r.returncode != 0 and "method" in r.stderr
    assert py.returncode != 0 and "method" in py.stderr


@pytest.mark.django_db
def test_a_stored_value_no_literal_carries_refuses_the_download_and_says_why(
        client_for, review, people, outcomes, studies, django_capture_on_commit_callbacks):
    analysis = services.analysis_create(actor=people["lead"], review=review,
                                        outcome=outcomes["Parent-infant interaction"])
    with django_capture_on_commit_callbacks(execute=True):
        run = services.analysis_run_request(actor=people["lead"], analysis=analysis)
    run.refresh_from_db()
    assert run.status == "done", run.error
    client = client_for(people["viewer"])
    assert client.get(reverse("analysis_run_zip", args=[review.pk, run.pk])).status_code == 200
    # as an archive may hold it: the confidence level as text that would be R code
    run.inputs["spec"]["level"] = '95); system("touch pwned"'
    run.save(update_fields=["inputs"])
    for url in (reverse("analysis_run_zip", args=[review.pk, run.pk]), reverse("r_download", args=[review.pk])):
        response = client.get(url)
        assert response.status_code == 409
        text = response.content.decode()
        assert "not a finite number" in text and "Run the analys" in text
