"""How the site names a person: the one function pages (the ``person`` template filter), API
fields (``api_base.PersonNameField``), audit wording and notifications all use.

Django-free: anything with Django's user methods (``get_full_name``, ``get_username``) will do.
"""
from __future__ import annotations

from typing import Any


def display_name(user: Any) -> str:
    """A person's full name, else their username; "" for nobody."""
    if user is None:
        return ""
    return (user.get_full_name() or "").strip() or user.get_username()
