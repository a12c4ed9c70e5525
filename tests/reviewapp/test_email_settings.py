"""Where e-mail goes: the console by default, an SMTP server named by EMAIL_URL."""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from reviewapp.settings.env import email_settings_from_url

from .test_deployment import _manage

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_starttls_url_with_a_quoted_user_and_password():
    conf = email_settings_from_url("EMAIL_URL", "smtp+tls://reviews%40lab.org:p%2Fss@mail.lab.org:2587")
    assert conf["EMAIL_BACKEND"] == SMTP
    assert (conf["EMAIL_HOST"], conf["EMAIL_PORT"]) == ("mail.lab.org", 2587)
    assert (conf["EMAIL_HOST_USER"], conf["EMAIL_HOST_PASSWORD"]) == ("reviews@lab.org", "p/ss")
    assert (conf["EMAIL_USE_TLS"], conf["EMAIL_USE_SSL"]) == (True, False)


@pytest.mark.parametrize("url, port, tls, ssl", [
    ("smtp+tls://mail.lab.org", 587, True, False),
    ("smtp+ssl://mail.lab.org", 465, False, True),
    ("smtp://mail.lab.org", 25, False, False),
    ("smtp://mail.lab.org:587?tls=1", 587, True, False),
    ("submission://mail.lab.org", 587, True, False),
])
def test_each_scheme_gets_its_usual_port_and_security(url, port, tls, ssl):
    conf = email_settings_from_url("EMAIL_URL", url)
    assert (conf["EMAIL_PORT"], conf["EMAIL_USE_TLS"], conf["EMAIL_USE_SSL"]) == (port, tls, ssl)


def test_a_timeout_is_always_set_so_a_dead_server_cannot_hang_a_page():
    assert email_settings_from_url("EMAIL_URL", "smtp://h")["EMAIL_TIMEOUT"] == 20
    assert email_settings_from_url("EMAIL_URL", "smtp://h?timeout=5")["EMAIL_TIMEOUT"] == 5


@pytest.mark.parametrize("url, says", [
    ("smtps://mail.lab.org", "ambiguous"),
    ("smpt://mail.lab.org", "unknown scheme 'smpt'"),
    ("mail.lab.org", "expected a URL"),
    ("smtp://mail.lab.org:port", "Port could not be cast"),
])
def test_a_bad_url_stops_start_up_with_the_reason(url, says):
    with pytest.raises(ImproperlyConfigured, match=says):
        email_settings_from_url("EMAIL_URL", url)


def test_settings_print_mail_on_the_console_unless_email_url_is_set():
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.DEFAULT_FROM_EMAIL)"
    out = _manage("shell", "--no-imports", "-c", code, env={"DEBUG": "1", "EMAIL_URL": ""})
    assert out.stdout.split()[0] == "django.core.mail.backends.console.EmailBackend"
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.DEFAULT_FROM_EMAIL)"
    out = _manage("shell", "--no-imports", "-c", code, env={
        "DEBUG": "1", "EMAIL_URL": "smtp+tls://u:p@mail.lab.org", "DEFAULT_FROM_EMAIL": "reviews@lab.org"})
    assert out.stdout.split() == [SMTP, "mail.lab.org", "reviews@lab.org"]
    bad = _manage("check", env={"DEBUG": "1", "EMAIL_URL": "smtps://mail.lab.org"})
    assert bad.returncode != 0 and "smtps is ambiguous" in bad.stderr
