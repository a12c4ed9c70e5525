"""Background work, one lifecycle: claim, run, record progress, end (done, failed with a reason,
or cancelled), announce, run again and resume, for every model built on ``reviewapp.models.Job``.

A kind's task calls ``job_run(Model, id, body, on_end=...)``. The body gets an ``Attempt`` and
does the work; it calls ``attempt.finish(**fields)`` inside the transaction that writes its outputs,
so the outputs and the "done" commit together or not at all. Whatever the body raises (reading
its inputs, computing, writing its outputs) ends the job failed with the reason in words: a job is
never left running by an error.

Why it is safe to deliver a task twice (acks_late redelivery after a killed worker, or
``resume_background_work`` after a restart): every claim counts an attempt, and only the latest
attempt may end the job; an older one that gets to its end finds it taken over (or cancelled,
or finished) and rolls its outputs back (``JobSuperseded``). So each job ends exactly once.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import ngettext

from .exceptions import ApplicationError
from .models import Job

log = logging.getLogger("reviewapp.jobs")
Status = Job.Status
J = TypeVar("J", bound=Job)


class JobFailed(Exception):
    """Raised by a body to end its job failed with ``reason`` (words for the person who asked),
    storing ``fields`` too (e.g. the line of a file the import stopped at)."""

    def __init__(self, reason: str, **fields: Any):
        super().__init__(reason)
        self.reason, self.fields = reason, fields


class JobSuperseded(Exception):
    """This attempt no longer owns its job: cancelled, finished or taken over by a later delivery."""


class JobInterrupted(Exception):
    """The database went away under a job (a restart, a lost connection): nothing of the attempt
    was kept, and the task is tried again later (``JOB_TASK_OPTIONS``), when the database is back."""


# Options of every job's Celery task: acknowledged at its end and given back when its process dies
# (a killed worker's job is delivered again), and tried again with growing waits (up to 1 s, 2 s,
# 4 s ... 1 min; some 7 minutes in all) while the database is unreachable.
JOB_TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "autoretry_for": (JobInterrupted,),
                    "retry_backoff": 1, "retry_backoff_max": 60, "max_retries": 12}


def failure_reason(exc: BaseException) -> str:
    """The reason a job failed, in words: an ApplicationError's own message, else the kind of error."""
    if isinstance(exc, JobFailed | ApplicationError):
        return str(exc)
    return f"Unexpected error ({type(exc).__name__}: {exc}). Nothing was kept; run it again or report this."[:2000]


class Attempt:
    """One delivery of a job's task that claimed the job."""

    def __init__(self, job: Job, number: int, on_end: Callable[[Any], None] | None = None):
        self.job, self.number, self.model, self.on_end = job, number, type(job), on_end
        self.ended = False

    def _mine(self):
        return self.model.objects.filter(pk=self.job.pk, status=Status.RUNNING, attempts=self.number)

    def progress(self, percent: int, **fields: Any) -> None:
        """Record how far the job has got (0-100) and any counts with it; a no-op once it is not ours."""
        self._mine().update(progress=max(0, min(99, int(percent))), **fields)

    def test_pause(self) -> None:
        """Only for the fault tests: wait JOB_TEST_DELAY_SECONDS here while a test has marked this
        kind of job (a key in the shared cache), so that it can kill the worker or restart a
        service mid-job. With the setting at 0 (the default) this reads nothing and never waits."""
        seconds = getattr(settings, "JOB_TEST_DELAY_SECONDS", 0)
        if not seconds:
            return
        try:
            marked = cache.get(pause_key_for_tests(self.model))
        except Exception:  # noqa: BLE001 - a cache that is down is no mark
            marked = False
        if marked:
            time.sleep(seconds)

    def finish(self, **fields: Any) -> Job:
        """End the job done with ``fields`` stored. Call it inside the transaction that writes the
        job's outputs: when the attempt was superseded it raises, and the outputs roll back."""
        return _end(self, Status.DONE, "", fields)


def pause_key_for_tests(model: type[Job]) -> str:
    return f"job-test-pause:{model._meta.label}"


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(model: type[J], pk: int) -> Attempt | None:
    """Mark the job running for a new attempt (one claim at a time: the row is locked); None when
    it has ended already (a second delivery of a finished job's task)."""
    with transaction.atomic():
        job = model.objects.select_for_update().get(pk=pk)
        if job.is_finished:
            return None
        now = timezone.now()
        job.status, job.attempts, job.claimed_by, job.claimed_at = Status.RUNNING, job.attempts + 1, _worker_name(), now
        job.started_at, job.finished_at, job.progress, job.error = now, None, 0, ""
        job.save(update_fields=["status", "attempts", "claimed_by", "claimed_at", "started_at", "finished_at",
                                "progress", "error"])
    return Attempt(job, job.attempts)


def _end(attempt: Attempt, status: str, reason: str, fields: dict) -> Job:
    with transaction.atomic():
        job = attempt.model.objects.select_for_update().get(pk=attempt.job.pk)
        if job.status != Status.RUNNING or job.attempts != attempt.number:
            raise JobSuperseded(f"{job} is {job.status} (attempt {job.attempts}), not attempt {attempt.number}'s")
        for name, value in fields.items():
            setattr(job, name, value)
        job.status, job.error, job.finished_at = status, reason, timezone.now()
        if status == Status.DONE:
            job.progress = 100
        job.save()
        attempt.ended, attempt.job = True, job
        if attempt.on_end is not None:
            attempt.on_end(job)  # the audit trail and the announcement commit with the end
    return job


def job_run(model: type[J], pk: int, body: Callable[[Attempt], dict | None], *,
            on_end: Callable[[J], None] | None = None) -> J:
    """Claim the job, run ``body`` and end the job: done with the fields the body returns (unless
    it called ``attempt.finish`` itself), failed with the reason on any exception. ``on_end`` runs
    in the transaction that ends it (done or failed; ``job_cancel`` takes one too).

    When the database itself is lost (a restart) the job cannot even be marked failed: the
    attempt's transaction rolled back, so JobInterrupted asks Celery to deliver it again later."""
    try:
        return _job_run(model, pk, body, on_end)
    except (OperationalError, InterfaceError) as exc:
        for conn in connections.all():
            if not conn.in_atomic_block:  # (only a test runs a job inside a transaction)
                conn.close_if_unusable_or_obsolete()
        raise JobInterrupted(f"{model._meta.label}:{pk}: the database was lost ({exc}); tried again later") from exc


def _database_lost(exc: BaseException) -> bool:
    """True when ``exc`` came from a connection error and the default connection no longer works:
    a restart or a lost connection, not a bad query (nor a test's transaction a bad query aborted)."""
    cause, depth = exc, 0
    while cause is not None and not isinstance(cause, OperationalError | InterfaceError) and depth < 10:
        cause, depth = cause.__cause__ or cause.__context__, depth + 1
    if not isinstance(cause, OperationalError | InterfaceError):
        return False
    # The server said so: a connection exception (SQLSTATE class 08) or operator intervention
    # (57P: a shutdown or restart). Asked first, because by now the connection may be open again.
    sqlstate = getattr(cause.__cause__, "sqlstate", None) or ""
    if isinstance(cause, InterfaceError) or sqlstate.startswith(("08", "57P")):
        return True
    try:
        return not connections["default"].is_usable()
    except Exception:  # noqa: BLE001 - a connection that cannot even say is lost
        return True


def _job_run(model, pk, body, on_end):
    attempt = _claim(model, pk)
    if attempt is None:
        return model.objects.get(pk=pk)
    attempt.on_end = on_end
    began = time.monotonic()
    _log_line("start", attempt.job, attempt.number)
    try:
        fields = body(attempt)
        if not attempt.ended:
            attempt.finish(**(fields or {}))
    except JobSuperseded as exc:
        log.info("job %s:%s attempt %s left it: %s", model._meta.label, pk, attempt.number, exc)
    except Exception as exc:  # noqa: BLE001 - any failure must end the job with a reason, never leave it running
        if _database_lost(exc):
            raise OperationalError(f"database lost during the job: {exc}") from exc
        if not isinstance(exc, JobFailed | ApplicationError):
            log.exception("job %s:%s failed", model._meta.label, pk)
        try:
            _end(attempt, Status.FAILED, failure_reason(exc), getattr(exc, "fields", {}))
        except JobSuperseded:
            pass
    job = model.objects.get(pk=pk)
    _log_line("end", job, attempt.number, seconds=time.monotonic() - began)
    return job


def _log_line(event: str, job: Job, attempt: int, **extra: Any) -> None:
    """One structured line per start and end, for whoever runs the site (key=value, grep-able)."""
    parts = {"event": f"job_{event}", "kind": job._meta.label, "id": job.pk, "attempt": attempt,
             "status": job.status, "worker": _worker_name(), **extra}
    log.info(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in parts.items()))


def job_send(job: Job) -> None:
    """Queue the job's task once the transaction that made (or reset) it commits. The broker being
    down does not undo that transaction (a reviewer's decision, an upload) nor fail the request:
    the job ends failed with the reason instead, to be run again (a retraining: by the next
    settled records)."""
    model, pk = type(job), job.pk
    transaction.on_commit(lambda: _send(model, pk))


def _send(model: type[Job], pk: int) -> None:
    try:
        import_string(model.JOB_TASK).delay(pk)
    except Exception as exc:  # noqa: BLE001 - kombu and redis raise their own kinds for an unreachable broker
        log.warning("job %s:%s could not be queued: %s", model._meta.label, pk, exc)
        model.objects.filter(pk=pk, status=Status.QUEUED).update(
            status=Status.FAILED, finished_at=timezone.now(),
            error=f"The task queue could not be reached, so no worker got this {model.JOB_NOUN[0]} "
                  f"({type(exc).__name__}: {exc}). Run it again once the site's services are back."[:2000])


def job_cancel(model: type[J], pk: int, *, on_end: Callable[[J], None] | None = None) -> J:
    """Stop a job that has not ended: it ends cancelled at once, and a body still at work for it
    finds it no longer its own and keeps nothing. A job that ended already is refused (ApplicationError)."""
    with transaction.atomic():
        job = model.objects.select_for_update().get(pk=pk)
        if job.is_finished:
            raise ApplicationError(f"This {job.JOB_NOUN[0]} has ended already ({job.status_label.lower()}).")
        job.status, job.finished_at = Status.CANCELLED, timezone.now()
        job.save(update_fields=["status", "finished_at"])
        if on_end is not None:
            on_end(job)
    return job


def job_run_again(model: type[J], pk: int) -> J:
    """Queue a failed or cancelled job again (its attempts keep counting, so an old delivery can
    never end the new run)."""
    with transaction.atomic():
        job = model.objects.select_for_update().get(pk=pk)
        if job.status not in (Status.FAILED, Status.CANCELLED):
            raise ApplicationError(f"Only a failed or cancelled {job.JOB_NOUN[0]} can be run again.")
        job.status, job.error, job.progress = Status.QUEUED, "", 0
        job.claimed_by, job.claimed_at, job.started_at, job.finished_at = "", None, None, None
        job.save(update_fields=["status", "error", "progress", "claimed_by", "claimed_at", "started_at",
                                "finished_at"])
        job_send(job)
    return job


def job_models() -> list[type[Job]]:
    """Every kind of job the site has."""
    return [m for m in apps.get_models() if issubclass(m, Job)]


def jobs_resume() -> list[str]:
    """Send again every job a stopped worker left queued or running (see reviewapp.background);
    a job sent twice ends once. What was sent, one line per kind."""
    said = []
    for model in job_models():
        ids = list(model.objects.filter(status__in=[Status.QUEUED, Status.RUNNING]).order_by("pk")
                   .values_list("pk", flat=True))
        task = import_string(model.JOB_TASK)
        for pk in ids:
            task.delay(pk)
        if ids:
            noun = ngettext(*model.JOB_NOUN, len(ids))
            said.append(f"{len(ids)} {noun} sent to the worker again")
    return said


# A job running this long, or waiting this long for a worker, is flagged as stuck by `manage.py
# jobs`: the longest jobs (an import of the largest allowed file, a retraining of 100,000 records)
# take minutes, so an hour means a lost worker or task, not a slow one.
STUCK_RUNNING = timedelta(hours=1)
STUCK_QUEUED = timedelta(minutes=15)


def job_lost_reason(job: Job, *, now=None) -> str:
    """Why ``job`` looks lost, in words, or "" when it does not: queued longer than STUCK_QUEUED
    (its message went with a broker restarted without its data, or was never sent) or running
    longer than STUCK_RUNNING (its whole worker is gone; Redis would wait hours to give it back)."""
    now = now or timezone.now()
    if job.status == Status.QUEUED:
        made = getattr(job, "created_at", None)
        if made is not None and now - made > STUCK_QUEUED:
            return (f"No worker took it within {int(STUCK_QUEUED.total_seconds() // 60)} minutes (its task was "
                    "lost); the next one replaces it.")
    elif job.status == Status.RUNNING and job.claimed_at is not None and now - job.claimed_at > STUCK_RUNNING:
        hours = int(STUCK_RUNNING.total_seconds() // 3600)
        return f"Its worker stopped answering (running for over {hours} h); the next one replaces it."
    return ""


def job_abandon(job: J, reason: str) -> J:
    """End a lost job failed with ``reason``, so that a new one can take its place; an attempt
    still at work for it somewhere finds it ended and keeps nothing."""
    type(job).objects.filter(pk=job.pk, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.FAILED, error=reason, finished_at=timezone.now())
    job.refresh_from_db()
    return job


@dataclass(frozen=True)
class JobRow:
    kind: str
    pk: int
    status: str
    age: timedelta  # since it was claimed (running) or made (queued)
    attempts: int
    claimed_by: str
    stuck: bool


def jobs_unfinished(*, now=None) -> list[JobRow]:
    """Every queued or running job of every kind, oldest first, with the stuck ones flagged."""
    now = now or timezone.now()
    rows = []
    for model in job_models():
        made = next(f.name for f in model._meta.concrete_fields if f.name in ("created_at", "uploaded_at"))
        for job in model.objects.filter(status__in=[Status.QUEUED, Status.RUNNING]).order_by("pk"):
            since = (job.claimed_at if job.status == Status.RUNNING else None) or getattr(job, made)
            age = now - since
            limit = STUCK_RUNNING if job.status == Status.RUNNING else STUCK_QUEUED
            rows.append(JobRow(kind=model._meta.label, pk=job.pk, status=job.status, age=age,
                               attempts=job.attempts, claimed_by=job.claimed_by, stuck=age > limit))
    return sorted(rows, key=lambda r: -r.age)


def jobs_counts() -> dict[str, dict[str, int]]:
    """Jobs of each kind by state."""
    return {model._meta.label: dict(model.objects.values_list("status").annotate(n=Count("pk")).order_by())
            for model in job_models()}
