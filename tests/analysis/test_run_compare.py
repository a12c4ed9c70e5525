"""A living review's update: a run compared with the run before it, side by side, page-free (API)."""
from __future__ import annotations

import pytest
from django.urls import reverse

from analysis import selectors, services
from analysis.models import AnalysisRun
from analysis.run_compare import compare_runs
from reviewapp import services as review_services

pytestmark = pytest.mark.django_db


def _run(analysis, people, capture):
    with capture(execute=True):
        run = services.analysis_run_request(actor=people["lead"], analysis=analysis)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run


def test_a_rerun_names_the_new_studies_and_compares_the_figures_side_by_side(
        review, people, outcomes, studies, client, django_capture_on_commit_callbacks):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"])
    first = _run(analysis, people, django_capture_on_commit_callbacks)
    # The first run, as a previous version saw it: without one of today's studies.
    dropped = first.inputs["studies"][0]["label"]
    inputs = dict(first.inputs, studies=first.inputs["studies"][1:])
    AnalysisRun.objects.filter(pk=first.pk).update(inputs=inputs, input_hash="before the update")
    stale = selectors.analysis_overview(analysis=analysis).staleness
    assert stale.stale and stale.added == [dropped] and dropped in stale.summary
    second = _run(analysis, people, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    comparison = compare_runs(run=second, previous=first)
    assert comparison.added == [dropped] and comparison.removed == []
    assert comparison.current.number == second.number and comparison.previous.number == first.number
    s = second.results["summary"]
    assert comparison.current.figures["tau2"] == pytest.approx(s["tau2"])
    assert comparison.current.figures["I2"] == pytest.approx(s["I2"])
    assert comparison.current.figures["b"] == pytest.approx(s["shown"]["b"])
    assert comparison.current.certainty and comparison.threshold == "null"
    assert comparison.crossed == (comparison.previous.side != comparison.current.side)
    _, key = review_services.api_token_create(user=people["viewer"], name="t", scope="read")
    url = reverse("api_analysis_run_compare", args=[review.pk, analysis.pk, second.pk])
    body = client.get(url, HTTP_AUTHORIZATION=f"Token {key}").json()
    assert body["added"] == [dropped] and body["previous"]["number"] == first.number
    assert set(body["current"]["figures"]) == {"b", "ci_lb", "ci_ub", "I2", "tau2", "pi_lb", "pi_ub"}
    # The first run has nothing before it: a reason, not an empty comparison.
    none = client.get(reverse("api_analysis_run_compare", args=[review.pk, analysis.pk, first.pk]),
                      HTTP_AUTHORIZATION=f"Token {key}")
    assert none.status_code == 400 and "no earlier finished run" in none.json()["detail"]


def test_the_compare_page_is_reached_from_the_run_history_and_shows_both_runs(
        review, people, outcomes, studies, client_for, django_capture_on_commit_callbacks):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"])
    first = _run(analysis, people, django_capture_on_commit_callbacks)
    dropped = first.inputs["studies"][0]["label"]
    AnalysisRun.objects.filter(pk=first.pk).update(inputs=dict(first.inputs, studies=first.inputs["studies"][1:]),
                                                   input_hash="before the update")
    viewer = client_for(people["viewer"])
    listing = viewer.get(reverse("analysis_list", args=[review.pk])).content.decode()
    assert "stale" in listing and f"1 study added ({dropped})" in listing  # the new study named, not hidden
    second = _run(analysis, people, django_capture_on_commit_callbacks)
    compare_url = reverse("analysis_run_compare", args=[review.pk, analysis.pk, second.pk])
    history = viewer.get(reverse("analysis_detail", args=[review.pk, analysis.pk])).content.decode()
    assert compare_url in history
    assert reverse("analysis_run_compare", args=[review.pk, analysis.pk, first.pk]) not in history
    page = viewer.get(compare_url).content.decode()
    for words in (f"run {second.number} against run {first.number}", f"Added in run {second.number}: {dropped}",
                  "Prediction interval", "GRADE certainty", "I²", "tau²", "did not cross the null"
                  if "did not cross" in compare_runs(run=second, previous=first).conclusion else "changed"):
        assert words in page, words
    assert viewer.get(reverse("analysis_run_compare", args=[review.pk, analysis.pk, first.pk])).status_code == 404
