"""Review versions (v1, v2, ...): a lead publishes one, which fixes its number, date, note and
publisher at once and has the worker write the review's archive as it stood then (a job); listed
with downloads (page, token, API); never changed nor deleted; a failed archive is written again."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from reviewapp import services as review_services
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, ReviewVersion, VersionArchive
from reviewapp.versions import services as version_services
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """version_publish as a request does it: the archive's job runs when the transaction commits."""
    def publish(**kwargs) -> ReviewVersion:
        with django_capture_on_commit_callbacks(execute=True):
            version = version_services.version_publish(**kwargs)
        return version
    return publish


def _records_in(zip_bytes: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as z:
        return json.loads(z.read("manifest.json"))["counts"].get("screening.Record", 0)


def test_a_version_freezes_the_archive_as_it_was_and_numbers_follow(review, people, client_for, publish):
    lead = people["lead"]
    search = make_search(review, lead)
    import_bytes(search, lead, ris(*(record(n) for n in range(5))), "a.ris")
    v1 = publish(actor=lead, review=review, note="First review")
    import_bytes(search, lead, ris(*(record(n) for n in range(100, 103))), "b.ris")
    v2 = publish(actor=lead, review=review, note="Update 1")
    assert (v1.number, v2.number, v1.published_by, v1.note) == (1, 2, lead, "First review")
    client = client_for(lead)
    page = client.get(reverse("review_versions", args=[review.pk])).content.decode()
    assert "v1" in page and "v2" in page and "Update 1" in page and "Publish version v3" in page
    first = client.get(reverse("review_version_download", args=[review.pk, 1]))
    assert first.status_code == 200 and first["Content-Disposition"].endswith(f'review-{review.pk}-v1.zip"')
    assert _records_in(b"".join(first.streaming_content)) == 5
    second = client.get(reverse("review_version_download", args=[review.pk, 2]))
    assert _records_in(b"".join(second.streaming_content)) == 8
    event = AuditEvent.objects.get(object_type="reviewapp.ReviewVersion", object_id=str(v2.pk))
    assert event.action == "create" and event.after["note"] == "Update 1" and event.after["number"] == 2
    # Each archive is the review at its publication, nothing written after it (0 later changes).
    assert event.pk > v2.audit_event_id > v1.audit_event_id
    assert [v.archive.later_changes for v in (v1, v2)] == [0, 0] and "later change" not in page


def test_the_page_publishes_for_a_lead_only(review, people, client_for):
    url = reverse("review_versions", args=[review.pk])
    assert client_for(people["reviewer"]).post(url, {"note": "x"}).status_code == 403
    assert "Publish version" not in client_for(people["reviewer"]).get(url).content.decode()
    assert client_for(people["reviewer"]).get(reverse("review_version_download", args=[review.pk, 1])).status_code \
        in (403, 404)
    response = client_for(people["lead"]).post(url, {"note": "<b>First</b>"})
    assert response.status_code == 302
    version = ReviewVersion.objects.get(review=review)
    assert version.note == "<b>First</b>"
    assert "&lt;b&gt;First&lt;/b&gt;" in client_for(people["lead"]).get(url).content.decode()


def test_a_published_version_cannot_be_changed_or_deleted(review, people, publish):
    version = publish(actor=people["lead"], review=review)
    version.note = "rewritten"
    with pytest.raises(ApplicationError, match="cannot be changed"):
        version.save()
    with pytest.raises(ApplicationError, match="cannot be deleted"):
        version.delete()
    with pytest.raises(ApplicationError, match="cannot be changed"):
        ReviewVersion.objects.filter(pk=version.pk).update(note="rewritten")
    with pytest.raises(ApplicationError, match="cannot be deleted"):
        ReviewVersion.objects.filter(review=review).delete()
    assert ReviewVersion.objects.get(pk=version.pk).note == ""
    review.delete()  # only the review's own deletion takes its versions
    assert not ReviewVersion.objects.filter(pk=version.pk).exists()


def test_the_api_lists_publishes_and_downloads_versions_with_a_token(review, people, client,
                                                                     django_capture_on_commit_callbacks):
    lead, viewer = people["lead"], people["viewer"]
    _, key = review_services.api_token_create(user=lead, name="script", scope="read-write")
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    base = f"/api/v1/reviews/{review.pk}/versions/"
    with django_capture_on_commit_callbacks(execute=False) as queued:  # answered before the worker runs
        made = client.post(base, {"note": "Published by a script"}, content_type="application/json", **headers)
    assert made.status_code == 202 and made.json()["version"] == "v1" and made.json()["archive"]["status"] == "queued"
    assert made["Location"].endswith(f"{base}1/") and made.json()["audit_event_id"]
    assert client.get(f"{base}1/file/", **headers).status_code == 404  # not written yet
    for callback in queued:
        callback()
    assert client.get(f"{base}1/", **headers).json()["archive"]["status"] == "done"
    assert client.post(base, {"note": "x", "number": 7}, content_type="application/json", **headers).status_code == 400
    listed = client.get(base, **headers).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["number"] for r in rows] == [1]
    assert (rows[0]["published_by"], rows[0]["published_by_name"]) == ("lead", "lead")
    file = client.get(f"{base}1/file/", **headers)
    assert file.status_code == 200 and file["Content-Type"] == "application/zip"
    # The page's download answers the same token (a script needs no session).
    page_download = client.get(reverse("review_version_download", args=[review.pk, 1]), **headers)
    assert page_download.status_code == 200
    assert client.delete(f"{base}1/", **headers).status_code == 405
    _, viewer_key = review_services.api_token_create(user=viewer, name="v", scope="read-write")
    as_viewer = {"HTTP_AUTHORIZATION": f"Token {viewer_key}"}
    assert client.get(base, **as_viewer).status_code == 200
    assert client.post(base, {}, content_type="application/json", **as_viewer).status_code == 403


def test_the_page_answers_at_once_and_says_being_written_until_the_worker_wrote_the_file(
        review, people, client_for, django_capture_on_commit_callbacks):
    lead = client_for(people["lead"])
    url = reverse("review_versions", args=[review.pk])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert lead.post(url, {"note": "First"}).status_code == 302
    html = lead.get(url).content.decode()
    assert "Being written" in html and "data-reload-while-waiting" in html and "Download v1" not in html
    assert lead.get(reverse("review_version_download", args=[review.pk, 1])).status_code == 404
    for callback in queued:  # the worker gets the task
        callback()
    html = lead.get(url).content.decode()
    assert "Being written" not in html and "data-reload-while-waiting" not in html and "Download v1" in html
    assert lead.get(reverse("review_version_download", args=[review.pk, 1])).status_code == 200


def test_a_failed_archive_shows_its_reason_and_is_written_again_from_the_page_and_the_api(
        review, people, client_for, client, django_capture_on_commit_callbacks, monkeypatch):
    def broken(**kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(version_services, "archive_write", broken)
    lead = client_for(people["lead"])
    url = reverse("review_versions", args=[review.pk])
    with django_capture_on_commit_callbacks(execute=True):
        lead.post(url, {"note": "First"})
    version = ReviewVersion.objects.get(review=review)
    assert version.archive.status == "failed" and "No space left on device" in version.archive.error
    html = lead.get(url).content.decode()
    assert "No space left on device" in html and "Write the archive of v1 again" in html
    assert "Download v1" not in html and "data-reload-while-waiting" not in html
    assert client_for(people["reviewer"]).post(url, {"again": "1"}).status_code == 403
    monkeypatch.undo()
    lead = client_for(people["lead"])
    with django_capture_on_commit_callbacks(execute=True):
        assert lead.post(url, {"again": "1"}).status_code == 302
    archive = VersionArchive.objects.get(version=version)
    assert (archive.status, archive.error, archive.attempts) == ("done", "", 2) and archive.size > 0
    assert lead.get(reverse("review_version_download", args=[review.pk, 1])).status_code == 200
    assert ReviewVersion.objects.filter(review=review).count() == 1  # the same version, written again
    # The API twin: a done archive is not written again (400 with the reason).
    _, key = review_services.api_token_create(user=people["lead"], name="script", scope="read-write")
    again = client.post(f"/api/v1/reviews/{review.pk}/versions/1/", **{"HTTP_AUTHORIZATION": f"Token {key}"})
    assert again.status_code == 400 and "failed or cancelled" in again.content.decode()
    VersionArchive.objects.filter(pk=archive.pk).update(status="failed", error="lost")
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/api/v1/reviews/{review.pk}/versions/1/", **{"HTTP_AUTHORIZATION": f"Token {key}"})
    assert again.status_code == 202 and again.json()["number"] == 1
    assert VersionArchive.objects.get(pk=archive.pk).status == "done"


def test_running_the_job_again_makes_no_second_version_nor_file(review, people, publish):
    version = publish(actor=people["lead"], review=review, note="First")
    archive = VersionArchive.objects.get(version=version)
    name = archive.file.name
    assert archive.status == "done" and name
    again = version_services.version_archive_write(archive_id=archive.pk)  # a second delivery of the task
    assert (again.status, again.attempts, again.file.name) == ("done", 1, name)
    assert ReviewVersion.objects.filter(review=review).count() == VersionArchive.objects.count() == 1


def test_changes_between_publication_and_the_worker_are_counted_not_hidden(
        review, people, client_for, django_capture_on_commit_callbacks):
    lead = people["lead"]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        version = version_services.version_publish(actor=lead, review=review, note="First")
    search = make_search(review, lead)  # a write that lands before the worker took the job
    import_bytes(search, lead, ris(record(1)), "late.ris")
    for callback in queued:
        callback()
    archive = VersionArchive.objects.get(version=version)
    assert archive.status == "done" and archive.later_changes > 0
    html = client_for(lead).get(reverse("review_versions", args=[review.pk])).content.decode()
    assert f"written after {archive.later_changes} later change" in html


@pytest.mark.django_db(transaction=True)
def test_outside_a_test_transaction_the_job_writes_from_one_snapshot(review, people):
    """As on a real worker (committed transactions; on PostgreSQL at REPEATABLE READ): the job's
    task runs when publishing commits and the archive is the review at publication."""
    version = version_services.version_publish(actor=people["lead"], review=review, note="First")
    archive = VersionArchive.objects.get(version=version)
    assert (archive.status, archive.later_changes, archive.error) == ("done", 0, "") and archive.size > 0
