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


def plain_number(value):
    """A number as a person typed it: a whole float shows without ``.0`` (``1.0`` -> ``1``), any
    other value unchanged. Forms and stored definitions hold floats, and ``str(1.0)`` would reopen a
    bound typed as "1" as "1.0"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


class PlainNumberInput(forms.NumberInput):
    """A number box that shows a whole value as a whole number (90, not 90.0)."""

    def format_value(self, value):
        return super().format_value(plain_number(value))


class PlainFloatField(forms.FloatField):
    """A decimal number that reopens as typed (see `PlainNumberInput`)."""

    widget = PlainNumberInput


class IdListField(forms.Field):
    """Record (or other) ids: ``1,2,3``, or the same name repeated (``ids=1&ids=2``, as checkboxes
    send them), or both. Ids of other reviews are not refused here: they simply match nothing."""

    widget = forms.TextInput
    limit = 1000

    def to_python(self, value):
        if value in self.empty_values:
            return []
        parts = value if isinstance(value, list | tuple) else [value]
        words = [w.strip() for part in parts for w in str(part).split(",") if w.strip()]
        bad = next((w for w in words if not (w.isdigit() and len(w) < 16)), None)
        if bad is not None:
            raise forms.ValidationError(f"“{bad[:20]}” is not a record id: give whole numbers separated by commas.")
        if len(words) > self.limit:
            raise forms.ValidationError(f"At most {self.limit} ids at once; this asks for {len(words)}.")
        return list(dict.fromkeys(int(w) for w in words))
