"""Review versions (v1, v2, ...): a lead publishes one, which freezes the review's archive with its
number, date, note and publisher; listed with downloads (page, token, API); never changed nor deleted."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from reviewapp import services as review_services
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, ReviewVersion
from reviewapp.versions.services import version_publish
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db


def _records_in(zip_bytes: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as z:
        return json.loads(z.read("manifest.json"))["counts"].get("screening.Record", 0)


def test_a_version_freezes_the_archive_as_it_was_and_numbers_follow(review, people, client_for):
    lead = people["lead"]
    search = make_search(review, lead)
    import_bytes(search, lead, ris(*(record(n) for n in range(5))), "a.ris")
    v1 = version_publish(actor=lead, review=review, note="First review")
    import_bytes(search, lead, ris(*(record(n) for n in range(100, 103))), "b.ris")
    v2 = version_publish(actor=lead, review=review, note="Update 1")
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


def test_a_published_version_cannot_be_changed_or_deleted(review, people):
    version = version_publish(actor=people["lead"], review=review)
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


def test_the_api_lists_publishes_and_downloads_versions_with_a_token(review, people, client):
    lead, viewer = people["lead"], people["viewer"]
    _, key = review_services.api_token_create(user=lead, name="script", scope="read-write")
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    base = f"/api/v1/reviews/{review.pk}/versions/"
    made = client.post(base, {"note": "Published by a script"}, content_type="application/json", **headers)
    assert made.status_code == 201 and made.json()["version"] == "v1"
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
