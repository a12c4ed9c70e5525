"""Runs: queued, carried out once (also when a worker's task is delivered twice), stored with the
exact data used; stale when the data change, with what changed; failures say why in words."""
from __future__ import annotations

import numpy as np
import pytest

from analysis import selectors, services, stats
from analysis.models import AnalysisRun
from reviewapp import jobs
from reviewapp.models import AuditEvent
from tests.analysis.conftest import finalise

pytestmark = pytest.mark.django_db

Status = AnalysisRun.Status


@pytest.fixture
def analysis(review, people, outcomes, studies):
    return services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"])


def run_now(analysis, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.analysis_run_request(actor=people["lead"], analysis=analysis)
    run.refresh_from_db()
    return run


def test_a_run_stores_its_data_and_results_equal_to_the_engine(analysis, people, django_capture_on_commit_callbacks):
    run = run_now(analysis, people, django_capture_on_commit_callbacks)
    assert run.status == Status.DONE, run.error
    used = run.inputs["studies"]
    assert len(used) >= 2 and {s["design"] for s in used} <= {"Randomised controlled trial",
                                                             "Non-randomised controlled study"}
    fit = stats.rma(np.array([s["yi"] for s in used]), np.array([s["vi"] for s in used]), method="REML")
    s = run.results["summary"]
    assert s["k"] == len(used) and s["b"] == pytest.approx(fit.b, rel=1e-12)
    assert s["tau2"] == pytest.approx(fit.tau2, abs=1e-12) and s["tau2_ci"][1] == pytest.approx(fit.tau2_ci[1])
    # every other study of the review is listed as left out, with a reason
    assert len(used) + len(run.inputs["excluded"]) == analysis.review.studies.count()
    assert all(e["reason"] for e in run.inputs["excluded"])
    assert run.plots["forest"].startswith("<svg") and "Synthetic" in run.plots["forest"]
    assert "favoured the intervention" in run.results["plain_language"]
    assert len(run.results["leave1out"]) == len(used)


def test_pressing_run_twice_while_queued_gives_one_run(analysis, people):
    first = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    second = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    assert first.pk == second.pk and analysis.runs.count() == 1


def test_a_finished_run_delivered_again_is_left_alone(analysis, people, django_capture_on_commit_callbacks):
    run = run_now(analysis, people, django_capture_on_commit_callbacks)
    events = AuditEvent.objects.count()
    again = services.analysis_run_execute(run_id=run.pk)
    assert again.attempts == 1 and again.finished_at == run.finished_at
    assert AuditEvent.objects.count() == events


def test_a_run_left_running_by_a_dead_worker_runs_again_and_ends_once(analysis, people):
    run = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    AnalysisRun.objects.filter(pk=run.pk).update(status=Status.RUNNING, attempts=1)  # the worker died here
    services.analysis_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == Status.DONE and run.attempts == 2
    finished = AuditEvent.objects.filter(object_type="analysis.AnalysisRun", object_id=str(run.pk),
                                         action=AuditEvent.Action.UPDATE)
    assert finished.count() == 1 and finished.get().after["status"] == "done"


def test_an_outdated_attempt_cannot_store_its_result(analysis, people):
    """Two deliveries at once: the older attempt finishes last and must not overwrite or double the run."""
    run = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    attempt_one = jobs._claim(AnalysisRun, run.pk)
    services.analysis_run_execute(run_id=run.pk)  # the second delivery takes over and finishes
    with pytest.raises(jobs.JobSuperseded):
        attempt_one.finish(error="late")
    run.refresh_from_db()
    assert run.status == Status.DONE and run.error == ""


def test_a_run_becomes_stale_when_the_data_change_and_says_what_changed(
        analysis, people, template, studies, django_capture_on_commit_callbacks):
    run = run_now(analysis, people, django_capture_on_commit_callbacks)
    assert selectors.analysis_overview(analysis=analysis).staleness.stale is False
    label = run.inputs["studies"][0]["label"]
    study = next(s for s in studies if s.label == label)
    extraction = study.extractions.get()
    answers = extraction.consensus
    row = next(r for r in answers["outcome_data"] if r["outcome"] == "Parental depression")
    row["i_n"] = row.get("i_n", 10) + 40
    finalise(template, study, answers)
    staleness = selectors.analysis_overview(analysis=analysis).staleness
    assert staleness.stale and staleness.changed == [label] and not staleness.added
    assert label in staleness.summary
    # the old run still shows the data it used
    run.refresh_from_db()
    assert run.inputs["studies"][0]["label"] == label


def test_too_few_studies_fail_with_a_readable_reason(review, people, outcomes, studies,
                                                     django_capture_on_commit_callbacks):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Infant attachment"],
                                        timepoint="no such time point")
    run = run_now(analysis, people, django_capture_on_commit_callbacks)
    assert run.status == Status.FAILED
    assert run.error.startswith("No study enters this analysis; pooling needs at least two.")
    assert "no data at the time point" in run.error


def test_run_all_queues_one_run_per_analysis(review, people, outcomes, studies, django_capture_on_commit_callbacks):
    services.analyses_create_defaults(actor=people["lead"], review=review)
    with django_capture_on_commit_callbacks(execute=True):
        runs = services.analyses_run_all(actor=people["lead"], review=review)
    assert len(runs) == 7
    assert set(AnalysisRun.objects.values_list("status", flat=True)) == {Status.DONE}
