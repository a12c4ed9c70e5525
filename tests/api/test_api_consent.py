"""Membership by consent through the API (issue 25): inviting answers alike for existing and
unknown names, no answer carries another account's address, and the invitee accepts for itself."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reviewapp import services
from reviewapp.models import Invitation, Membership
from tests.api.conftest import auth

pytestmark = pytest.mark.django_db

SECRET_ADDRESS = "carol.private@example.net"


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    return body.decode()


def roles_of(review, user) -> set[str]:
    return set(Membership.objects.filter(review=review, user=user).values_list("role", flat=True))


def test_the_api_answers_alike_for_existing_and_unknown_names(client, world, django_user_model):
    django_user_model.objects.create_user(username="carol", email=SECRET_ADDRESS, password="pw-for-tests-123")
    url = reverse("api_members", args=[world.review.pk])
    bodies = {}
    for identifier in ("carol", "nobody-here"):
        response = client.post(url, {"identifier": identifier, "roles": ["viewer"]}, content_type="application/json",
                               **auth(world.tokens["lead"]))
        assert response.status_code == 202
        body = response.json()
        bodies[identifier] = {k: v for k, v in body.items() if k not in ("id", "created_at", "expires_at")}
        assert SECRET_ADDRESS not in response.content.decode()
    assert bodies["carol"] == {**bodies["nobody-here"], "invitee": "carol"}


def test_no_page_or_api_answer_shows_another_accounts_address(client, client_for, world, people):
    """Members, invitations and the audit trail, for the lead, after inviting by username."""
    review, lead = world.review, world.people["lead"]
    services.invitation_create(actor=lead, review=review, identifier="newbie", roles=["viewer"],
                               site_url="http://testserver")
    newbie = get_user_model().objects.get(username="newbie")
    member_addresses = [u.email for u in world.people.values() if u != lead and u.email]
    assert newbie.email and member_addresses
    pages = [_text(client_for(lead).get(reverse(name, args=[review.pk])))
             for name in ("review_members", "audit_log", "audit_export")]
    client.logout()
    api = [client.get(reverse(name, args=[review.pk]), **auth(world.tokens["lead"])).content.decode()
           for name in ("api_members", "api_invitations", "api_audit")]
    for text in pages + api:
        assert newbie.email not in text
        assert not [address for address in member_addresses if address in text]


def test_the_api_refuses_an_invitation_without_roles(client, world):
    response = client.post(reverse("api_members", args=[world.review.pk]), {"identifier": "newbie", "roles": []},
                           content_type="application/json", **auth(world.tokens["lead"]))
    assert response.status_code == 400 and "Choose at least one role" in response.json()["detail"]
    assert not Invitation.objects.filter(review=world.review, invitee="newbie").exists()


# ---------------------------------------------------------------- the invitee's side of the API

def test_an_invited_account_lists_and_accepts_its_invitations_through_the_api(client, world, django_user_model):
    review = world.review
    carol = django_user_model.objects.create_user(username="carol", email=SECRET_ADDRESS, password="pw-for-tests-123")
    services.invitation_create(actor=world.people["lead"], review=review, identifier="carol", roles=["extractor"],
                               site_url="http://testserver")
    _, key = services.api_token_create(user=carol, name="mine", scope="read-write")
    listed = client.get(reverse("api_my_invitations"), **auth(key)).json()["results"]
    assert [(i["review_title"], i["roles"]) for i in listed] == [(review.title, ["extractor"])]
    mine = listed[0]["id"]
    outsider_key = world.tokens["outsider"]
    assert client.post(reverse("api_my_invitation_accept", args=[mine]), **auth(outsider_key)).status_code == 404
    assert client.post(reverse("api_my_invitation_accept", args=[mine]), **auth(key)).status_code == 200
    assert roles_of(review, carol) == {"extractor"}
    assert client.get(reverse("api_my_invitations"), **auth(key)).json()["results"] == []
