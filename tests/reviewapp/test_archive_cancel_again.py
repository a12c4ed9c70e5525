"""A lead cancels an archive that is not written yet and writes a failed or cancelled one again,
on the archive page and through the API; a cancelled archive's late task writes nothing."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp import services as review_services
from reviewapp.archive import services as archive_services
from reviewapp.models import ArchiveExport
from tests.api.conftest import auth

pytestmark = pytest.mark.django_db
Status = ArchiveExport.Status


def _token(user) -> dict:
    return auth(review_services.api_token_create(user=user, name="t", scope="read-write")[1])


def test_a_cancelled_archive_is_never_written_and_can_be_written_again(review, people, client, client_for,
                                                                       django_capture_on_commit_callbacks):
    export = archive_services.archive_export_request(actor=people["lead"], review=review)  # the task never sent
    page = client_for(people["lead"]).get(reverse("review_archive", args=[review.pk])).content.decode()
    assert reverse("review_archive_cancel", args=[review.pk, export.pk]) in page
    token = _token(people["lead"])
    response = client.post(reverse("api_review_archive_cancel", args=[review.pk, export.pk]), **token)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    archive_services.archive_export_build(export_id=export.pk)  # the task arrives after all
    export.refresh_from_db()
    assert export.status == Status.CANCELLED and not export.file

    page = client_for(people["lead"]).get(reverse("review_archive", args=[review.pk])).content.decode()
    assert reverse("review_archive_again", args=[review.pk, export.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(people["lead"]).post(reverse("review_archive_again", args=[review.pk, export.pk]))
    assert response.status_code == 302
    export.refresh_from_db()
    assert export.status == Status.DONE and export.size > 0 and export.attempts == 1


def test_a_failed_archive_is_written_again_through_the_api(review, people, client, django_capture_on_commit_callbacks,
                                                           monkeypatch):
    def full_disk(**kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive_services, "archive_write", full_disk)
    with django_capture_on_commit_callbacks(execute=True):
        export = archive_services.archive_export_request(actor=people["lead"], review=review)
    export.refresh_from_db()
    assert export.status == Status.FAILED and "No space left on device" in export.error
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api_review_archive_again", args=[review.pk, export.pk]),
                               **_token(people["lead"]))
    assert response.status_code == 202
    export.refresh_from_db()
    assert export.status == Status.DONE and export.error == "" and export.attempts == 2


def test_only_leads_cancel_an_archive(review, people, client, client_for):
    export = archive_services.archive_export_request(actor=people["lead"], review=review)
    assert client_for(people["reviewer"]).post(
        reverse("review_archive_cancel", args=[review.pk, export.pk])).status_code == 403
    assert client.post(reverse("api_review_archive_cancel", args=[review.pk, export.pk]),
                       **_token(people["reviewer"])).status_code == 403
    export.refresh_from_db()
    assert export.status == Status.QUEUED
