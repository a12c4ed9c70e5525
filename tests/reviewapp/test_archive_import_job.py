"""Importing an archive is a background job: the page (and its API twin) keeps the upload and
answers at once, the worker makes the review all or nothing, the import's page says how it ended
(the new review, or why it failed with "run again"), and a task delivered twice makes one review."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from reviewapp import services as review_services
from reviewapp.archive import load as archive_load_module
from reviewapp.archive import services as archive_services
from reviewapp.archive.services import archive_import_run, review_archive_write
from reviewapp.background import resume_interrupted
from reviewapp.models import ArchiveImport, AuditEvent, Review
from screening.models import Record
from tests.api.conftest import auth
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db
Status = ArchiveImport.Status


@pytest.fixture
def archive(review, people) -> bytes:
    """The ZIP of a small review: three records from one search."""
    import_bytes(make_search(review, people["lead"]), people["lead"], ris(record(1), record(2), record(3)), "a.ris")
    out = io.BytesIO()
    review_archive_write(review=review, out=out)
    return out.getvalue()


def _upload(data: bytes, name: str = "review.zip") -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def _token(user, review=None) -> dict:
    return auth(review_services.api_token_create(user=user, name="t", scope="read-write", review=review)[1])


def _copies(review) -> list[Review]:
    return list(Review.objects.exclude(pk=review.pk))


def test_the_page_queues_the_import_and_its_page_links_the_new_review(review, people, client_for, archive,
                                                                      django_capture_on_commit_callbacks):
    client = client_for(people["outsider"])
    response = client.post(reverse("review_import"), {"file": _upload(archive)})  # no worker yet
    job = ArchiveImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("review_import_detail", args=[job.pk])
    assert job.status == Status.QUEUED and job.owner == people["outsider"] and job.file and _copies(review) == []
    waiting = client.get(response["Location"]).content.decode()
    assert "Waiting for the worker" in waiting and "data-reload-while-waiting" in waiting

    with django_capture_on_commit_callbacks(execute=True):
        archive_import_run(import_id=job.pk)  # the worker's task
    job.refresh_from_db()
    [copy] = _copies(review)
    assert job.status == Status.DONE and job.review == copy and job.objects_count > 3
    assert copy.records.count() == 3 and copy.memberships.filter(user=people["outsider"], role="lead").exists()
    assert not job.file  # the upload has served: the review holds all of it
    done = client.get(response["Location"]).content.decode()
    assert reverse("review_dashboard", args=[copy.pk]) in done and "data-reload-while-waiting" not in done
    # Listed on the upload page too, with the review it made.
    listing = client.get(reverse("review_import")).content.decode()
    assert reverse("review_import_detail", args=[job.pk]) in listing and copy.title in listing


def test_a_failed_import_says_why_keeps_nothing_and_runs_again(review, people, client_for, archive, monkeypatch,
                                                               django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    records_before = Record.objects.count()
    real_load = archive_load_module._Import.load_model

    def late_fault(self, part):  # the review, its people and its records are in when this breaks
        if part.label == "analysis.Analysis":
            raise archive_load_module.ArchiveError("analysis.Analysis #7: the database refused these rows.")
        return real_load(self, part)

    monkeypatch.setattr(archive_load_module._Import, "load_model", late_fault)
    client = client_for(people["outsider"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("review_import"), {"file": _upload(archive)})
    job = ArchiveImport.objects.get()
    assert job.status == Status.FAILED and job.error == "analysis.Analysis #7: the database refused these rows."
    # Nothing half-made: no review, no record, no account, no stored file but the upload itself.
    assert _copies(review) == [] and Record.objects.count() == records_before
    assert not AuditEvent.objects.filter(object_label__startswith="review imported").exists()
    stored = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()]
    assert stored == [job.file.name]
    page = client.get(response["Location"]).content.decode()
    assert "nothing from this archive was kept" in page and "the database refused these rows" in page
    assert reverse("review_import_again", args=[job.pk]) in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("review_import_again", args=[job.pk]))
    assert again.status_code == 302 and again["Location"] == reverse("review_import_detail", args=[job.pk])
    job.refresh_from_db()
    [copy] = _copies(review)
    assert job.status == Status.DONE and job.attempts == 2 and job.error == "" and job.review == copy
    assert copy.records.count() == 3
    # A finished import is not run again.
    refused = client.post(reverse("review_import_again", args=[job.pk]), follow=True).content.decode()
    assert "Only a failed or cancelled review import can be run again." in refused
    assert len(_copies(review)) == 1


def test_a_task_delivered_again_makes_one_review(review, people, client_for, archive):
    client_for(people["outsider"]).post(reverse("review_import"), {"file": _upload(archive)})
    job = ArchiveImport.objects.get()
    # A worker claimed it and was killed mid-import: its transaction never committed.
    ArchiveImport.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempts=1, claimed_by="worker-1:7")
    assert "1 review import sent to the worker again" in resume_interrupted()  # eager: it ran here
    job.refresh_from_db()
    assert job.status == Status.DONE and job.attempts == 2 and len(_copies(review)) == 1
    # The broker delivers the first message again (acks_late): the import is left as it is.
    again = archive_import_run(import_id=job.pk)
    assert again.status == Status.DONE and again.attempts == 2 and len(_copies(review)) == 1
    assert resume_interrupted() == []


def test_the_uploaded_file_that_is_no_archive_is_refused_at_once_and_nothing_is_kept(review, people, client_for):
    client = client_for(people["outsider"])
    response = client.post(reverse("review_import"), {"file": _upload(b"PK\x03\x04 not really")})
    assert response.status_code == 400 and "Nothing was imported" in response.content.decode()
    assert not ArchiveImport.objects.exists()


def test_the_api_twin_uploads_follows_and_runs_again(review, people, client, archive, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    token = _token(people["outsider"])
    monkeypatch.setattr(archive_services, "archive_load", lambda **kw: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api_review_import"), {"file": _upload(archive)}, **token)
    assert response.status_code == 202 and response["Location"] == response.json()["url"]
    state = client.get(response["Location"], **token).json()
    assert state["status"] == "failed" and "ZeroDivisionError" in state["error"] and state["review"] is None
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("api_review_import_again", args=[state["id"]]), **token)
    assert again.status_code == 202
    state = client.get(again["Location"], **token).json()
    assert state["status"] == "done" and state["attempts"] == 2 and state["objects_count"] > 3
    body = client.get(state["review_url"], **token).json()
    assert "lead" in body["roles"] and Review.objects.get(pk=body["id"]).records.count() == 3
    assert client.post(reverse("api_review_import_again", args=[state["id"]]), **token).status_code == 400


def test_an_import_is_seen_only_by_who_uploaded_it(review, people, client, client_for, archive):
    client_for(people["outsider"]).post(reverse("review_import"), {"file": _upload(archive)})
    job = ArchiveImport.objects.get()
    lead = client_for(people["lead"])
    assert lead.get(reverse("review_import_detail", args=[job.pk])).status_code == 404
    assert lead.post(reverse("review_import_again", args=[job.pk])).status_code == 404
    assert client.get(reverse("api_review_import_job", args=[job.pk]), **_token(people["lead"])).status_code == 404
    assert client.get(reverse("api_review_import_job", args=[job.pk]), **_token(people["outsider"])).status_code == 200
    # A token limited to one review can neither import nor follow an import.
    lead_limited = _token(people["lead"], review=review)
    assert client.post(reverse("api_review_import"), {"file": _upload(archive)}, **lead_limited).status_code == 403
    assert client.get(reverse("api_review_import_job", args=[job.pk]), **lead_limited).status_code == 403
    client.logout()
    anonymous = client.get(reverse("review_import_detail", args=[job.pk]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_jobs_listing_knows_archive_imports(review, people, client_for, archive, capsys):
    client_for(people["outsider"]).post(reverse("review_import"), {"file": _upload(archive)})
    call_command("jobs")
    out = capsys.readouterr().out
    job = ArchiveImport.objects.get()
    assert "reviewapp.ArchiveImport: queued 1" in out and f"reviewapp.ArchiveImport #{job.pk}" in out
