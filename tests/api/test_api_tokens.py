"""Personal API tokens: made and revoked on their page, only a hash kept, scoped, throttled per token;
errors as JSON with a reason and the field at fault."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewapp import services
from reviewapp.exceptions import ApplicationError
from reviewapp.models import ApiToken, api_token_hash
from tests.api.conftest import auth

pytestmark = pytest.mark.django_db


def test_the_page_shows_a_new_key_once_and_keeps_only_its_hash(client_for, people):
    client = client_for(people["reviewer"])
    response = client.post(reverse("api_tokens"), {"name": "R on my laptop", "scope": "read"})
    assert response.status_code == 200
    key = re.search(r'id="new-key">([^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=people["reviewer"])
    assert token.key_hash == api_token_hash(key) and key not in (token.key_hash, token.prefix)
    assert token.prefix == key[:8] and token.scope == "read"
    again = client.get(reverse("api_tokens")).content.decode()
    assert key not in again and "R on my laptop" in again and token.prefix in again


def test_a_token_works_until_revoked_on_its_page(client, client_for, people):
    token, key = services.api_token_create(user=people["viewer"], name="script", scope="read")
    response = client.get(reverse("api_me"), **auth(key))
    assert response.json() == {"user_id": people["viewer"].pk, "username": "viewer", "display_name": "viewer",
                               "token": "script", "scope": "read"}
    token.refresh_from_db()
    assert token.last_used_at is not None
    page = client_for(people["viewer"])
    page.post(reverse("api_token_revoke", args=[token.pk]))
    page.logout()
    response = client.get(reverse("api_me"), **auth(key))
    assert response.status_code == 401 and response.json()["detail"] == "This API token was revoked."


def test_nobody_revokes_anothers_token(client_for, people):
    token, key = services.api_token_create(user=people["viewer"], name="script", scope="read")
    client_for(people["lead"]).post(reverse("api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_unknown_token_is_refused_with_a_reason(client):
    response = client.get(reverse("api_reviews"), **auth("rm_not-a-token"))
    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown API token.", "field": None}


def test_a_read_token_reads_but_cannot_write(client, review, people):
    _, key = services.api_token_create(user=people["lead"], name="reader", scope="read")
    assert client.get(reverse("api_review", args=[review.pk]), **auth(key)).status_code == 200
    response = client.patch(reverse("api_review", args=[review.pk]), {"question": "Changed?"},
                            content_type="application/json", **auth(key))
    assert response.status_code == 403 and "read-only" in response.json()["detail"]
    review.refresh_from_db()
    assert review.question == ""


def test_a_write_goes_through_the_service_and_into_the_audit_trail(client, review, people):
    _, key = services.api_token_create(user=people["lead"], name="writer", scope="read-write")
    response = client.patch(reverse("api_review", args=[review.pk]), {"question": "Does therapy help?"},
                            content_type="application/json", **auth(key))
    assert response.status_code == 200 and response.json()["question"] == "Does therapy help?"
    event = review.audit_events.filter(object_type="reviewapp.Review", action="update").get()
    assert event.actor_label == "lead" and event.after["question"] == "Does therapy help?"


def test_a_bad_field_is_named_in_the_error(client, review, people):
    _, key = services.api_token_create(user=people["lead"], name="writer", scope="read-write")
    response = client.patch(reverse("api_review", args=[review.pk]), {"status": "finished-ish"},
                            content_type="application/json", **auth(key))
    body = response.json()
    assert response.status_code == 400 and body["field"] == "status"
    assert body["detail"].startswith("status: ") and "status" in body["errors"]


def test_a_refusal_of_the_service_is_a_400_with_its_reason(client, review, people):
    _, key = services.api_token_create(user=people["lead"], name="writer", scope="read-write")
    response = client.put(reverse("api_member", args=[review.pk, people["lead"].pk]), {"roles": ["viewer"]},
                          content_type="application/json", **auth(key))
    assert response.status_code == 400
    assert response.json()["detail"] == "A review needs at least one lead: make someone else lead first."


def test_the_review_list_holds_only_ones_own_reviews_and_filters_and_orders(client, review, people, make_user):
    services.review_create(creator=people["lead"], title="Another review about sleep")
    _, key = services.api_token_create(user=people["lead"], name="t", scope="read")
    titles = [r["title"] for r in client.get(reverse("api_reviews") + "?ordering=title", **auth(key)).json()["results"]]
    assert titles == ["Another review about sleep", "Parent-infant psychotherapy"]
    found = client.get(reverse("api_reviews") + "?title=sleep", **auth(key)).json()
    assert found["count"] == 1 and found["results"][0]["roles"] == ["lead"]
    _, other = services.api_token_create(user=people["outsider"], name="t", scope="read")
    assert client.get(reverse("api_reviews"), **auth(other)).json()["count"] == 0


def test_each_token_has_its_own_request_budget(client, people, settings):
    settings.API_THROTTLE_RATE = "3/min"
    _, first = services.api_token_create(user=people["viewer"], name="one", scope="read")
    _, second = services.api_token_create(user=people["viewer"], name="two", scope="read")
    codes = [client.get(reverse("api_me"), **auth(first)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get(reverse("api_me"), **auth(second)).status_code == 200


def test_requests_are_served_uncounted_while_the_cache_is_down(client, people, settings, monkeypatch):
    """Redis is the cache of the team deployment: stopped, it must not refuse every API request."""
    from redis.exceptions import ConnectionError as RedisDown

    from reviewapp.api_auth import PerTokenThrottle

    def down(*args, **kwargs):
        raise RedisDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    settings.API_THROTTLE_RATE = "1/min"
    _, key = services.api_token_create(user=people["viewer"], name="one", scope="read")
    monkeypatch.setattr(PerTokenThrottle.cache, "get", down)
    assert [client.get(reverse("api_me"), **auth(key)).status_code for _ in range(3)] == [200, 200, 200]


def test_the_tokens_page_is_in_the_account_menu(client_for, people):
    html = client_for(people["viewer"]).get(reverse("home")).content.decode()
    assert f'href="{reverse("api_tokens")}"' in html


def test_an_unknown_api_address_answers_json(client, people):
    _, key = services.api_token_create(user=people["viewer"], name="t", scope="read")
    response = client.get("/api/v1/no-such-thing/", **auth(key))
    assert response.status_code == 404 and response.json()["detail"].startswith("There is no such page")


def test_a_token_stops_working_when_it_expires(client, client_for, people):
    token, key = services.api_token_create(user=people["viewer"], name="for a month", scope="read", days=30)
    assert client.get(reverse("api_me"), **auth(key)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("api_me"), **auth(key))
    assert response.status_code == 401 and response.json()["detail"].startswith("This API token expired on ")
    assert "expired" in client_for(people["viewer"]).get(reverse("api_tokens")).content.decode()


def test_the_page_sets_a_lifetime_and_a_review_and_refuses_others_reviews(client_for, review, people):
    other = services.review_create(creator=people["outsider"], title="Not the viewer's review")
    client = client_for(people["viewer"])
    response = client.post(reverse("api_tokens"), {"name": "one review", "scope": "read", "review": review.pk,
                                                   "days": "30"})
    assert response.status_code == 200 and 'id="new-key"' in response.content.decode()
    token = ApiToken.objects.get(user=people["viewer"])
    assert token.review == review
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
    response = client.post(reverse("api_tokens"), {"name": "sneaky", "scope": "read", "review": other.pk, "days": ""})
    assert 'id="new-key"' not in response.content.decode() and ApiToken.objects.count() == 1
    with pytest.raises(ApplicationError):
        services.api_token_create(user=people["viewer"], name="x", scope="read", review=other)


def test_a_token_limited_to_one_review_reaches_no_other(client, review, people):
    other = services.review_create(creator=people["lead"], title="Another review about sleep")
    _, key = services.api_token_create(user=people["lead"], name="one", scope="read-write", review=review)
    listed = client.get(reverse("api_reviews"), **auth(key)).json()
    assert [r["id"] for r in listed["results"]] == [review.pk]
    assert client.get(reverse("api_review", args=[review.pk]), **auth(key)).status_code == 200
    response = client.get(reverse("api_review", args=[other.pk]), **auth(key))
    assert response.status_code == 404
    response = client.post(reverse("api_reviews"), {"title": "A third"}, content_type="application/json", **auth(key))
    assert response.status_code == 403 and "limited to one review" in response.json()["detail"]
    _, everywhere = services.api_token_create(user=people["lead"], name="all", scope="read")
    assert client.get(reverse("api_review", args=[other.pk]), **auth(everywhere)).status_code == 200
