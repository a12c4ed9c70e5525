"""{{ notification|notification_text }}: a notification in words (escaped like any value)."""
from django import template

from reviewapp.notifications.texts import text_of

register = template.Library()


@register.filter
def notification_text(notification) -> str:
    return text_of(notification)
