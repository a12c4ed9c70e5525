"""What the extraction API's modules share: short names for the kinds and statuses, and a user's name."""
from __future__ import annotations

from .. import rules
from ..models import Extraction, FormTemplate

Kind = FormTemplate.Kind
Status = Extraction.Status
COMPARABLE = rules.COMPARABLE


def username_of(user) -> str | None:
    return user.get_username() if user else None
