"""A lead cancels a run that has not ended and runs a failed or cancelled one again, on the page
and through the API (the same services, reviewapp.jobs underneath); others are refused."""
from __future__ import annotations

import pytest
from django.urls import reverse

from analysis import services
from analysis.models import AnalysisRun
from reviewapp import jobs
from reviewapp import services as review_services
from reviewapp.models import AuditEvent
from tests.analysis import conftest as analysis_fixtures
from tests.api.conftest import auth

outcomes, template, studies = analysis_fixtures.outcomes, analysis_fixtures.template, analysis_fixtures.studies
pytestmark = pytest.mark.django_db
Status = AnalysisRun.Status


@pytest.fixture
def analysis(review, people, outcomes, studies):
    return services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"])


def _api(run, action):
    return reverse(f"api_analysis_run_{action}", args=[run.analysis.review_id, run.analysis_id, run.pk])


def _page(run, action):
    return reverse(f"analysis_run_{action}", args=[run.analysis.review_id, run.pk])


def test_a_cancelled_run_is_never_carried_out_by_its_late_task(analysis, people, client_for):
    run = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    page = client_for(people["lead"]).get(reverse("analysis_detail", args=[analysis.review_id, analysis.pk]))
    assert _page(run, "cancel") in page.content.decode()
    response = client_for(people["lead"]).post(_page(run, "cancel"))
    assert response.status_code == 302
    services.analysis_run_execute(run_id=run.pk)  # the task arrives after all
    run.refresh_from_db()
    assert run.status == Status.CANCELLED and run.attempts == 0 and run.results is None
    ended = AuditEvent.objects.get(object_type="analysis.AnalysisRun", object_id=str(run.pk),
                                   action=AuditEvent.Action.UPDATE)
    assert ended.after["status"] == "cancelled" and ended.actor == people["lead"]


def test_a_run_cancelled_while_it_computes_keeps_no_result(analysis, people):
    run = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    attempt = jobs._claim(AnalysisRun, run.pk)  # a worker has it
    services.analysis_run_cancel(actor=people["lead"], run=run)
    with pytest.raises(jobs.JobSuperseded):
        attempt.finish(results={"summary": {"k": 3}})
    run.refresh_from_db()
    assert run.status == Status.CANCELLED and run.results is None


def test_a_failed_run_runs_again_through_the_api_and_ends_done(analysis, people, client,
                                                               django_capture_on_commit_callbacks):
    run = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    AnalysisRun.objects.filter(pk=run.pk).update(status=Status.FAILED, error="the worker ran out of memory",
                                                 attempts=1)
    token = auth(review_services.api_token_create(user=people["lead"], name="t", scope="read-write")[1])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_api(run, "again"), **token)
    assert response.status_code == 202 and response["Location"].endswith(
        reverse("api_analysis_run", args=[analysis.review_id, analysis.pk, run.pk]))
    run.refresh_from_db()
    assert run.status == Status.DONE and run.error == "" and run.attempts == 2 and run.results["summary"]["k"] >= 2
    # a finished run can be neither cancelled nor run again
    refused = client.post(_api(run, "cancel"), **token)
    assert refused.status_code == 400 and "ended already" in refused.json()["detail"]
    assert client.post(_api(run, "again"), **token).status_code == 400


def test_the_page_offers_run_again_for_a_failed_run(analysis, people, client_for, django_capture_on_commit_callbacks):
    run = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    AnalysisRun.objects.filter(pk=run.pk).update(status=Status.FAILED, error="lost")
    lead = client_for(people["lead"])
    page = lead.get(reverse("analysis_detail", args=[analysis.review_id, analysis.pk])).content.decode()
    assert _page(run, "again") in page and _page(run, "cancel") not in page
    with django_capture_on_commit_callbacks(execute=True):
        assert lead.post(_page(run, "again")).status_code == 302
    run.refresh_from_db()
    assert run.status == Status.DONE


def test_only_those_who_run_analyses_cancel_or_run_again(analysis, people, client_for, client):
    run = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    reviewer = client_for(people["reviewer"])
    page = reviewer.get(reverse("analysis_detail", args=[analysis.review_id, analysis.pk])).content.decode()
    assert _page(run, "cancel") not in page
    assert reviewer.post(_page(run, "cancel")).status_code == 403
    token = auth(review_services.api_token_create(user=people["reviewer"], name="t", scope="read-write")[1])
    assert client.post(_api(run, "cancel"), **token).status_code == 403
    run.refresh_from_db()
    assert run.status == Status.QUEUED
