"""A lead invites people by e-mail address; the e-mailed link lets the person of that address in
once, while it is open. (Invitations by username, consent and enumeration: test_consent.py.)"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reviewapp import services
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Invitation, Membership

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-unusual-passphrase-71"


def roles_of(review, user) -> set[str]:
    return set(Membership.objects.filter(review=review, user=user).values_list("role", flat=True))


def invite(client, review, email="new.person@example.org", roles=("reviewer", "extractor")):
    return client.post(reverse("member_invite", args=[review.pk]), {"identifier": email, "roles": list(roles)})


def account(username: str, email: str):
    return get_user_model().objects.create_user(username=username, email=email, password="pw-for-tests-123")


def link_path(message) -> str:
    """The path of the invitation link in an e-mail (the test client wants no host)."""
    url = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def invited(client_for, review, people):
    """A lead has invited new.person@example.org as reviewer and extractor; the link path."""
    invite(client_for(people["lead"]), review)
    path = link_path(mail.outbox[-1])
    client_for(people["lead"]).logout()
    return path


def test_the_invitation_mail_names_the_review_the_roles_and_a_working_link(client_for, review, people):
    response = invite(client_for(people["lead"]), review, email=" New.Person@Example.org ")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert review.title in message.subject
    assert "Reviewer, Extractor" in message.body
    token = link_path(message).rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get(review=review)
    # Only a hash is stored: the token in the mail is nowhere in the database row.
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.expires_at - timezone.now() > timedelta(days=13)


def test_a_new_person_sets_a_password_joins_with_the_roles_and_lands_on_the_dashboard(client, review, invited):
    page = client.get(invited).content.decode()
    assert "new.person@example.org" in page and "Create account and join" in page
    response = client.post(invited, {"username": "newperson", "password1": NEW_PASSWORD,
                                     "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("review_dashboard", args=[review.pk])
    user = get_user_model().objects.get(username="newperson")
    assert user.email == "new.person@example.org" and user.check_password(NEW_PASSWORD)
    assert roles_of(review, user) == {"reviewer", "extractor"}
    dashboard = client.get(response["Location"])  # signed in by the acceptance
    assert dashboard.status_code == 200 and "Welcome to" in dashboard.content.decode()


def test_a_weak_password_is_refused_and_nobody_joins(client, review, invited):
    response = client.post(invited, {"username": "newperson", "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert not get_user_model().objects.filter(username="newperson").exists()
    assert Invitation.objects.get(review=review).accepted_at is None


def test_the_account_of_the_invited_address_signs_in_first_then_joins_with_it(client, review, invited):
    holder = account("holder", "New.Person@example.org")  # made by staff after the invitation went out
    anonymous_page = client.get(invited).content.decode()
    assert f"{reverse('login')}?next={invited}" in anonymous_page.replace("%2F", "/")
    signed_in = client.post(reverse("login") + f"?next={invited}",
                            {"username": "holder", "password": "pw-for-tests-123", "next": invited})
    assert signed_in["Location"] == invited
    page = client.get(invited).content.decode()
    assert "signed in as <strong>holder</strong>" in page
    response = client.post(invited)
    assert response["Location"] == reverse("review_dashboard", args=[review.pk])
    assert roles_of(review, holder) == {"reviewer", "extractor"}


def test_a_member_who_accepts_keeps_their_roles_and_gains_the_new_ones(client_for, review, people):
    services.invitation_create(actor=people["lead"], review=review, identifier="reviewer@example.org",
                               roles=["extractor"], site_url="http://testserver")
    client = client_for(people["reviewer"])
    client.post(link_path(mail.outbox[-1]))
    assert roles_of(review, people["reviewer"]) == {"reviewer", "extractor"}


def test_a_used_link_cannot_be_used_again(client, client_for, review, invited, make_user):
    client.post(invited, {"username": "newperson", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    latecomer = make_user("latecomer")
    response = client_for(latecomer).post(invited)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert roles_of(review, latecomer) == set()


def test_the_token_is_single_use_in_the_service_too(review, people, make_user, invited):
    token = invited.rstrip("/").rsplit("/", 1)[1]
    services.invitation_accept(token=token, user=account("first", "new.person@example.org"))
    with pytest.raises(services.InvitationUnusable) as refused:
        services.invitation_accept(token=token, user=account("second", "new.person@example.org"))
    assert refused.value.state == "accepted"
    assert Membership.objects.filter(review=review, user__username="second").count() == 0


def test_an_expired_link_gives_a_clear_page_and_nobody_joins(client, review, invited):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(invited)
    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    response = client.post(invited, {"username": "newperson", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 410
    assert not get_user_model().objects.filter(username="newperson").exists()


def test_a_revoked_link_gives_a_clear_page(client, client_for, review, people, invited):
    invitation = Invitation.objects.get(review=review)
    lead = client_for(people["lead"])
    members_page = lead.get(reverse("review_members", args=[review.pk])).content.decode()
    assert "new.person@example.org" in members_page and "Revoke" in members_page
    lead.post(reverse("invitation_revoke", args=[review.pk, invitation.pk]))
    after = lead.get(reverse("review_members", args=[review.pk])).content.decode()
    assert 'data-label="Invited">new.person@example.org' not in after and "No open invitations" in after
    lead.logout()
    response = client.get(invited)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()


def test_an_unknown_token_gives_a_clear_page(client):
    response = client.get(reverse("invitation_accept", args=["not-a-token"]))
    assert response.status_code == 404 and "not valid" in response.content.decode()


def test_inviting_again_resends_with_a_new_link_and_the_old_one_stops_working(client_for, review, people, invited):
    lead = client_for(people["lead"])
    invite(lead, review, email="new.person@example.org", roles=["viewer"])
    assert Invitation.objects.filter(review=review).count() == 1
    assert Invitation.objects.get(review=review).roles == ["viewer"]
    new_link = link_path(mail.outbox[-1])
    assert new_link != invited
    lead.logout()
    assert lead.get(invited).status_code == 404
    assert lead.get(new_link).status_code == 200


def test_inviting_a_member_by_username_is_refused_with_a_message(client_for, review, people):
    response = client_for(people["lead"]).post(reverse("member_invite", args=[review.pk]),
                                               {"identifier": "Reviewer", "roles": ["viewer"]})
    assert response.status_code == 200
    assert "already a member of this review" in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_inviting_without_a_role_is_refused(client_for, review, people):
    response = invite(client_for(people["lead"]), review, roles=[])
    assert "Choose at least one role" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who, status", [("reviewer", 403), ("viewer", 403), ("outsider", 404)])
def test_only_leads_invite_and_revoke(client_for, review, people, who, status):
    client = client_for(people[who])
    assert invite(client, review).status_code == status
    invitation = services.invitation_create(actor=people["lead"], review=review, identifier="x@example.org",
                                            roles=["viewer"], site_url="http://testserver")
    assert client.post(reverse("invitation_revoke", args=[review.pk, invitation.pk])).status_code == status
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert Invitation.objects.filter(review=review).count() == 1


def test_non_leads_do_not_see_the_invitations(client_for, review, people):
    services.invitation_create(actor=people["lead"], review=review, identifier="x@example.org",
                               roles=["viewer"], site_url="http://testserver")
    page = client_for(people["viewer"]).get(reverse("review_members", args=[review.pk])).content.decode()
    assert "x@example.org" not in page and "Invite by e-mail" not in page


def test_invite_revoke_and_accept_are_in_the_audit_trail(review, people, make_user):
    invitation = services.invitation_create(actor=people["lead"], review=review, identifier="a@example.org",
                                            roles=["viewer"], site_url="http://testserver")
    services.invitation_revoke(actor=people["lead"], invitation=invitation)
    services.invitation_create(actor=people["lead"], review=review, identifier="b@example.org",
                               roles=["viewer"], site_url="http://testserver")
    token = link_path(mail.outbox[-1]).rstrip("/").rsplit("/", 1)[1]
    joiner = account("joiner", "b@example.org")
    services.invitation_accept(token=token, user=joiner)
    events = AuditEvent.objects.filter(review=review, object_type="reviewapp.Invitation").order_by("id")
    assert [(e.actor_label, e.action) for e in events] == [
        ("lead", "create"), ("lead", "update"), ("lead", "create"), ("joiner", "update")]
    assert events[1].changed_fields == ["revoked_at", "revoked_by_id"]
    assert events[3].after["accepted_by_id"] == joiner.pk
    assert all("token_hash" not in (e.after or {}) for e in events)
    assert AuditEvent.objects.filter(review=review, actor=joiner, object_type="reviewapp.Membership",
                                     after__role="viewer").exists()


def test_a_new_account_from_an_invitation_is_audited(client, review, invited):
    client.post(invited, {"username": "newperson", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    event = AuditEvent.objects.get(review=review, object_type="auth.User")
    assert event.after == {"username": "newperson", "email": "new.person@example.org"}


def test_an_account_with_the_invited_address_must_sign_in_instead(client, review, invited, make_user):
    get_user_model().objects.create_user(username="already", email="New.Person@example.org", password="x-pw-123456")
    response = client.post(invited, {"username": "newperson", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert "already exists: sign in" in response.content.decode()
    assert Invitation.objects.get(review=review).accepted_at is None


def test_an_accepted_invitation_cannot_be_revoked(review, people, make_user):
    invitation = services.invitation_create(actor=people["lead"], review=review, identifier="a@example.org",
                                            roles=["viewer"], site_url="http://testserver")
    services.invitation_accept(token=link_path(mail.outbox[-1]).rstrip("/").rsplit("/", 1)[1],
                               user=account("joiner", "a@example.org"))
    with pytest.raises(ApplicationError, match="already accepted"):
        services.invitation_revoke(actor=people["lead"], invitation=invitation)


def test_a_failing_mail_server_saves_nothing_and_says_so(client_for, review, people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    response = invite(client_for(people["lead"]), review)
    assert "could not be sent" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(object_type="reviewapp.Invitation").exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_clicks_give_one_acceptance(review, people, make_user):
    """Two people open the same link at the same moment: the row lock lets one in."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite has one writer)")
    services.invitation_create(actor=people["lead"], review=review, identifier="a@example.org",
                               roles=["viewer"], site_url="http://testserver")
    token = link_path(mail.outbox[-1]).rstrip("/").rsplit("/", 1)[1]
    users = [account("first", "a@example.org"), account("second", "a@example.org")]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def click(user):
        try:
            start.wait()
            services.invitation_accept(token=token, user=user)
            outcomes.append("joined")
        except services.InvitationUnusable as exc:
            outcomes.append(exc.state)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["accepted", "joined"]
    assert Membership.objects.filter(review=review, user__in=users).count() == 1


def test_signing_out_from_the_accept_page_comes_back_to_the_link(client_for, review, invited, make_user):
    client = client_for(make_user("someone"))
    response = client.post(reverse("logout"), {"next": invited})
    assert response["Location"] == invited
    assert "Create account and join" in client.get(invited).content.decode()
