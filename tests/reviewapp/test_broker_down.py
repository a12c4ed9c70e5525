"""A task queue that cannot be reached, and a database lost under a job, without live services
(tests/reviewapp/test_job_faults_live.py does it for real with CI's worker): what the change that
queued the work committed stays, the request does not fail, and the job says why it never ran."""
from __future__ import annotations

import pytest
from django.db import OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerDown

from reviewapp import jobs
from reviewapp import services as review_services
from reviewapp.models import WebhookDelivery
from reviewapp.webhooks import emit
from screening import services
from screening import tasks as screening_tasks
from screening.models import Record, SearchFile
from tests.screening.helpers import make_search, record, ris

pytestmark = pytest.mark.django_db


def _unreachable(*args, **kwargs):
    raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_an_upload_while_the_broker_is_down_is_kept_and_its_import_fails_with_the_reason(
        review, people, monkeypatch, django_capture_on_commit_callbacks):
    search = make_search(review, people["lead"])
    monkeypatch.setattr(screening_tasks.search_file_import, "delay", _unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        search_file = services.search_file_create(actor=people["lead"], search=search,
                                                  upload=ris(record(1), record(2)), filename="scopus.ris")
    search_file.refresh_from_db()
    assert search_file.status == SearchFile.Status.FAILED
    assert "task queue could not be reached" in search_file.error and "Connection refused" in search_file.error
    assert search_file.finished_at is not None

    monkeypatch.undo()  # the broker is back: run it again from its page
    with django_capture_on_commit_callbacks(execute=True):
        services.search_file_retry(actor=people["lead"], search_file=search_file)
    search_file.refresh_from_db()
    assert search_file.status == SearchFile.Status.DONE and Record.objects.filter(search_file=search_file).count() == 2


def test_a_webhook_delivery_that_cannot_be_queued_fails_with_the_reason(
        review, people, monkeypatch, django_capture_on_commit_callbacks):
    from reviewapp import tasks

    review_services.webhook_create(actor=people["lead"], review=review, url="http://127.0.0.1:9/hook",
                                   events=["import.finished"])
    monkeypatch.setattr(tasks.webhook_deliver, "delay", _unreachable)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        (delivery,) = emit(review=review, event="import.finished", data={"search_file": 1})
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and "task queue could not be reached" in delivery.error


def _one_import(review, people) -> SearchFile:
    return services.search_file_create(actor=people["lead"], search=make_search(review, people["lead"]),
                                       upload=ris(record(1)), filename="scopus.ris", enqueue=False)


def test_a_lost_database_interrupts_the_job_for_a_retry_instead_of_failing_it(review, people, monkeypatch):
    search_file = _one_import(review, people)

    def body(attempt):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(jobs.connections["default"], "is_usable", lambda: False)
    with pytest.raises(jobs.JobInterrupted):
        jobs.job_run(SearchFile, search_file.pk, body)
    search_file.refresh_from_db()
    # not ended: the task's retry claims it again (the next attempt)
    assert search_file.status == SearchFile.Status.RUNNING and search_file.attempts == 1 and not search_file.error

    monkeypatch.undo()  # a bad query, the database still there
    jobs.job_run(SearchFile, search_file.pk, body)
    search_file.refresh_from_db()
    assert search_file.status == SearchFile.Status.FAILED and "terminating connection" in search_file.error
    assert search_file.attempts == 2


def test_every_job_task_retries_an_interrupted_job():
    from django.utils.module_loading import import_string

    for model in jobs.job_models():
        task = import_string(model.JOB_TASK)
        assert jobs.JobInterrupted in task.autoretry_for and task.max_retries >= 5, model._meta.label
