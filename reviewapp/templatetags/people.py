"""{{ user|person }}: a person by name (full name, else username), as everywhere on the site.

A built-in of the template engine (settings ``TEMPLATES``), so no template loads it."""
from django import template

from reviewapp.people import display_name

register = template.Library()


@register.filter
def person(user) -> str:
    return display_name(user)
