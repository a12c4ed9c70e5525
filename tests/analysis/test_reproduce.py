"""A run's folder reproduces its numbers outside the app: the R script with metafor (run to
convergence) and the Python script with the engine agree with the stored result to 1e-6."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from analysis import reproduce, services
from tests.support import REPO_ROOT, require

pytestmark = pytest.mark.django_db

#: DESIGN.md: the engine equals metafor run to convergence to 1e-6 relative (tau2's CI to 1e-5)
RTOL = 1e-6
ATOL = 1e-10  # values that are 0 (tau2 at the boundary, I2) compare absolutely
COMPARED = ("b", "se", "zval", "pval", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "I2", "H2", "QE", "QEp")


def folder(run, tmp_path):
    data = reproduce.run_zip(inputs=run.inputs, results=run.results, forest_svg=run.forest_svg,
                             funnel_svg=run.funnel_svg, title="test")
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path)
    return tmp_path


@pytest.fixture(params=[("REML", "z", ""), ("PM", "knha", "format")], ids=["REML-z", "PM-knha-subgroups"])
def run(request, review, people, outcomes, studies, django_capture_on_commit_callbacks):
    method, test, subgroup = request.param
    analysis = services.analysis_create(actor=people["lead"], review=review,
                                        outcome=outcomes["Parent-infant interaction"], method=method, test=test,
                                        subgroup_field=subgroup)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.analysis_run_request(actor=people["lead"], analysis=analysis)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run


@pytest.mark.oracle
def test_the_r_script_reproduces_the_stored_result(run, tmp_path):
    require(shutil.which("Rscript") is not None, "Rscript is not installed (apt-get install r-cran-metafor)")
    probe = subprocess.run(["Rscript", "-e", "library(metafor); library(jsonlite)"], capture_output=True)
    require(probe.returncode == 0, "R's metafor or jsonlite is missing")
    where = folder(run, tmp_path)
    done = subprocess.run(["Rscript", "reproduce.R"], cwd=where, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    r = json.loads((where / "results-R.json").read_text())
    s = run.results["summary"]
    assert r["k"] == s["k"]
    for name in COMPARED:
        assert r[name] == pytest.approx(s[name], rel=RTOL, abs=ATOL), name
    assert r["tau2_ci"] == pytest.approx(s["tau2_ci"], rel=1e-5, abs=ATOL)
    if "subgroups" in run.results:
        assert r["Q_between"] == pytest.approx(run.results["subgroups"]["Q_between"], rel=RTOL)
        for row in run.results["subgroups"]["rows"]:
            assert r["subgroups"][row["group"]]["b"] == pytest.approx(row["b"], rel=RTOL, abs=ATOL)


def test_the_python_script_reproduces_the_stored_result(run, tmp_path):
    where = folder(run, tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, str(where / "reproduce.py")], cwd=REPO_ROOT, capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    s = run.results["summary"]
    for name in COMPARED:
        assert out[name] == pytest.approx(s[name], rel=1e-12, abs=1e-14), name
    assert out["leave1out"] == pytest.approx([row["estimate"] for row in run.results["leave1out"]], rel=1e-12)
