"""The analyses' API: a lead runs an analysis (202 with the run's URL in the body and Location),
anyone in the review follows the run to its result and the data it pooled; others are refused as
on the pages, and a finished run is announced to webhooks."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from analysis import services
from analysis.models import AnalysisRun
from reviewapp import services as review_services
from reviewapp.models import WebhookDelivery
from tests.analysis import conftest as analysis_fixtures
from tests.api.conftest import auth

# The analysis tests' fixtures: outcomes, the built-in extraction form and studies with final data.
copied, outcomes, template, studies = (analysis_fixtures.copied, analysis_fixtures.outcomes, analysis_fixtures.template,
                                      analysis_fixtures.studies)

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysis(review, people, outcomes, studies):
    return services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"])


def _token(user, scope: str = "read-write") -> dict:
    return auth(review_services.api_token_create(user=user, name="tests", scope=scope)[1])


def _runs_url(analysis) -> str:
    return reverse("api_analysis_runs", args=[analysis.review_id, analysis.pk])


def test_a_lead_runs_an_analysis_and_fetches_its_result(client, analysis, people,
                                                        django_capture_on_commit_callbacks):
    lead = _token(people["lead"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_runs_url(analysis), **lead)
    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"] == body["url"] and body["status"] == "queued"
    # The run went on after the request (eagerly here): GET its URL until done.
    run = client.get(response["Location"], **lead).json()
    assert run["status"] == "done", run["error"]
    stored = AnalysisRun.objects.get(pk=body["id"])
    result = run["results"]
    assert result["b"] == pytest.approx(stored.results["summary"]["b"])
    for key in ("se", "ci_lb", "ci_ub", "pval", "tau2", "I2", "QE", "k"):
        assert key in result
    assert result["ci_lb"] < result["b"] < result["ci_ub"]
    used, left_out = run["inputs"]["studies"], run["inputs"]["excluded"]
    assert result["k"] == len(used) >= 2 and all({"yi", "vi"} <= set(s) for s in used)
    assert len(used) + len(left_out) == analysis.review.studies.count()
    assert all(e["reason"] for e in left_out)
    # The analysis lists this run as its latest, and its detail carries the spec.
    listed = client.get(reverse("api_analyses", args=[analysis.review_id]), **lead).json()["results"]
    assert listed[0]["latest_run"]["id"] == body["id"] and listed[0]["latest_run"]["status"] == "done"
    detail = client.get(reverse("api_analysis", args=[analysis.review_id, analysis.pk]), **lead).json()
    assert detail["spec"]["measure"] == analysis.measure and detail["spec"]["outcome"] == "Parental depression"


def test_posting_while_a_run_waits_answers_that_run(client, analysis, people):
    lead = _token(people["lead"])
    first = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    response = client.post(_runs_url(analysis), **lead)
    assert response.status_code == 202 and response.json()["id"] == first.pk
    assert analysis.runs.count() == 1
    waiting = client.get(response["Location"], **lead).json()
    assert waiting["status"] == "queued" and waiting["results"] is None and waiting["inputs"] is None


def test_a_failed_run_says_why(client, review, people, outcomes, template):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"])
    run = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    services.analysis_run_execute(run_id=run.pk)  # no study: pooling is refused
    body = client.get(reverse("api_analysis_run", args=[review.pk, analysis.pk, run.pk]),
                      **_token(people["viewer"])).json()
    assert body["status"] == "failed" and "at least two" in body["error"] and body["results"] is None


def test_a_reviewer_may_read_but_not_run(client, analysis, people):
    reviewer = _token(people["reviewer"])
    assert client.get(reverse("api_analyses", args=[analysis.review_id]), **reviewer).status_code == 200
    response = client.post(_runs_url(analysis), **reviewer)
    assert response.status_code == 403 and "role" in response.json()["detail"]
    assert analysis.runs.count() == 0


def test_an_outsider_gets_404(client, analysis, make_user):
    outsider = _token(make_user("stranger"))
    assert client.get(reverse("api_analysis", args=[analysis.review_id, analysis.pk]), **outsider).status_code == 404
    assert client.post(_runs_url(analysis), **outsider).status_code == 404
    assert analysis.runs.count() == 0


def test_a_read_only_token_may_not_run(client, analysis, people):
    response = client.post(_runs_url(analysis), **_token(people["lead"], scope="read"))
    assert response.status_code == 403
    assert analysis.runs.count() == 0


def test_a_run_of_another_analysis_is_not_found_under_this_one(client, review, analysis, people, outcomes):
    other = services.analysis_create(actor=people["lead"], review=review,
                                     outcome=next(o for n, o in outcomes.items() if n != "Parental depression"))
    run = services.analysis_run_request(actor=people["lead"], analysis=other, enqueue=False)
    url = reverse("api_analysis_run", args=[review.pk, analysis.pk, run.pk])
    assert client.get(url, **_token(people["lead"])).status_code == 404


def test_a_finished_run_is_announced_to_webhooks(client, analysis, people, settings,
                                                 django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # keep the delivery queued, to read what it would send
    hook = review_services.webhook_create(actor=people["lead"], review=analysis.review, url="http://127.0.0.1:9/hook",
                                          events=["analysis_run.finished"])
    run = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    services.analysis_run_execute(run_id=run.pk)
    delivery = WebhookDelivery.objects.get(webhook=hook)
    data = json.loads(delivery.body)["data"]
    assert delivery.event == "analysis_run.finished"
    assert data["run"] == run.pk and data["status"] == "done" and data["result"]["k"] >= 2
    assert data["url"] == reverse("api_analysis_run", args=[analysis.review_id, analysis.pk, run.pk])
