"""Form widgets every app's forms share."""
from __future__ import annotations

from django import forms


class IsoDateInput(forms.DateInput):
    """A browser date picker. Browsers read and send only ``yyyy-mm-dd`` in ``<input type=date>``;
    the locale's format (``01/01/1990`` in en-gb) would show an empty field, and saving the
    form would then erase the date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
