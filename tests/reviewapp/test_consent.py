"""Membership by consent (issue 25): naming someone invites them, and only they can accept. Inviting
cannot be used to learn who has an account or what anyone's e-mail address is."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviewapp import services
from reviewapp.models import AuditEvent, Invitation, Membership

pytestmark = pytest.mark.django_db

SECRET_ADDRESS = "carol.private@example.net"


@pytest.fixture
def carol(django_user_model):
    """An account in no review, with an address nobody in the review knows."""
    return django_user_model.objects.create_user(username="carol", email=SECRET_ADDRESS, password="pw-for-tests-123")


def roles_of(review, user) -> set[str]:
    return set(Membership.objects.filter(review=review, user=user).values_list("role", flat=True))


def invite(client, review, identifier, roles=("viewer",)):
    return client.post(reverse("member_invite", args=[review.pk]), {"identifier": identifier, "roles": list(roles)})


def _without_name(text: str, name: str) -> str:
    """The page with the invited name and the dates blanked, to compare two answers."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r"\d{1,2} \w{3} \d{4}", "DATE", text.replace(name, "NAME"))


# ---------------------------------------------------------------- nobody joins without accepting

def test_naming_an_account_invites_it_and_it_joins_only_by_accepting(client_for, review, people, carol):
    response = invite(client_for(people["lead"]), review, "Carol", roles=["extractor"])
    assert response.status_code == 302
    assert roles_of(review, carol) == set()  # not a member yet
    home = client_for(carol).get(reverse("home")).content.decode()
    assert "Invitations for you" in home and review.title in home and "Extractor" in home
    invitation = Invitation.objects.get(review=review)
    joined = client_for(carol).post(reverse("invitation_accept_mine", args=[invitation.pk]))
    assert joined["Location"] == reverse("review_dashboard", args=[review.pk])
    assert roles_of(review, carol) == {"extractor"}


def test_an_invited_account_may_decline_and_stays_out(client_for, review, people, carol):
    invite(client_for(people["lead"]), review, "carol")
    invitation = Invitation.objects.get(review=review)
    client = client_for(carol)
    client.post(reverse("invitation_decline_mine", args=[invitation.pk]))
    assert roles_of(review, carol) == set()
    assert "Invitations for you" not in client.get(reverse("home")).content.decode()
    assert client.post(reverse("invitation_accept_mine", args=[invitation.pk])).status_code == 404
    events = AuditEvent.objects.filter(review=review, object_type="reviewapp.Invitation").order_by("id")
    assert [(e.actor_label, e.action, e.changed_fields) for e in events][1] == ("carol", "update", ["declined_at"])


def test_the_named_account_gets_a_notice_by_mail_without_a_link_that_others_could_use(
        client_for, review, people, carol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(people["lead"]), review, "carol")
    assert [m.to for m in mail.outbox] == [[SECRET_ADDRESS]]
    assert review.title in mail.outbox[0].body and "/invitations/" not in mail.outbox[0].body


def test_another_account_cannot_accept_an_invitation_by_id(client_for, review, people, carol, make_user):
    invite(client_for(people["lead"]), review, "carol")
    invitation = Invitation.objects.get(review=review)
    mallory = make_user("mallory")
    assert client_for(mallory).post(reverse("invitation_accept_mine", args=[invitation.pk])).status_code == 404
    with pytest.raises(services.InvitationRefused):
        services.invitation_accept(user=mallory, invitation_id=invitation.pk)
    assert roles_of(review, mallory) == set()
    invitation.refresh_from_db()
    assert invitation.state == "open"


def test_a_forwarded_link_does_not_let_another_account_join(client_for, review, people, make_user):
    invite(client_for(people["lead"]), review, "new.person@example.org")
    path = "/" + re.search(r"https?://[^/]+/(invitations/\S+/)", mail.outbox[-1].body).group(1)
    mallory = make_user("mallory")
    client = client_for(mallory)
    page = client.get(path)
    assert page.status_code == 403 and "for someone else" in page.content.decode()
    assert "Join as" not in page.content.decode()
    refused = client.post(path)
    assert refused.status_code == 403
    assert roles_of(review, mallory) == set()
    assert Invitation.objects.get(review=review).state == "open"
    # The control: the account of the invited address joins with the same link.
    holder = get_user_model().objects.create_user(username="np", email="New.Person@example.org", password="x-12345678")
    assert client_for(holder).post(path)["Location"] == reverse("review_dashboard", args=[review.pk])
    assert roles_of(review, holder) == {"viewer"}


def test_a_link_to_an_address_with_an_account_cannot_make_a_second_account(client, client_for, review, people, carol):
    invite(client_for(people["lead"]), review, SECRET_ADDRESS)
    path = "/" + re.search(r"https?://[^/]+/(invitations/\S+/)", mail.outbox[-1].body).group(1)
    client.logout()
    page = client.get(path).content.decode()
    assert "Create account and join" not in page and "Sign in to accept" in page
    client.post(path, {"username": "carol2", "password1": "a-long-pass-71x", "password2": "a-long-pass-71x"})
    assert not get_user_model().objects.filter(username="carol2").exists()


# ---------------------------------------------------------------- no enumeration, no addresses

@pytest.mark.parametrize("known, unknown", [("carol", "nobody-here"), (SECRET_ADDRESS, "nobody@example.net")])
def test_existing_and_unknown_names_and_addresses_answer_alike(client_for, review, people, carol, known, unknown):
    client = client_for(people["lead"])
    answers = {}
    for identifier in (known, unknown):
        with CaptureQueriesContext(connection) as queries:
            response = invite(client, review, identifier)
        page = client.get(response["Location"])
        message = [str(m) for m in page.context["messages"]]
        answers[identifier] = (response.status_code, response["Location"],
                               [m.replace(identifier, "NAME") for m in message], len(queries))
    assert answers[known] == answers[unknown]
    # The open invitations list them alike; nobody became a member.
    rows = client.get(reverse("review_members", args=[review.pk])).content.decode()
    assert f'data-label="Invited">{known}<' in rows and f'data-label="Invited">{unknown}<' in rows
    assert roles_of(review, carol) == set()


def test_errors_do_not_tell_existing_from_unknown(client_for, review, people, carol):
    client = client_for(people["lead"])
    pages = {}
    for identifier in ("carol", "nobody-here"):
        response = invite(client, review, identifier, roles=[])
        pages[identifier] = (response.status_code, _without_name(response.content.decode(), identifier))
    assert pages["carol"] == pages["nobody-here"]
    assert pages["carol"][0] == 200 and "Choose at least one role" in pages["carol"][1]


# ---------------------------------------------------------------- roles are chosen, never defaulted

def test_no_role_box_starts_ticked(client_for, review, people):
    page = client_for(people["lead"]).get(reverse("review_members", args=[review.pk])).content.decode()
    form = page[page.index('id="invite"'):]
    form = form[:form.index("</form>")]
    assert 'name="roles"' in form and "checked" not in form
