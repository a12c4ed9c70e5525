"""Uploaded files reach people only through the views that check membership, in every mode."""
from __future__ import annotations

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

from tests.screening.helpers import make_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_urls():
    """The URLconf as `make run` builds it (DEBUG on), restored afterwards."""
    import reviewapp.urls

    with override_settings(DEBUG=True):
        importlib.reload(reviewapp.urls)
        clear_url_caches()
        yield
    importlib.reload(reviewapp.urls)
    clear_url_caches()


def _uploaded_html(review, people):
    from screening import services

    search = make_search(review, people["lead"])
    return services.search_file_create(actor=people["lead"], search=search, upload=b"<script>alert(1)</script>",
                                       filename="page.html", enqueue=False)


@pytest.mark.parametrize("who", [None, "outsider", "viewer"])
def test_an_uploaded_file_is_not_served_from_media_url_with_debug_on(debug_urls, team, client, who):
    review, people = team
    search_file = _uploaded_html(review, people)
    if who:
        client.force_login(people[who])
    response = client.get("/media/" + search_file.file.name)
    assert response.status_code == 404
    assert b"<script>alert(1)</script>" not in response.content


def test_the_checked_view_still_hands_the_file_to_a_member_and_hides_it_from_others(team, client):
    review, people = team
    search_file = _uploaded_html(review, people)
    from django.urls import reverse

    url = reverse("search_file_download", args=[review.pk, search_file.pk])
    client.force_login(people["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(people["lead"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
