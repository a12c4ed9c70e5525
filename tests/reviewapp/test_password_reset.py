"""Someone who forgot their password gets a link by e-mail and chooses a new one."""
from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_login_page_links_to_the_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_a_reset_link_by_mail_sets_a_new_password(client, people):
    response = client.post(reverse("password_reset"), {"email": "VIEWER@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["viewer@example.org"]
    assert "Reset your password" in mail.outbox[0].subject
    path = re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(path, follow=True)  # Django swaps the token for a session key, then shows the form
    assert "Choose a new password" in form_page.content.decode()
    response = client.post(form_page.redirect_chain[-1][0],
                           {"new_password1": "quiet-harbour-lantern-9", "new_password2": "quiet-harbour-lantern-9"})
    assert response["Location"] == reverse("password_reset_complete")
    people["viewer"].refresh_from_db()
    assert people["viewer"].check_password("quiet-harbour-lantern-9")
    # The link is single use.
    assert "no longer works" in client.get(path, follow=True).content.decode()


def test_an_unknown_address_sends_nothing_and_reveals_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
