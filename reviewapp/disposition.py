"""Content-Disposition for a download that keeps the name its file was uploaded with (RFC 6266).

The name came with data, so it is never trusted in a header: ``filename*`` carries it whole,
UTF-8 and percent-encoded (RFC 8187), and ``filename`` a plain-ASCII stand-in for old clients in
which quotes, backslashes, control characters, path separators and non-ASCII letters are "_".
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_UNSAFE_ASCII = re.compile(r'[^\x20-\x7e]|["\\/%;]')
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


def download_name(name: str, *, fallback: str) -> str:
    """The file's own name without any path, control characters or surrounding dots and spaces."""
    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _CONTROLS.sub("", unicodedata.normalize("NFC", base)).strip(" .")
    return base[:200] or fallback


def content_disposition(name: str, *, fallback: str, inline: bool = False) -> str:
    full = download_name(name, fallback=fallback)
    ascii_name = _UNSAFE_ASCII.sub("_", full).strip() or fallback
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full, safe='')}"
