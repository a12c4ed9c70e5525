"""Sign-in throttling (issue 17): failed sign-ins per account and per address pause signing in
for a cool-off, with a message on the page and an entry in the audit trail."""
from __future__ import annotations

import time

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse

from reviewapp.models import AuditEvent

pytestmark = pytest.mark.django_db
RIGHT = "pw-for-tests-123"


def _sign_in(client, username, password, address="198.51.100.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_twenty_wrong_passwords_then_the_right_one_is_refused_with_a_message(client, make_user):
    make_user("alice")
    for _ in range(20):
        assert _sign_in(client, "alice", "guess").status_code == 200
    response = _sign_in(client, "alice", RIGHT)
    assert not _signed_in(client)
    assert "Too many failed sign-ins for this account" in response.content.decode()
    assert "Signing in is paused for 15 more minutes" in response.content.decode()


def test_after_the_cool_off_the_right_password_works_again(client, make_user, monkeypatch):
    make_user("alice")
    for _ in range(5):
        _sign_in(client, "alice", "guess")
    _sign_in(client, "alice", RIGHT)
    assert not _signed_in(client)
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)
    _sign_in(client, "alice", RIGHT)
    assert _signed_in(client)


def test_a_lockout_is_written_to_the_audit_trail(client, make_user):
    alice = make_user("alice")
    for _ in range(5):
        _sign_in(client, "alice", "guess")
    event = AuditEvent.objects.get(object_type="auth.User")
    assert event.review is None and event.object_id == str(alice.pk)
    assert event.after["sign_in"] == "paused" and event.after["locked"] == ["account"]
    assert event.after["address"] == "198.51.100.7" and "alice" in event.object_label


def test_fewer_failures_than_the_limit_do_not_lock_and_success_clears_them(client, make_user):
    make_user("alice")
    for _ in range(2):
        for _ in range(4):
            _sign_in(client, "alice", "guess")
        _sign_in(client, "alice", RIGHT)
        assert _signed_in(client)
        client.logout()
    assert not AuditEvent.objects.filter(object_type="auth.User").exists()


def test_one_address_guessing_at_many_accounts_is_paused_for_every_account(client, make_user):
    make_user("lead")
    for n in range(30):
        _sign_in(client, f"someone{n}", "guess")
    response = _sign_in(client, "lead", RIGHT)
    assert not _signed_in(client) and "from your network address" in response.content.decode()
    _sign_in(client, "lead", RIGHT, address="203.0.113.9")
    assert _signed_in(client)


def test_every_password_check_is_refused_while_locked_not_only_the_sign_in_page(client, make_user):
    """The admin's sign-in and the API's token endpoint go through authenticate() too."""
    make_user("alice", is_staff=True, is_superuser=True)
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1")
    for _ in range(5):
        assert authenticate(request, username="alice", password="guess") is None
    assert authenticate(request, username="alice", password=RIGHT) is None
    response = client.post(reverse("admin:login"), {"username": "alice", "password": RIGHT},
                           REMOTE_ADDR="192.0.2.99")
    assert not _signed_in(client) and response.status_code == 200
    from reviewapp.throttle import account_clear

    account_clear("alice")  # the control: without the lock the same request signs in
    client.post(reverse("admin:login"), {"username": "alice", "password": RIGHT}, REMOTE_ADDR="192.0.2.99")
    assert _signed_in(client)
