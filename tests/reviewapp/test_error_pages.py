"""Errors are pages of the app, with navigation and a reason, also with DEBUG on (as in `make run`)."""
from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

TECHNICAL = ("Traceback", "Using the URLconf", "DEBUG = True", "Request Method")


def assert_app_page(response, status: int, *words: str) -> str:
    text = response.content.decode()
    assert response.status_code == status
    assert 'class="topbar"' in text and "Your reviews" in text
    for marker in TECHNICAL:
        assert marker not in text
    for word in words:
        assert word in text
    return text


@pytest.mark.parametrize("debug", [False, True])
def test_a_member_without_the_role_is_told_which_role_it_needs(client_for, review, people, debug):
    with override_settings(DEBUG=debug):
        response = client_for(people["viewer"]).get(reverse("review_edit", args=[review.pk]))
    text = assert_app_page(response, 403, "This needs the role Lead", "your role in this review: Viewer")
    # The review's navigation stays, so the person can go on from here.
    assert reverse("review_dashboard", args=[review.pk]) in text


def test_a_two_role_member_is_told_both_roles(client_for, review, people):
    response = client_for(people["reviewer_extractor"]).get(reverse("audit_log", args=[review.pk]))
    assert_app_page(response, 403, "This needs the role Lead", "your roles in this review: Reviewer and Extractor")


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_addresses_and_hidden_reviews_are_the_apps_404(client_for, review, people, debug):
    client = client_for(people["outsider"])
    with override_settings(DEBUG=debug):
        for url in ("/no/such/page/", reverse("review_dashboard", args=[review.pk]),
                    reverse("record_detail", args=[review.pk, 999999])):
            assert_app_page(client.get(url), 404, "Page not found")


@pytest.mark.parametrize("debug", [False, True])
def test_a_crash_is_the_apps_500_page(people, monkeypatch, debug):
    from reviewapp import views

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.selectors, "review_list", broken)
    client = Client(raise_request_exception=False)
    client.force_login(people["viewer"])
    with override_settings(DEBUG=debug):
        response = client.get(reverse("home"))
    assert_app_page(response, 500, "Something went wrong on our side")
    assert "boom" not in response.content.decode()


def test_a_form_without_its_csrf_token_gets_a_page_that_says_what_to_do(people, review):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["lead"])
    response = client.post(reverse("review_edit", args=[review.pk]), {"title": "x"})
    assert_app_page(response, 403, "reload the page")
