"""Webhooks: tell a lead's URL of events in a review, signed, retried and logged.

Apps call `emit(review=..., event=..., data=...)` inside the service that made the event happen;
the deliveries are written in that transaction and sent by a Celery task after it commits, so
an event that was rolled back is never announced.

Each delivery is a POST of JSON with the headers
    X-Review-Event:      the event name
    X-Review-Delivery:   the delivery's id (the same on every retry)
    X-Review-Signature:  t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the webhook's secret>
A receiver recomputes the HMAC and refuses a timestamp older than a few minutes (replay).
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .exceptions import ApplicationError
from .models import Review, Webhook, WebhookDelivery

log = logging.getLogger(__name__)

# Seconds before each retry of a failed delivery: about a day in all before giving up.
RETRY_DELAYS = (30, 120, 600, 3600, 4 * 3600, 12 * 3600)
TIMEOUT_SECONDS = 10
# What the log keeps of a receiver's answer.
RESPONSE_KEEP_CHARS = 2000
SIGNATURE_TOLERANCE_SECONDS = 300


def sign(*, secret: str, body: bytes, timestamp: int) -> str:
    """The X-Review-Signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def signature_valid(*, secret: str, body: bytes, header: str, now: float | None = None,
                    tolerance: int = SIGNATURE_TOLERANCE_SECONDS) -> bool:
    """What a receiver checks (and our tests do): the HMAC matches and the timestamp is recent."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, body=body, timestamp=timestamp)
    return hmac.compare_digest(expected, header.strip())


# ---------------------------------------------------------------- where we may send (SSRF guard)

def _own_hosts() -> set[str]:
    hosts = {h.lower().lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*",)}
    return hosts | {"localhost"}


# IPv6 prefixes that carry an IPv4 address to a relay (6to4, NAT64's well-known and local-use
# prefixes): whatever IPv4 address they hide is reached, and Python's is_global does not look inside.
_IPV4_CARRIERS = tuple(ipaddress.ip_network(n) for n in ("2002::/16", "64:ff9b::/96", "64:ff9b:1::/48"))
# Shared address space (carrier-grade NAT, RFC 6598): neither private nor global to Python, but
# where a deployment allows private networks it is one of them (Tailscale and the like use it).
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")


def _address_refusal(address: str) -> str | None:
    """Why a delivery may not go to ``address``, or None. Only globally routable addresses pass
    (``is_global``), besides loopback and private networks where the settings allow them."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if settings.WEBHOOK_ALLOW_LOOPBACK else "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "a reserved address"
    if any(ip in network for network in _IPV4_CARRIERS if network.version == ip.version):
        return "an IPv6 address that relays to an IPv4 one (6to4 or NAT64)"
    if ip.is_private or (ip.version == 4 and ip in _SHARED_ADDRESS_SPACE):
        return None if settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS else "a private network address"
    if not ip.is_global:
        return "an address that is not publicly routable"
    return None


def webhook_url_check(url: str) -> list[str]:
    """Refuse URLs a delivery must never reach: other schemes, this app's own hosts, and loopback,
    link-local, private or reserved addresses (the host is resolved, so a name pointing there is
    refused too). Raises ApplicationError naming the reason; returns the addresses checked, which
    a delivery connects to (so a name that resolves elsewhere a moment later is not followed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ApplicationError("A webhook URL must start with http:// or https://.", {"field": "url"})
    host = (parts.hostname or "").lower()
    if not host:
        raise ApplicationError("The webhook URL has no host name.", {"field": "url"})
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        raise ApplicationError(f"The host {host} cannot be found.", {"field": "url"}) from None
    for info in infos:
        refusal = _address_refusal(info[4][0])
        if refusal:
            raise ApplicationError(f"{host} resolves to {refusal} ({info[4][0]}); webhooks may not be sent there.",
                                   {"field": "url"})
    if host.strip("[]") in _own_hosts() and not settings.WEBHOOK_ALLOW_LOOPBACK:
        raise ApplicationError(f"{host} is this site itself; webhooks go to other servers.", {"field": "url"})
    return [info[4][0] for info in infos]


# ---------------------------------------------------------------- emitting and delivering

def emit(*, review: Review | int, event: str, data: dict) -> list[WebhookDelivery]:
    """Queue ``event`` for every active webhook of the review that asked for it.

    Called inside the service's transaction: the deliveries are sent only once it commits."""
    if event not in Webhook.Event.values:
        raise ValueError(f"unknown webhook event {event!r}")
    review_id = review if isinstance(review, int) else review.pk
    deliveries = []
    for hook in Webhook.objects.filter(review_id=review_id, active=True):
        if event not in hook.events:
            continue
        body = json.dumps({"event": event, "review": review_id, "sent_for": timezone.now().isoformat(),
                           "data": data}, ensure_ascii=False, sort_keys=True)
        deliveries.append(WebhookDelivery.objects.create(webhook=hook, event=event, body=body))
    if deliveries:
        from .tasks import webhook_deliver as webhook_deliver_task

        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: [_queue(webhook_deliver_task, i) for i in ids])
    return deliveries


def _queue(task, delivery_id: int) -> None:
    """Hand one delivery to the worker. A broker that is down must not turn the change that made
    the event (a decision, an import's end) into an error after it committed: the delivery
    fails with the reason instead, shown in the webhook's log."""
    try:
        task.delay(delivery_id)
    except Exception as exc:  # noqa: BLE001 - kombu and redis raise their own kinds for an unreachable broker
        log.warning("webhook delivery %s could not be queued: %s", delivery_id, exc)
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING).update(
            status=WebhookDelivery.Status.FAILED,
            error=f"The task queue could not be reached, so it was never sent ({type(exc).__name__}: {exc})."[:2000])


def _pinned(connection_class):
    """A connection class that connects to an address already checked rather than resolving the
    host name again (DNS rebinding: a name may answer a public address to the check, then a
    private one to the connection). The Host header and TLS certificate check keep the name."""

    class Pinned(connection_class):
        def __init__(self, *args, address: str, **kwargs):
            super().__init__(*args, **kwargs)
            self._create_connection = (
                lambda where, *rest, **options: socket.create_connection((address, where[1]), *rest, **options))

    return Pinned


_PinnedHTTP = _pinned(http.client.HTTPConnection)
_PinnedHTTPS = _pinned(http.client.HTTPSConnection)


def _post(url: str, *, address: str, body: bytes, headers: dict) -> tuple[int, str]:
    """POST to ``url`` through ``address``; the answer's status and the start of its body. Redirects
    are not followed (one could point anywhere, past the address check): they count as failures."""
    parts = urlsplit(url)
    connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS, address=address)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(RESPONSE_KEEP_CHARS).decode(errors="replace")
    finally:
        connection.close()


def webhook_attempt(*, delivery_id: int, last_try: bool) -> WebhookDelivery:
    """Send one delivery once and log the answer. It stays PENDING after a failure unless this was
    the last try (or the URL is refused, which no retry would mend)."""
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery
    hook = delivery.webhook
    body = delivery.body.encode()
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    final = last_try
    try:
        if not hook.active:
            raise ApplicationError("The webhook was switched off.")
        addresses = webhook_url_check(hook.url)
    except ApplicationError as exc:
        delivery.error, final = exc.message, True
    else:
        headers = {"Content-Type": "application/json", "User-Agent": "review-manager-webhooks/1",
                   "X-Review-Event": delivery.event, "X-Review-Delivery": str(delivery.pk),
                   "X-Review-Signature": sign(secret=hook.secret, body=body, timestamp=int(time.time()))}
        try:
            delivery.response_status, delivery.response_body = _post(hook.url, address=addresses[0], body=body,
                                                                     headers=headers)
        except (OSError, http.client.HTTPException) as exc:
            delivery.response_status, delivery.response_body = None, ""
            delivery.error = f"No answer: {exc}"
        else:
            ok_status = 200 <= delivery.response_status < 300
            delivery.error = "" if ok_status else f"The receiver answered {delivery.response_status}."
    ok = not delivery.error and delivery.response_status is not None and 200 <= delivery.response_status < 300
    if ok:
        delivery.status = WebhookDelivery.Status.DELIVERED
    elif final:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save()
    return delivery
