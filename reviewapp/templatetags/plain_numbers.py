"""``{{ value|plain }}``: a stored number as it was typed (1, not 1.0); see `reviewapp.widgets.plain_number`."""
from __future__ import annotations

from django import template

from reviewapp.widgets import plain_number

register = template.Library()


@register.filter
def plain(value):
    return plain_number(value)
