"""A failed import is imported again through the API, as on the file's page (one service)."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp import services as review_services
from screening import services
from screening.models import Record, SearchFile
from tests.api.conftest import auth
from tests.screening.helpers import make_search, record, ris

pytestmark = pytest.mark.django_db


def test_a_failed_import_runs_again_and_ends_with_the_files_records(client, review, people,
                                                                    django_capture_on_commit_callbacks):
    lead = people["lead"]
    upload = services.search_file_create(actor=lead, search=make_search(review, lead), upload=ris(record(1), record(2)),
                                         filename="a.ris", requested_format="", enqueue=False)
    SearchFile.objects.filter(pk=upload.pk).update(status="failed", error="the worker was lost", attempts=1)
    token = auth(review_services.api_token_create(user=lead, name="t", scope="read-write")[1])
    url = reverse("api_import_retry", args=[review.pk, upload.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, **token)
    assert response.status_code == 202
    upload.refresh_from_db()
    assert upload.status == "done" and upload.attempts == 2 and Record.objects.filter(search_file=upload).count() == 2
    again = client.post(url, **token)
    assert again.status_code == 400 and "Only a failed or cancelled import" in again.json()["detail"]
