"""Background jobs against faults, with CI's live Celery worker (.ci/run): a pool process killed
mid-job (SIGKILL: no clean-up), PostgreSQL restarted under an import, Redis stopped while
reviewers decide. Each job must end done exactly once (or failed with a reason) with nothing
doubled, and no decision may be lost.

The worker runs with JOB_TEST_DELAY_SECONDS=3: a job whose kind a test marks in the shared cache
(Redis) waits that long at a point mid-job (``Attempt.test_pause``: an import's records written
but not committed, a retraining's priorities written, an archive's file stored), so the test
can strike there. These tests stop and start services, so they run in the serial pass only.
"""
from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from reviewapp.archive.services import archive_export_request
from reviewapp.jobs import pause_key_for_tests
from reviewapp.models import ArchiveExport, AuditEvent
from screening import services
from screening.models import RankingRun, Record, ScreeningItem, SearchFile
from tests.screening.helpers import import_bytes, make_search, record, ris
from tests.support import require

pytestmark = pytest.mark.django_db(transaction=True)

RELEVANT = "Parent-infant psychotherapy for postnatal depression: trial {n}"
OFF_TOPIC = "Statin dosing in elderly patients with renal impairment: cohort {n}"


def _shared_cache():
    """The worker's cache (Redis); the test settings give this process a cache of its own."""
    from django.core.cache.backends.redis import RedisCache

    return RedisCache(os.environ["REDIS_URL"], {})


@contextmanager
def paused(model):
    """While inside, the worker's jobs of this kind wait JOB_TEST_DELAY_SECONDS mid-job."""
    cache = _shared_cache()
    cache.set(pause_key_for_tests(model), True, 300)
    try:
        yield lambda: cache.delete(pause_key_for_tests(model))
    finally:
        try:
            cache.delete(pause_key_for_tests(model))
        except Exception:  # noqa: BLE001 - Redis may be the thing a test stopped
            pass


def wait_for(job, condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if condition(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"{what}: still {job.status} after {seconds} s ({job.error})")


def kill_pool_process(job) -> str:
    """SIGKILL the pool process that claimed ``job`` (the worker's main process starts another)."""
    host, pid = job.claimed_by.rsplit(":", 1)
    require(host == socket.gethostname(), "the worker runs on another machine, so this test cannot stop it")
    os.kill(int(pid), signal.SIGKILL)
    return job.claimed_by


def require_pausing(job, seconds: float = 1.5) -> None:
    """The job is still running a moment after it began: the worker pauses marked jobs."""
    time.sleep(seconds)
    job.refresh_from_db()
    require(job.status == job.Status.RUNNING and job.attempts == 1,
            "the worker did not pause the job: start it with JOB_TEST_DELAY_SECONDS=3 (as .ci/run does)")


def ended_events(job) -> list[str]:
    events = AuditEvent.objects.filter(object_type=job._meta.label, object_id=str(job.pk),
                                       action=AuditEvent.Action.UPDATE).order_by("pk")
    return [e.after.get("status") for e in events]


def upload(review, lead, total: int, filename: str = "scopus.ris") -> SearchFile:
    """Upload a file of ``total`` records as the page does; the worker imports it."""
    data = ris(*(record(n) for n in range(1, total + 1)))
    return services.search_file_create(actor=lead, search=make_search(review, lead), upload=data, filename=filename)


def assert_imported_once(search_file: SearchFile, total: int) -> None:
    assert search_file.status == SearchFile.Status.DONE, search_file.error
    assert search_file.records_imported == total
    assert Record.objects.filter(search_file=search_file).count() == total
    assert Record.objects.filter(review_id=search_file.search.review_id).count() == total
    assert ScreeningItem.objects.filter(review_id=search_file.search.review_id, stage="ta").count() == total
    assert ended_events(search_file) == ["done"]


# ---------------------------------------------------------------- SIGKILL mid-job, each kind

def test_an_import_whose_pool_process_is_killed_mid_import_ends_once_with_the_files_records(
        live_worker, review, people):
    total = 300
    with paused(SearchFile) as unpause:
        search_file = upload(review, people["lead"], total)
        # every record written in the import's transaction, which the worker holds open
        wait_for(search_file, lambda f: f.records_read == total, 60, "the import never read its records")
        require_pausing(search_file, 0.3)
        killed = kill_pool_process(search_file)
        unpause()
        wait_for(search_file, lambda f: f.is_finished, 90, "the import never ended after redelivery")
    assert search_file.attempts == 2 and search_file.claimed_by != killed
    assert_imported_once(search_file, total)
    assert live_worker.control.ping(timeout=3), "the worker did not recover"


@pytest.fixture
def mixed_review(review, people):
    """12 records, relevant and off-topic alternating, imported in this process; one reviewer each."""
    lead = people["lead"]
    rows = [record(n, title=(RELEVANT if n % 2 else OFF_TOPIC).format(n=n), doi=f"10.3000/x.{n}")
            for n in range(1, 13)]
    import_bytes(make_search(review, lead), lead, ris(*rows), "mixed.ris")
    services.screening_settings_update(actor=lead, review=review, reviewers_per_record=1)
    return review


def decide_next(review, reviewer, value: str) -> ScreeningItem:
    item = services.screening_next(reviewer=reviewer, review=review, stage="ta")
    services.decision_record(actor=reviewer, review=review, item_id=item.pk, value=value)
    return item


def test_a_retraining_whose_pool_process_is_killed_mid_run_ends_once(mixed_review, people, live_worker):
    review = mixed_review
    ScreeningItem.objects.filter(review=review).update(priority=12345.5)
    with paused(RankingRun) as unpause:
        services.screening_settings_update(actor=people["lead"], review=review, prioritise=True)
        run = RankingRun.objects.get(review=review)
        wait_for(run, lambda r: r.status == r.Status.RUNNING, 30, "the worker never started the retraining")
        require_pausing(run)  # its priorities are written now, inside the transaction it holds open
        killed = kill_pool_process(run)
        unpause()
        wait_for(run, lambda r: r.is_finished, 90, "the retraining never ended after redelivery")
    assert run.status == RankingRun.Status.DONE, run.error
    assert run.attempts == 2 and run.claimed_by != killed
    assert RankingRun.objects.filter(review=review).count() == 1
    assert run.ranked == 12 and not ScreeningItem.objects.filter(review=review, priority=12345.5).exists()
    assert live_worker.control.ping(timeout=3), "the worker did not recover"


def test_an_archive_whose_pool_process_is_killed_after_storing_its_file_leaves_one_archive(
        live_worker, review, people):
    import_bytes(make_search(review, people["lead"]), people["lead"], ris(record(1), record(2)), "scopus.ris")
    folder = Path(settings.MEDIA_ROOT) / "archives" / f"review-{review.pk}"
    with paused(ArchiveExport) as unpause:
        export = archive_export_request(actor=people["lead"], review=review)
        deadline = time.monotonic() + 30
        while not (folder.is_dir() and any(folder.iterdir())):
            assert time.monotonic() < deadline, "the worker never stored the archive's file"
            time.sleep(0.1)
        require_pausing(export, 0.3)
        killed = kill_pool_process(export)
        unpause()
        wait_for(export, lambda e: e.is_finished, 90, "the archive never ended after redelivery")
    assert export.status == ArchiveExport.Status.DONE, export.error
    assert export.attempts == 2 and export.claimed_by != killed
    assert ArchiveExport.objects.filter(review=review).count() == 1
    # the killed attempt's file is gone: one archive in the review's folder, the one the export names
    assert [p.name for p in folder.iterdir()] == [Path(export.file.name).name]
    with export.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        assert archive.testzip() is None
        assert json.loads(archive.read("manifest.json"))["counts"]["screening.Record"] == 2
    assert live_worker.control.ping(timeout=3), "the worker did not recover"


# ---------------------------------------------------------------- PostgreSQL restarted mid-import

def _postgres_cluster() -> list[str]:
    """pg_ctlcluster's version and name of the cluster on the test database's port."""
    require(connection.vendor == "postgresql", "the test database is not PostgreSQL")
    port = str(connection.settings_dict.get("PORT") or 5432)
    try:
        listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        listed = ""
    for line in listed.splitlines():
        version, name, cluster_port = line.split()[:3]
        if cluster_port == port:
            return [version, name]
    require(False, f"no PostgreSQL cluster on port {port} that pg_ctlcluster can restart")
    return []


def _restart_postgres(cluster: list[str]) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "restart", "-m", "fast"], check=True,
                   capture_output=True, timeout=60)
    connection.close()  # this process's connection died with the server


def test_an_import_whose_database_restarts_mid_import_is_tried_again_and_ends_with_the_files_records(
        live_worker, review, people):
    cluster = _postgres_cluster()
    total = 300
    with paused(SearchFile) as unpause:
        search_file = upload(review, people["lead"], total)
        wait_for(search_file, lambda f: f.records_read == total, 60, "the import never read its records")
        require_pausing(search_file, 0.3)
        _restart_postgres(cluster)  # the import's transaction, records written, is cut off
        unpause()
        search_file = SearchFile.objects.get(pk=search_file.pk)
        wait_for(search_file, lambda f: f.is_finished, 90, "the import never ended after the restart")
    assert search_file.attempts >= 2  # the cut-off attempt and the retry
    assert_imported_once(search_file, total)
    assert live_worker.control.ping(timeout=3), "the worker did not recover"


# ---------------------------------------------------------------- Redis stopped while reviewers decide

def _redis_address() -> tuple[str, int]:
    url = urllib.parse.urlparse(os.environ["REDIS_URL"])
    return url.hostname or "127.0.0.1", url.port or 6379


def _redis(*args: str) -> subprocess.CompletedProcess:
    host, port = _redis_address()
    return subprocess.run(["redis-cli", "-h", host, "-p", str(port), *args], capture_output=True, text=True,
                          timeout=10, check=False)


def _start_redis() -> None:
    """As .ci/run starts it."""
    host, port = _redis_address()
    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", host, "--port", str(port), "--save", "",
                    "--appendonly", "no"], check=True, capture_output=True, timeout=30)
    deadline = time.monotonic() + 30
    while _redis("ping").stdout.strip() != "PONG":
        assert time.monotonic() < deadline, "Redis did not start again"
        time.sleep(0.2)


def test_decisions_made_while_redis_is_down_are_kept_and_the_retraining_runs_when_it_is_back(
        mixed_review, people, live_worker, client_for):
    review, reviewer = mixed_review, people["reviewer"]
    require(_redis("ping").stdout.strip() == "PONG", "redis-cli cannot reach the broker")
    services.screening_settings_update(actor=people["lead"], review=review, prioritise=True)
    first = wait_for(RankingRun.objects.get(review=review), lambda r: r.is_finished, 60, "no first ranking")
    assert first.status == RankingRun.Status.DONE and not first.trained

    _redis("shutdown", "nosave")
    try:
        # One decision through the page (a broker outage is no error page), one through the service.
        item = services.screening_next(reviewer=reviewer, review=review, stage="ta")
        page = client_for(reviewer).post(reverse("screen", args=[review.pk, "ta"]),
                                         {"item": item.pk, "value": "include"})
        assert page.status_code == 302, page.status_code
        decide_next(review, reviewer, "exclude")  # an inclusion and an exclusion: a first model is due
    finally:
        _start_redis()
    settled = ScreeningItem.objects.filter(review=review, status__in=["included", "excluded"])
    assert settled.count() == 2  # both decisions stored
    lost = RankingRun.objects.filter(review=review).exclude(pk=first.pk).get()
    assert lost.status == RankingRun.Status.FAILED and "task queue could not be reached" in lost.error

    deadline = time.monotonic() + 60
    while not live_worker.control.ping(timeout=1):  # the worker reconnects by itself
        assert time.monotonic() < deadline, "the worker did not reconnect to Redis"
    decide_next(review, reviewer, "include")  # the next settled record queues the retraining again
    again = RankingRun.objects.filter(review=review).first()
    assert again.pk not in (first.pk, lost.pk)
    again = wait_for(again, lambda r: r.is_finished, 60, "the retraining did not run once Redis was back")
    assert again.status == RankingRun.Status.DONE, again.error
    assert again.trained and again.decisions_seen == 3



# ---------------------------------------------------------------- archive import: SIGKILL mid-import

def _files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(settings.MEDIA_ROOT)) for p in folder.rglob("*") if p.is_file()} \
        if folder.is_dir() else set()


def test_an_archive_import_whose_pool_process_is_killed_mid_import_makes_one_review_and_no_stray_files(
        live_worker, review, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reviewapp.archive.services import archive_import_request, review_archive_write
    from reviewapp.models import ArchiveImport, Review
    from screening.models import FullText

    lead = people["lead"]
    import_bytes(make_search(review, lead), lead, ris(*(record(n) for n in range(1, 41))), "scopus.ris")
    first = Record.objects.filter(review=review).order_by("pk").first()
    services.fulltext_upload(actor=lead, record=first, upload=b"%PDF-1.4\n% a full text\n%%EOF\n",
                             filename="trial.pdf")
    spool = io.BytesIO()
    review_archive_write(review=review, out=spool)
    fulltexts = Path(settings.MEDIA_ROOT) / "fulltexts"
    before = _files_under(fulltexts)
    with paused(ArchiveImport) as unpause:
        job = archive_import_request(actor=lead, upload=SimpleUploadedFile("review.zip", spool.getvalue()))
        wait_for(job, lambda j: j.status == j.Status.RUNNING, 30, "the worker never started the archive import")
        require_pausing(job)  # the rows and the full text are stored now, inside its open transaction
        killed = kill_pool_process(job)
        unpause()
        wait_for(job, lambda j: j.is_finished, 90, "the archive import never ended after redelivery")
    assert job.status == ArchiveImport.Status.DONE, job.error
    assert job.attempts == 2 and job.claimed_by != killed
    made = Review.objects.exclude(pk=review.pk)
    assert made.count() == 1 and made.get().pk == job.review_id
    assert Record.objects.filter(review=job.review_id).count() == 40
    # the killed attempt's full text went with it: the only new file is the new review's
    copies = set(FullText.objects.filter(record__review=job.review_id).values_list("file", flat=True))
    assert len(copies) == 1 and _files_under(fulltexts) - before == copies
    assert not job.file  # the upload is deleted once the review is made
    assert live_worker.control.ping(timeout=3), "the worker did not recover"
