"""Full-text exclusion reasons are cleaned once, by the service: the settings page (one per line)
and the API (a list) store the same list for the same reasons, and refuse the same way."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp import services as review_services
from reviewapp.exceptions import ApplicationError
from screening import services
from screening.services.decisions import EXCLUSION_REASON_MAX
from tests.api.conftest import auth

pytestmark = pytest.mark.django_db

SENT = ["  Wrong population ", "", "Wrong population", "Not randomised", "   "]
STORED = ["Wrong population", "Not randomised"]


def _form(reasons: str) -> dict:
    return {"reviewers_per_record": 2, "blind": "on", "criteria": "", "include_keywords": "",
            "exclude_keywords": "", "prioritise": "", "exclusion_reasons": reasons}


def _api(client, review, lead, reasons):
    _, key = review_services.api_token_create(user=lead, name="t", scope="read-write")
    return client.patch(reverse("api_screening_settings", args=[review.pk]), {"exclusion_reasons": reasons},
                        content_type="application/json", **auth(key))


def test_the_page_and_the_api_store_the_same_list(client, client_for, review, people):
    client_for(people["lead"]).post(reverse("screening_settings", args=[review.pk]), _form("\n".join(SENT)))
    assert services.screening_settings(review).exclusion_reasons == STORED
    services.screening_settings_update(actor=people["lead"], review=review, exclusion_reasons=["Other"])
    response = _api(client, review, people["lead"], SENT)
    assert response.status_code == 200, response.json()
    assert services.screening_settings(review).exclusion_reasons == STORED


def test_a_reason_longer_than_a_decision_holds_is_refused_naming_the_limit(client, client_for, review, people):
    before = services.screening_settings(review).exclusion_reasons
    too_long = ["Wrong population", "x" * (EXCLUSION_REASON_MAX + 1)]
    page = client_for(people["lead"]).post(reverse("screening_settings", args=[review.pk]), _form("\n".join(too_long)))
    assert f"at most {EXCLUSION_REASON_MAX}" in " ".join(page.context["form"].errors["exclusion_reasons"])
    response = _api(client, review, people["lead"], too_long)
    assert response.status_code == 400 and f"at most {EXCLUSION_REASON_MAX}" in response.json()["detail"]
    assert services.screening_settings(review).exclusion_reasons == before


def test_the_service_refuses_an_empty_list_whoever_calls_it(review, people):
    with pytest.raises(ApplicationError, match="at least one exclusion reason") as refused:
        services.screening_settings_update(actor=people["lead"], review=review, exclusion_reasons=[" ", ""])
    assert refused.value.extra == {"field": "exclusion_reasons"}
