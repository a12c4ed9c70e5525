"""Form widgets every app's forms share."""
from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates

from .people import display_name


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


class ReadOnceChoiceIterator(ModelChoiceIterator):
    """The choices from the field's queryset read once per form. Django's own iterator asks the
    database again at each rendering, through a server-side cursor on PostgreSQL (three round
    trips): a list page's filter form paid about 1.5 ms a field."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:  # the queryset's own cache, filled once
            yield self.choice(obj)


class ReadOnceModelChoiceField(forms.ModelChoiceField):
    """A choice of rows from a short list (a review's searches, its people), read once per form."""

    iterator = ReadOnceChoiceIterator


class PersonChoiceField(ReadOnceModelChoiceField):
    """A choice of people, each by name (``reviewapp.people.display_name``), as the pages name them."""

    def label_from_instance(self, obj):
        return display_name(obj)


class ErrorNamingBoundField(BoundField):
    """A field that names its error to screen readers wherever a template renders it.

    Django marks a field in error ``aria-invalid`` and points ``aria-describedby`` at its error
    list (``<id>_error``), but not for a group of boxes or radios (it leaves that to a fieldset of
    its own template, which hand-written pages do not use), nor when the widget brings its own
    ``aria-describedby``. Here each control of the field names its error list in every case."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.errors and self.auto_id and not widget.is_hidden:
            named = (attrs.get("aria-describedby") or self.field.widget.attrs.get("aria-describedby") or "").split()
            error_id = f"{self.auto_id}_error"
            attrs["aria-describedby"] = " ".join(named + [error_id] if error_id not in named else named)
        return attrs


class FormRenderer(DjangoTemplates):
    """The site's form renderer (``FORM_RENDERER``): Django's, with fields that name their errors."""

    bound_field_class = ErrorNamingBoundField
