"""Times in the reader's own time zone.

The browser tells its zone once (static/js/site.js writes it to the ``tz`` cookie); every
request then renders dates in that zone. A missing or unknown zone leaves UTC, which the
pages then name, so a time is never shown without saying which clock it follows.
"""
from __future__ import annotations

import zoneinfo

from django.utils import timezone

COOKIE = "tz"


def zone_from_cookie(value: str | None) -> zoneinfo.ZoneInfo | None:
    if not value or len(value) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class TimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = zone_from_cookie(request.COOKIES.get(COOKIE))
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
