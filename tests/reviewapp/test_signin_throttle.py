"""Sign-in throttling (issues 17 and 25): failed sign-ins pause further attempts with growing pauses,
where the guessing comes from only, with a message on the page and an entry in the audit trail. The
owner elsewhere, colleagues behind the same address and a completed password reset all get in."""
from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from reviewapp.models import AuditEvent

pytestmark = pytest.mark.django_db
RIGHT = "pw-for-tests-123"
HOME, ELSEWHERE = "198.51.100.7", "203.0.113.9"


def _sign_in(client, username, password, address=HOME):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    signed = "_auth_user_id" in client.session
    client.logout()
    return signed


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved on by hand."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])

    def advance(seconds: float):
        now[0] += seconds

    return advance


def test_wrong_passwords_pause_the_account_from_that_address_with_a_message(client, make_user):
    make_user("alice")
    for _ in range(20):
        assert _sign_in(client, "alice", "guess").status_code == 200
    response = _sign_in(client, "alice", RIGHT)
    assert not _signed_in(client)
    text = response.content.decode()
    assert "Too many failed sign-ins for this account from your network address" in text
    assert "Signing in is paused for 1 more minute;" in text


def test_the_owner_elsewhere_is_not_paused_by_a_guesser(client, make_user):
    """However long a guesser at one address keeps at it, the owner at another address signs in."""
    make_user("alice")
    for _ in range(80):
        _sign_in(client, "alice", "guess", address="192.0.2.66")
    _sign_in(client, "alice", RIGHT, address=ELSEWHERE)
    assert _signed_in(client)
    _sign_in(client, "alice", RIGHT, address="192.0.2.66")
    assert not _signed_in(client)  # the control: the guesser's address is paused


def test_each_failure_after_a_pause_doubles_the_next_pause_up_to_the_longest(client, make_user, clock):
    make_user("alice")
    for _ in range(5):
        _sign_in(client, "alice", "guess")
    pauses = []
    for _ in range(6):
        text = _sign_in(client, "alice", RIGHT).content.decode()
        pauses.append(int(re.search(r"paused for (\d+) more minute", text).group(1)))
        clock(pauses[-1] * 60 + 1)
        _sign_in(client, "alice", "guess")  # one more guess once the pause is over
    assert pauses == [1, 2, 4, 8, 15, 15]
    clock(15 * 60 + 1)
    _sign_in(client, "alice", RIGHT)
    assert _signed_in(client)


def test_a_pause_is_written_to_the_audit_trail(client, make_user):
    alice = make_user("alice")
    for _ in range(5):
        _sign_in(client, "alice", "guess")
    event = AuditEvent.objects.get(object_type="auth.User")
    assert event.review is None and event.object_id == str(alice.pk)
    assert event.after["sign_in"] == "paused" and event.after["locked"] == ["account_at_address"]
    assert event.after["address"] == HOME and "alice" in event.object_label


def test_fewer_failures_than_the_limit_do_not_pause_and_success_clears_them(client, make_user):
    make_user("alice")
    for _ in range(2):
        for _ in range(4):
            _sign_in(client, "alice", "guess")
        _sign_in(client, "alice", RIGHT)
        assert _signed_in(client)
    assert not AuditEvent.objects.filter(object_type="auth.User").exists()


def test_many_usernames_from_one_address_slow_that_address_only(client, make_user, clock):
    make_user("lead")
    make_user("newcomer")
    _sign_in(client, "lead", RIGHT)  # the lead has signed in from this office address before
    assert _signed_in(client)
    for n in range(30):
        _sign_in(client, f"someone{n}", "guess")
    # The lead carries on; someone who never signed in from here waits, and only here.
    _sign_in(client, "lead", RIGHT)
    assert _signed_in(client)
    response = _sign_in(client, "newcomer", RIGHT)
    assert not _signed_in(client) and "from your network address" in response.content.decode()
    _sign_in(client, "newcomer", RIGHT, address=ELSEWHERE)
    assert _signed_in(client)
    # A pause, not a lock: once it is over the newcomer gets in from here too.
    clock(61)
    _sign_in(client, "newcomer", RIGHT)
    assert _signed_in(client)


def test_guessing_spread_over_many_addresses_pauses_only_addresses_the_account_never_used(client, make_user):
    make_user("alice")
    _sign_in(client, "alice", RIGHT)
    assert _signed_in(client)
    for n in range(50):
        _sign_in(client, "alice", "guess", address=f"192.0.2.{n + 1}")
    response = _sign_in(client, "alice", RIGHT, address=ELSEWHERE)
    assert not _signed_in(client)
    assert "from addresses it has not signed in from before" in response.content.decode()
    _sign_in(client, "alice", RIGHT)  # from home, where she signed in before
    assert _signed_in(client)


def test_a_completed_password_reset_lifts_the_pause_and_is_audited(client, people):
    viewer = people["viewer"]
    for address in (HOME, ELSEWHERE):
        for _ in range(5):
            _sign_in(client, "viewer", "guess", address=address)
    _sign_in(client, "viewer", RIGHT)
    assert not _signed_in(client)
    client.post(reverse("password_reset"), {"email": viewer.email}, REMOTE_ADDR=HOME)
    path = re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(path, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "quiet-harbour-lantern-9",
                                                  "new_password2": "quiet-harbour-lantern-9"}, REMOTE_ADDR=HOME)
    for address in (HOME, ELSEWHERE):  # cleared at every address, not only the one of the reset
        _sign_in(client, "viewer", "quiet-harbour-lantern-9", address=address)
        assert _signed_in(client)
    event = AuditEvent.objects.filter(object_type="auth.User", object_id=str(viewer.pk)).latest("id")
    assert event.after == {"sign_in": "allowed", "pauses": "cleared", "address": HOME}


def test_every_password_check_is_refused_while_paused_not_only_the_sign_in_page(client, make_user):
    """The admin's sign-in goes through authenticate() too."""
    make_user("alice", is_staff=True, is_superuser=True)
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1")
    for _ in range(5):
        assert authenticate(request, username="alice", password="guess") is None
    assert authenticate(request, username="alice", password=RIGHT) is None
    response = client.post(reverse("admin:login"), {"username": "alice", "password": RIGHT},
                           REMOTE_ADDR="192.0.2.1")
    assert "_auth_user_id" not in client.session and response.status_code == 200
    # The control: the same request from another address signs in.
    client.post(reverse("admin:login"), {"username": "alice", "password": RIGHT}, REMOTE_ADDR="192.0.2.99")
    assert "_auth_user_id" in client.session


def test_a_guesser_does_not_stop_the_owners_api_token(client, make_user):
    """Tokens are their own credential: pauses of password sign-in do not reach them."""
    from reviewapp.services import api_token_create

    alice = make_user("alice")
    _, key = api_token_create(user=alice, name="laptop", scope="read")
    for _ in range(60):
        _sign_in(client, "alice", "guess")
    response = client.get(reverse("api_me"), HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR=HOME)
    assert response.status_code == 200 and response.json()["username"] == "alice"
