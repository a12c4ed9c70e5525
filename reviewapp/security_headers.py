"""Permissions-Policy: the browser features no page of the site uses are switched off, so that
script injected into a page (or a page framing ours) cannot ask for them either.

The Content-Security-Policy itself comes from django-csp (settings CONTENT_SECURITY_POLICY).
"""
from __future__ import annotations

# Features of the W3C Permissions Policy registry that a browser would otherwise let a page
# request; the site needs none of them ("()" = allowed for no origin).
DISABLED_FEATURES = (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation",
    "gyroscope", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
    "screen-wake-lock", "serial", "usb", "xr-spatial-tracking", "browsing-topics",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DISABLED_FEATURES)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
