"""Uploads bounded at the door (reviewapp.uploads): a body declared over a view's limit is refused
before it is read, a body longer than the file limit stops at the limit, every refusal is a 413
naming the limit and its setting, and nothing is stored, on the pages and in the API."""
from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse

from reviewapp import services as review_services
from reviewapp.models import Review
from screening.models import FullText, SearchFile
from tests.api.conftest import auth
from tests.screening.helpers import make_search

MB = 1024 * 1024
# Over the 1 MB limits these tests set, yet under limit + the 1 MB the door allows for the form
# itself: so the Content-Length check lets it in and the count of the file's bytes stops it.
ONE_AND_A_HALF_MB = b"%PDF-1.4\n" + b"0" * (3 * MB // 2)


class UnreadableBody:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.fixture
def small_limits(settings):
    settings.MAX_FULLTEXT_MB = settings.MAX_UPLOAD_MB = settings.ARCHIVE_MAX_UNPACKED_MB = 1
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every file goes to a temporary file, as big ones do
    return settings


@pytest.fixture
def kept_chunks(monkeypatch):
    """The bytes that reached the handler that writes uploads to temporary files, and those files."""
    seen = {"bytes": 0, "paths": []}
    receive, new_file = TemporaryFileUploadHandler.receive_data_chunk, TemporaryFileUploadHandler.new_file

    def counting_receive(self, raw_data, start):
        seen["bytes"] += len(raw_data)
        return receive(self, raw_data, start)

    def noting_new_file(self, *args, **kwargs):
        new_file(self, *args, **kwargs)
        seen["paths"].append(self.file.temporary_file_path())

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting_receive)
    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", noting_new_file)
    return seen


def _token(people):
    return review_services.api_token_create(user=people["lead"], name="t", scope="read-write")[1]


def _assert_refused(response, *, setting):
    assert response.status_code == 413
    text = response.content.decode()
    assert "at most 1 MB" in text and setting in text and "nothing was read or stored" in text


def test_a_full_text_over_the_limit_stops_at_it_and_nothing_is_kept(
        client_for, review, screeners, records_to_screen, small_limits, kept_chunks):
    record = records_to_screen[0].record
    response = client_for(screeners[0]).post(reverse("fulltext", args=[review.pk, record.pk]),
                                             {"file": SimpleUploadedFile("paper.pdf", ONE_AND_A_HALF_MB)})
    _assert_refused(response, setting="MAX_FULLTEXT_MB")
    assert not FullText.objects.exists()
    assert 0 < kept_chunks["bytes"] <= MB  # nothing beyond the limit was buffered
    assert kept_chunks["paths"] and not any(os.path.exists(p) for p in kept_chunks["paths"])


def test_a_full_text_declared_over_the_limit_is_refused_unread(client_for, review, screeners, records_to_screen,
                                                               small_limits):
    record = records_to_screen[0].record
    response = client_for(screeners[0]).generic(
        "POST", reverse("fulltext", args=[review.pk, record.pk]), b"",
        content_type="multipart/form-data; boundary=x",
        **{"CONTENT_LENGTH": str(300 * MB), "wsgi.input": UnreadableBody()})
    _assert_refused(response, setting="MAX_FULLTEXT_MB")
    assert not FullText.objects.exists()


def test_a_full_text_under_the_limit_is_stored(client_for, review, screeners, records_to_screen, small_limits):
    record = records_to_screen[0].record
    client_for(screeners[0]).post(reverse("fulltext", args=[review.pk, record.pk]),
                                  {"file": SimpleUploadedFile("paper.pdf", ONE_AND_A_HALF_MB[:MB])})
    assert FullText.objects.get(record=record).size == MB


def test_a_search_export_over_the_limit_is_refused_on_the_page(client_for, review, people, small_limits,
                                                               kept_chunks):
    search = make_search(review, people["lead"])
    response = client_for(people["lead"]).post(
        reverse("search_detail", args=[review.pk, search.pk]),
        {"file": SimpleUploadedFile("big.ris", ONE_AND_A_HALF_MB), "format": ""})
    _assert_refused(response, setting="MAX_UPLOAD_MB")
    assert not SearchFile.objects.exists() and kept_chunks["bytes"] <= MB


@pytest.mark.parametrize("declared", [False, True])
def test_a_search_export_over_the_limit_is_refused_by_the_api(client, review, people, small_limits, declared):
    search = make_search(review, people["lead"])
    url = reverse("api_search_files", args=[review.pk, search.pk])
    if declared:
        response = client.generic("POST", url, b"", content_type="multipart/form-data; boundary=x",
                                  **{"CONTENT_LENGTH": str(300 * MB), "wsgi.input": UnreadableBody()},
                                  **auth(_token(people)))
    else:
        response = client.post(url, {"file": SimpleUploadedFile("big.xlsx", ONE_AND_A_HALF_MB)},
                               **auth(_token(people)))
    _assert_refused(response, setting="MAX_UPLOAD_MB")
    assert response.json()["detail"].startswith("A search export may be at most 1 MB")
    assert not SearchFile.objects.exists()


@pytest.mark.parametrize("api", [False, True])
def test_an_archive_over_the_limit_is_refused(client_for, people, small_limits, kept_chunks, api):
    reviews_before = Review.objects.count()
    client = client_for(people["outsider"])
    response = client.post(reverse("api_review_import" if api else "review_import"),
                           {"file": SimpleUploadedFile("review.zip", ONE_AND_A_HALF_MB)})
    _assert_refused(response, setting="ARCHIVE_MAX_UNPACKED_MB")
    assert Review.objects.count() == reviews_before and kept_chunks["bytes"] <= MB


def test_a_view_that_declares_no_limit_takes_no_more_than_form_data(client_for, review, people, settings,
                                                                    kept_chunks):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.FILE_UPLOAD_MAX_MEMORY_SIZE = MB, 0
    response = client_for(people["lead"]).post(reverse("screening_settings", args=[review.pk]),
                                               {"criteria": "x", "stray": SimpleUploadedFile("a.bin", b"0" * 2 * MB)})
    _assert_refused(response, setting="DATA_UPLOAD_MAX_MEMORY_SIZE")
    assert kept_chunks["bytes"] <= MB


def test_the_door_comes_before_the_csrf_check_which_reads_the_whole_form(review, screeners, records_to_screen,
                                                                        small_limits, kept_chunks):
    """CsrfViewMiddleware reads the form (and so the upload) to find its token; the limit must
    already be in force then, as it is for a browser (the test client skips CSRF by default)."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(screeners[0])
    record = records_to_screen[0].record
    client.get(reverse("record_detail", args=[review.pk, record.pk]))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("fulltext", args=[review.pk, record.pk]),
                           {"file": SimpleUploadedFile("paper.pdf", ONE_AND_A_HALF_MB), "csrfmiddlewaretoken": token})
    _assert_refused(response, setting="MAX_FULLTEXT_MB")
    assert 0 < kept_chunks["bytes"] <= MB and not FullText.objects.exists()


@pytest.mark.parametrize("name, args, limit", [
    ("fulltext", [1, 1], "FULL_TEXT"), ("search_detail", [1, 1], "SEARCH_EXPORT"),
    ("api_search_files", [1, 1], "SEARCH_EXPORT"), ("review_import", [], "ARCHIVE_UPLOAD"),
    ("api_review_import", [], "ARCHIVE_UPLOAD"),
])
def test_each_upload_route_carries_its_own_limit_through_its_decorators(name, args, limit):
    """Decorators that wrap a view must keep its declared limit, or the door falls back to the
    form-data limit and refuses every real upload."""
    from django.urls import resolve

    from reviewapp.archive import views as archive_views
    from reviewapp.uploads import view_body_limit
    from screening import upload_limits

    declared = getattr(upload_limits, limit, None) or getattr(archive_views, limit)
    assert view_body_limit(resolve(reverse(name, args=args)).func) is declared
