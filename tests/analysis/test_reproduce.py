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
from pathlib import Path

import pytest
from django.urls import reverse

from analysis import reproduce, services
from reviewapp.models import Review
from tests.support import REPO_ROOT, require

pytestmark = pytest.mark.django_db

#: DESIGN.md: the engine equals metafor run to convergence to 1e-6 relative (tau2's CI to 1e-5)
RTOL = 1e-6
ATOL = 1e-10  # values that are 0 (tau2 at the boundary, I2) compare absolutely
#: the file hostile data in the tests below tries to create, in the folder where a script runs
MARKER = "pwned"
COMPARED = ("b", "se", "zval", "pval", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "I2", "H2", "QE", "QEp")


def folder(run, where):
    data = reproduce.run_zip(inputs=run.inputs, results=run.results, plots=run.plots, title="test")
    zipfile.ZipFile(io.BytesIO(data)).extractall(where)
    return where


@pytest.fixture(params=[("REML", "z", "", []), ("PM", "knha", "format", []), ("DL", "z", "", ["n_caregivers"])],
                ids=["REML-z", "PM-knha-subgroups", "DL-metaregression"])
def run(request, review, people, outcomes, studies, django_capture_on_commit_callbacks):
    method, test, subgroup, moderators = request.param
    analysis = services.analysis_create(actor=people["lead"], review=review,
                                        outcome=outcomes["Parent-infant interaction"], method=method, test=test,
                                        subgroup_field=subgroup, moderators=moderators)
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
    assert not where.is_relative_to(REPO_ROOT)  # as a user runs it: the unpacked zip, nothing of the app
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
    if "metareg" in run.results:
        mr = run.results["metareg"]
        assert r["metareg"]["k"] == mr["k"] and r["metareg"]["QM"] == pytest.approx(mr["QM"], rel=RTOL)
        assert r["metareg"]["b"] == pytest.approx([c["b"] for c in mr["coefficients"]], rel=RTOL)


def numpy_and_scipy_only(where):
    """A site-packages folder holding numpy and scipy and nothing else (links to the installed ones)."""
    import numpy
    import scipy

    where.mkdir()
    for package in (numpy, scipy):
        installed = Path(package.__file__).parent
        for name in (installed.name, f"{installed.name}.libs"):
            if (installed.parent / name).exists():
                (where / name).symlink_to(installed.parent / name)
    return where


def run_python(where, *, site=None):
    """python reproduce.py in the unpacked folder, outside the repository: isolated mode (no
    PYTHONPATH, no user site, not even the script's folder on sys.path: the script puts its engine
    there itself), and with ``site`` only that folder's packages beside the standard library."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    if site is None:
        command = [sys.executable, "-I", "reproduce.py"]
    else:
        boot = ("import runpy, sys; sys.path.append(sys.argv[1]); sys.argv = sys.argv[2:]; "
                "runpy.run_path(sys.argv[0], run_name='__main__')")
        command = [sys.executable, "-I", "-S", "-c", boot, str(site), "reproduce.py"]
    done = subprocess.run(command, cwd=where, capture_output=True, text=True, env=env, timeout=120)
    assert not list(where.rglob(MARKER)), "data in the script ran as code"
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_python_script_runs_outside_the_repository_with_only_numpy_and_scipy(run, tmp_path):
    where = folder(run, tmp_path / "unpacked")
    assert not where.is_relative_to(REPO_ROOT)
    probe = subprocess.run([sys.executable, "-I", "-c", "import analysis"], cwd=where, capture_output=True)
    assert probe.returncode != 0, "the app's own package is importable here: the test would prove nothing"
    s = run.results["summary"]
    for out in (run_python(where), run_python(where, site=numpy_and_scipy_only(tmp_path / "site"))):
        for name in COMPARED:
            assert out[name] == pytest.approx(s[name], rel=1e-12, abs=1e-14), name
        assert out["leave1out"] == pytest.approx([row["estimate"] for row in run.results["leave1out"]], rel=1e-12)
        assert out["title"] == "test"


# -- data that tries to become code ---------------------------------------------------------------

#: each tries, in R or in Python, to end a comment, a string or a docstring and run `touch pwned`
#: in the folder where the script runs
REVIEW_TITLE = ('Review\nsystem("touch pwned")\n#"""\n__import__("os").system("touch pwned")\n"""\u2028'
                "'\'\'\n__import__('os').system('touch pwned')\n'\'\'\\")
OUTCOME_NAME = ('Interaction"); system("touch pwned"); ("\\\r\nsystem("touch pwned") #"""\n'
                '__import__("os").system("touch pwned")\n"""\u2029"')
NOTE = '\n system("touch pwned") """ \'\'\' \\'


def hostile(label: str) -> str:
    return f'{label}"); file.create("pwned"); ("\n\'\'\'"""\u2028\\'


@pytest.fixture
def hostile_run(review, people, outcomes, studies, django_capture_on_commit_callbacks):
    """A run whose review title, outcome (and so analysis) name, study labels, subgroup values and
    notes are all hostile, pooled with subgroups and a moderator."""
    from extraction.models import Extraction
    from reviewapp import services as review_services

    Review.objects.filter(pk=review.pk).update(title=REVIEW_TITLE)
    outcome = outcomes["Parent-infant interaction"]
    # the rename carries the new name into every stored answer
    review_services.outcome_update(actor=people["lead"], outcome=outcome, name=OUTCOME_NAME, note=NOTE)
    for extraction in Extraction.objects.filter(review=review):
        answers = extraction.consensus
        answers["format"] = hostile(answers["format"])
        answers["notes"] = NOTE
        extraction.save(update_fields=["consensus"])
    for study in studies:
        study.label = hostile(study.label)
        study.save(update_fields=["label"])
    outcome.refresh_from_db()
    assert outcome.name == OUTCOME_NAME  # stored as written (only outer whitespace is trimmed)
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcome,
                                        subgroup_field="format", moderators=["n_caregivers"])
    with django_capture_on_commit_callbacks(execute=True):
        run = services.analysis_run_request(actor=people["lead"], analysis=analysis)
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert len(run.results["subgroups"]["rows"]) >= 2 and "coefficients" in run.results["metareg"]
    return run


def unpack(response, where) -> set[Path]:
    assert response.status_code == 200
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(where)
    return set(where.rglob("*"))


def assert_nothing_ran(where, before: set[Path], *, written: set[str]):
    """No marker anywhere, and no file beside those the script writes (and Python's caches)."""
    assert not list(where.rglob(MARKER))
    new = {p.relative_to(where).as_posix() for p in set(where.rglob("*")) - before
           if "__pycache__" not in p.parts}
    assert new == written


def test_hostile_data_stays_data_in_the_python_script(client_for, review, people, hostile_run, tmp_path):
    response = client_for(people["viewer"]).get(reverse("analysis_run_zip", args=[review.pk, hostile_run.pk]))
    before = unpack(response, tmp_path)
    out = run_python(tmp_path)
    assert_nothing_ran(tmp_path, before, written=set())
    assert out["title"] == f"{OUTCOME_NAME}, run 1 ({REVIEW_TITLE})"
    s = hostile_run.results["summary"]
    for name in COMPARED:
        assert out[name] == pytest.approx(s[name], rel=1e-12, abs=1e-14), name


@pytest.mark.oracle
def test_hostile_data_stays_data_in_the_r_scripts(client_for, review, people, hostile_run, tmp_path):
    require(shutil.which("Rscript") is not None, "Rscript is not installed (apt-get install r-cran-metafor)")
    client = client_for(people["viewer"])
    where = tmp_path / "run"
    before = unpack(client.get(reverse("analysis_run_zip", args=[review.pk, hostile_run.pk])), where)
    done = subprocess.run(["Rscript", "reproduce.R"], cwd=where, capture_output=True, text=True, timeout=300)
    assert not list(where.rglob(MARKER)), "data in the script ran as code"
    assert done.returncode == 0, done.stderr
    assert_nothing_ran(where, before, written={"results-R.json"})
    r = json.loads((where / "results-R.json").read_text(encoding="utf-8"))
    assert r["title"] == f"{OUTCOME_NAME}, run 1 ({REVIEW_TITLE})"
    s = hostile_run.results["summary"]
    for name in COMPARED:
        assert r[name] == pytest.approx(s[name], rel=RTOL, abs=ATOL), name
    assert r["Q_between"] == pytest.approx(hostile_run.results["subgroups"]["Q_between"], rel=RTOL)
    for row in hostile_run.results["subgroups"]["rows"]:
        assert "pwned" in row["group"]
        assert r["subgroups"][row["group"]]["b"] == pytest.approx(row["b"], rel=RTOL, abs=ATOL)
    mr = hostile_run.results["metareg"]
    assert r["metareg"]["b"] == pytest.approx([c["b"] for c in mr["coefficients"]], rel=RTOL)

    # the review's R archive: run_all.R sources each folder's script and checks it against the app
    archive = tmp_path / "archive"
    before = unpack(client.get(reverse("r_download", args=[review.pk])), archive)
    done = subprocess.run(["Rscript", "run_all.R"], cwd=archive, capture_output=True, text=True, timeout=300)
    assert not list(archive.rglob(MARKER)), "data in the script ran as code"
    assert done.returncode == 0, done.stderr[-2000:]
    assert "all 1 analyses reproduced" in done.stdout
    (folder_name,) = {p.parent.name for p in before if p.name == "reproduce.R"}
    assert_nothing_ran(archive, before, written={f"{folder_name}/results-R.json"})
