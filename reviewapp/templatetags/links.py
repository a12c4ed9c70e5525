"""``web_url``: the one way a URL that came with data (a record's URL) becomes a link.

Only http(s) URLs are links; anything else (javascript:, data:, vbscript:, file:, a relative
path) is shown as text. Browsers drop tabs and newlines anywhere in a URL and control characters
and spaces around it, so "java\\tscript:" is javascript: to them; the check does the same first.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import template

register = template.Library()

_DROPPED_INSIDE = re.compile(r"[\t\n\r]")
_TRIMMED = "".join(chr(c) for c in range(0x21))  # C0 controls and space


def web_url_or_empty(value) -> str:
    """``value`` as browsers would read it, if it is an http(s) URL with a host; else ""."""
    url = _DROPPED_INSIDE.sub("", str(value or "")).strip(_TRIMMED)
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


@register.filter
def web_url(value) -> str:
    return web_url_or_empty(value)
