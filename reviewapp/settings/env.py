"""Typed readers for settings from the environment; a bad value stops start-up."""
from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (Docker and Kubernetes secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r}: cannot read it ({exc})") from None
    return os.environ.get(name, default)


# Spellings of a secure SMTP connection that dj-email-url does not know: its query flag and
# the usual port when the URL names none.
_EMAIL_SCHEME_ALIASES = {"smtp+tls": ("tls", 587), "smtp+ssl": ("ssl", 465)}
_EMAIL_SCHEMES = {"smtp", "submission", "submit", "console", "file", "memory", "dummy"}


def email_settings_from_url(name: str, url: str) -> dict:
    """Django's EMAIL_* settings from a URL such as ``smtp+tls://user:pass@host:587``.

    dj-email-url does the parsing; here unknown schemes are refused (it would silently keep
    the console backend) and ``smtps``, which it takes to mean STARTTLS, is refused as
    ambiguous in favour of ``smtp+tls`` (STARTTLS) or ``smtp+ssl`` (TLS from the start).
    """
    import urllib.parse

    import dj_email_url

    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise ImproperlyConfigured(f"{name}: expected a URL such as smtp+tls://user:password@host:587")
    if scheme == "smtps":
        raise ImproperlyConfigured(
            f"{name}: the scheme smtps is ambiguous; use smtp+tls:// (STARTTLS, usually port 587) "
            "or smtp+ssl:// (TLS from the start, usually port 465)")
    alias = _EMAIL_SCHEME_ALIASES.get(scheme)
    if alias:
        scheme = "smtp"
        base, _, query = rest.partition("?")
        rest = base + "?" + urllib.parse.urlencode(urllib.parse.parse_qsl(query) + [(alias[0], "1")])
    if scheme not in _EMAIL_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}: unknown scheme {scheme!r}; expected one of smtp, smtp+tls, smtp+ssl, "
            "submission, console, file, memory, dummy")
    try:
        conf = dj_email_url.parse(f"{scheme}://{rest}")
        parts = urllib.parse.urlsplit(f"{scheme}://{rest}")
        has_port = parts.port is not None
    except ValueError as exc:  # e.g. a port that is not a number
        raise ImproperlyConfigured(f"{name}: {exc}") from None
    if alias and not has_port:
        conf["EMAIL_PORT"] = alias[1]
    # A dead mail server must not hold a page forever (Django's default is no timeout).
    conf["EMAIL_TIMEOUT"] = conf["EMAIL_TIMEOUT"] or 20
    # dj-email-url leaves these as None when the URL has none; Django wants strings.
    conf["EMAIL_HOST_USER"] = conf["EMAIL_HOST_USER"] or ""
    conf["EMAIL_HOST_PASSWORD"] = conf["EMAIL_HOST_PASSWORD"] or ""
    for key in ("EMAIL_HOST", "EMAIL_PORT"):
        if conf[key] is None:
            del conf[key]
    if scheme == "file":
        conf["EMAIL_FILE_PATH"] = parts.path  # file:///var/mail/out is /var/mail/out, not relative
    else:
        del conf["EMAIL_FILE_PATH"]
    return conf
