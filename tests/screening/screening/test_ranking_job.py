"""A retraining is a job (reviewapp.jobs): an error anywhere in it, reading the decisions or
writing the priorities, ends the run failed with the reason, and the next settled records
queue another; before, such a run stayed RUNNING and priority screening stopped learning."""
from __future__ import annotations

import logging

import pytest

from screening import services
from screening.models import RankingRun, ScreeningItem
from screening.services import ranking
from tests.screening.screening.test_ranking import _decide_next, mixed_review  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _prioritised(review, lead, capture):
    with capture(execute=True):
        services.screening_settings_update(actor=lead, review=review, prioritise=True)


def _broken(message):
    def fail(*args, **kwargs):
        raise OSError(message)
    return fail


@pytest.mark.parametrize("where", ["_labels_and_items", "stopping.ran_dry"])
def test_an_error_reading_the_inputs_fails_the_run_and_the_next_decisions_queue_another(
        mixed_review, people, django_capture_on_commit_callbacks, monkeypatch, where):  # noqa: F811
    review, reviewer = mixed_review, people["reviewer"]
    with monkeypatch.context() as patch:
        target = ranking.stopping if where.startswith("stopping") else ranking
        patch.setattr(target, where.split(".")[-1], _broken("the disk went away"))
        _prioritised(review, people["lead"], django_capture_on_commit_callbacks)  # queues the first run
    failed = RankingRun.objects.get(review=review)
    assert failed.status == RankingRun.Status.FAILED and "the disk went away" in failed.error
    assert failed.finished_at is not None and failed.attempts == 1

    with django_capture_on_commit_callbacks(execute=True):
        _decide_next(review, reviewer, "include")
    latest = RankingRun.objects.filter(review=review).first()
    assert latest.pk != failed.pk and latest.status == RankingRun.Status.DONE and latest.decisions_seen == 1


def test_an_error_writing_the_priorities_keeps_the_old_order_and_fails_the_run(
        mixed_review, people, django_capture_on_commit_callbacks, monkeypatch):  # noqa: F811
    review = mixed_review
    ScreeningItem.objects.filter(review=review).update(priority=7.0)
    real_finish = ranking.Attempt.finish

    def finish_after_a_lost_connection(self, **fields):
        real_finish(self, **fields)
        raise ConnectionError("database connection lost")

    monkeypatch.setattr(ranking.Attempt, "finish", finish_after_a_lost_connection)
    _prioritised(review, people["lead"], django_capture_on_commit_callbacks)
    run = RankingRun.objects.get(review=review)
    assert run.status == RankingRun.Status.FAILED and "database connection lost" in run.error
    # the priorities written in the run's transaction rolled back with it
    assert set(ScreeningItem.objects.filter(review=review).values_list("priority", flat=True)) == {7.0}


def test_each_run_logs_its_start_and_end_with_the_duration_in_one_line(
        mixed_review, people, django_capture_on_commit_callbacks, caplog):  # noqa: F811
    review = mixed_review
    with caplog.at_level(logging.INFO, logger="reviewapp.jobs"):
        _prioritised(review, people["lead"], django_capture_on_commit_callbacks)
    run = RankingRun.objects.get(review=review)
    lines = [r.getMessage() for r in caplog.records if r.name == "reviewapp.jobs"]
    assert lines[0].startswith(f"event=job_start kind=screening.RankingRun id={run.pk} attempt=1 status=running")
    assert lines[-1].startswith(f"event=job_end kind=screening.RankingRun id={run.pk} attempt=1 status=done")
    assert "seconds=" in lines[-1]


@pytest.mark.parametrize(("status", "minutes", "replaced"), [
    ("queued", 20, True),    # its task went with a broker restarted without its data
    ("queued", 2, False),    # a worker busy with a long import: it still waits its turn
    ("running", 90, True),   # its whole worker is gone (Redis would give the task back after hours)
    ("running", 20, False),
])
def test_a_lost_retraining_is_replaced_by_the_next_decisions_so_the_ranking_keeps_learning(
        mixed_review, people, django_capture_on_commit_callbacks, status, minutes, replaced):  # noqa: F811
    from datetime import timedelta

    from django.utils import timezone

    review, reviewer = mixed_review, people["reviewer"]
    _prioritised(review, people["lead"], django_capture_on_commit_callbacks)
    long_ago = timezone.now() - timedelta(minutes=minutes)
    lost = RankingRun.objects.create(review=review, status=status, attempts=int(status == "running"))
    RankingRun.objects.filter(pk=lost.pk).update(created_at=long_ago,
                                                 claimed_at=long_ago if status == "running" else None)
    with django_capture_on_commit_callbacks(execute=True):
        _decide_next(review, reviewer, "include")
        _decide_next(review, reviewer, "exclude")  # a first model is due
    lost.refresh_from_db()
    newest = RankingRun.objects.filter(review=review).order_by("-pk").first()
    if replaced:
        assert lost.status == RankingRun.Status.FAILED and "the next one replaces it" in lost.error
        assert newest.pk != lost.pk and newest.status == RankingRun.Status.DONE and newest.trained
    else:
        assert lost.status == status and newest.pk == lost.pk
