"""The review's own endpoints answer with what the pages show: members and roles, invitations (e-mailed),
the audit trail with its filters, webhooks and their deliveries."""
from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from reviewapp import services
from reviewapp.models import Invitation, Membership, WebhookDelivery
from tests.api.conftest import auth

pytestmark = pytest.mark.django_db


def call(client, world, method, name, *args, data=None, query=""):
    url = reverse(name, args=[world.review.pk, *args]) + query
    return getattr(client, method)(url, data, content_type="application/json", **auth(world.tokens["lead"]))


def test_a_lead_invites_a_member_changes_their_roles_and_removes_them(client, world, django_user_model):
    invited = call(client, world, "post", "api_members", data={"identifier": "newbie", "roles": ["viewer"]})
    assert invited.status_code == 202 and invited.json()["roles"] == ["viewer"]
    assert invited.json()["invitee"] == "newbie" and invited.json()["state"] == "open"
    newbie = django_user_model.objects.get(username="newbie")
    services.invitation_accept(user=newbie, invitation_id=invited.json()["id"])
    user_id = newbie.pk
    changed = call(client, world, "put", "api_member", user_id, data={"roles": ["reviewer", "viewer"]})
    assert changed.json()["roles"] == ["reviewer", "viewer"]
    reviewers = call(client, world, "get", "api_members", query="?role=reviewer").json()["results"]
    assert "newbie" in [m["username"] for m in reviewers]
    assert call(client, world, "delete", "api_member", user_id).status_code == 204
    assert not Membership.objects.filter(review=world.review, user_id=user_id).exists()


def test_an_invitation_is_emailed_and_can_be_revoked(client, world):
    mail.outbox.clear()
    made = call(client, world, "post", "api_invitations", data={"email": "Colleague@Example.org",
                                                                "roles": ["reviewer"]})
    assert made.status_code == 201 and made.json()["invitee"] == "colleague@example.org"
    assert mail.outbox[0].to == ["colleague@example.org"]
    revoked = call(client, world, "post", "api_invitation_revoke", made.json()["id"])
    assert revoked.json()["state"] == "revoked"
    pending = call(client, world, "get", "api_invitations", query="?pending=true").json()
    assert [i["invitee"] for i in pending["results"]] == ["guest@example.org"]
    assert Invitation.objects.get(pk=made.json()["id"]).revoked_at is not None


def test_the_audit_trail_filters_by_kind_actor_and_action(client, world):
    events = call(client, world, "get", "api_audit", query="?object_type=screening.Decision&actor=reviewer").json()
    assert events["count"] == 4  # the reviewer's four decisions of the fixture
    assert {e["action"] for e in events["results"]} == {"create"}
    newest_first = call(client, world, "get", "api_audit", query="?limit=2").json()["results"]
    assert newest_first[0]["id"] > newest_first[1]["id"]


def test_webhooks_are_listed_paused_and_their_deliveries_shown(client, world):
    hooks = call(client, world, "get", "api_webhooks").json()["results"]
    assert [h["url"] for h in hooks] == ["http://127.0.0.1:9/hook"] and "secret" not in hooks[0]
    made = call(client, world, "post", "api_webhooks", data={"url": "http://127.0.0.1:9/other",
                                                             "events": ["stage.finished"]})
    assert made.status_code == 201 and len(made.json()["secret"]) >= 20
    paused = call(client, world, "patch", "api_webhook", world.ids["webhook"], data={"active": False})
    assert paused.json()["active"] is False
    hook = world.review.webhooks.get(pk=world.ids["webhook"])
    WebhookDelivery.objects.create(webhook=hook, event="conflict.created", body="{}", status="failed", attempts=7,
                                   response_status=500, error="The receiver answered 500.")
    deliveries = call(client, world, "get", "api_webhook_deliveries", hook.pk, query="?status=failed").json()
    assert deliveries["count"] == 1 and deliveries["results"][0]["response_status"] == 500
    bad = call(client, world, "post", "api_webhooks", data={"url": "http://127.0.0.1:9/x", "events": ["nothing"]})
    assert bad.status_code == 400 and bad.json()["field"] == "events.0"


def test_the_protocol_takes_short_intervention_names_that_exports_use(client, world):
    """The short names RevMan matches are part of the protocol: set and read over the API, and
    derived from the protocol's sentence while they are empty."""
    changed = call(client, world, "patch", "api_review", data={
        "intervention": "Video feedback (any model), for parents of infants", "comparator": "Usual care; or none"})
    assert changed.status_code == 200 and changed.json()["intervention_name"] == ""
    world.review.refresh_from_db()
    assert (world.review.intervention_short, world.review.comparator_short) == ("Video feedback", "Usual care")
    changed = call(client, world, "patch", "api_review", data={"intervention_name": "VIPP", "comparator_name": ""})
    assert changed.json()["intervention_name"] == "VIPP"
    world.review.refresh_from_db()
    assert (world.review.intervention_short, world.review.comparator_short) == ("VIPP", "Usual care")
    too_long = call(client, world, "patch", "api_review", data={"intervention_name": "x" * 81})
    assert too_long.status_code == 400 and too_long.json()["field"] == "intervention_name"
