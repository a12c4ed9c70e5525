"""A reversed year range ("from 2023 to 2010") is named as such on the records page, its exports
and the API, instead of silently matching nothing (issue 33)."""
from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.conftest import auth

pytestmark = pytest.mark.django_db

REVERSED = {"year_from": "2023", "year_to": "2010"}


def test_the_records_page_says_the_range_is_reversed(client_for, world):
    client = client_for(world.people["lead"])
    response = client.get(reverse("record_list", args=[world.review.pk]), REVERSED)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The year range is reversed: from 2023 is after to 2010" in page
    assert "0 records match" in page  # nothing shown as if it were the answer, with the reason above
    ordered = client.get(reverse("record_list", args=[world.review.pk]), {"year_from": "2000", "year_to": "2023"})
    assert ordered.status_code == 200 and "reversed" not in ordered.content.decode()


def test_an_export_with_a_reversed_range_is_refused_with_the_reason(client_for, world):
    response = client_for(world.people["lead"]).get(reverse("record_export_csv", args=[world.review.pk]), REVERSED)
    assert response.status_code == 400
    assert "year range is reversed" in response.content.decode()


def test_the_api_answers_400_naming_the_reversed_range(client, world):
    response = client.get(reverse("api_records", args=[world.review.pk]), REVERSED, **auth(world.tokens["viewer"]))
    assert response.status_code == 400
    assert "year range is reversed" in str(response.json())
    fine = client.get(reverse("api_records", args=[world.review.pk]), {"year_from": "2000", "year_to": "2023"},
                      **auth(world.tokens["viewer"]))
    assert fine.status_code == 200 and fine.json()["count"] > 0
