"""Webhooks: deliveries received on a loopback HTTP server, signed, retried and logged; the events
screening sends; and the addresses a delivery must never reach (SSRF)."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from reviewapp import services as review_services
from reviewapp.exceptions import ApplicationError
from reviewapp.models import WebhookDelivery
from reviewapp.webhooks import sign, signature_valid, webhook_url_check
from screening import services
from screening.models import ScreeningItem
from tests.api.conftest import auth
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps what it is sent and answers with the given codes in turn."""

    def __init__(self, codes=(200,)):
        self.codes = list(codes)
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                code = receiver.codes.pop(0) if len(receiver.codes) > 1 else receiver.codes[0]
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"thanks" if code < 300 else b"try later")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _two_screeners_disagree(review, people, item):
    services.decision_record(actor=people["reviewer"], review=review, item_id=item.pk, value="include")
    services.decision_record(actor=people["reviewer_extractor"], review=review, item_id=item.pk, value="exclude")


@pytest.fixture
def records(review, people):
    search = make_search(review, people["lead"])
    import_bytes(search, people["lead"], ris(*(record(n) for n in range(1, 4))), "scopus.ris")
    return list(ScreeningItem.objects.filter(review=review).order_by("id"))


def test_a_conflict_is_delivered_signed_to_the_registered_url(review, people, records,
                                                               django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        hook = review_services.webhook_create(actor=people["lead"], review=review, url=receiver.url,
                                              events=["conflict.created"])
        with django_capture_on_commit_callbacks(execute=True):
            _two_screeners_disagree(review, people, records[0])
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got["headers"]["X-Review-Event"] == "conflict.created"
    assert signature_valid(secret=hook.secret, body=got["body"], header=got["headers"]["X-Review-Signature"])
    assert not signature_valid(secret="another secret", body=got["body"],
                               header=got["headers"]["X-Review-Signature"])
    body = json.loads(got["body"])
    assert body["event"] == "conflict.created" and body["review"] == review.pk
    assert body["data"] == {"item": records[0].pk, "record": records[0].record_id, "stage": "ta"}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status, delivery.response_body) == (
        "delivered", 1, 200, "thanks")
    assert got["headers"]["X-Review-Delivery"] == str(delivery.pk)


def test_an_old_or_altered_delivery_fails_the_signature_check():
    header = sign(secret="s3cret", body=b'{"a": 1}', timestamp=1_000_000)
    assert signature_valid(secret="s3cret", body=b'{"a": 1}', header=header, now=1_000_010)
    assert not signature_valid(secret="s3cret", body=b'{"a": 1}', header=header, now=1_000_000 + 3600)
    assert not signature_valid(secret="s3cret", body=b'{"a": 2}', header=header, now=1_000_010)


def test_a_failed_delivery_is_retried_and_each_answer_logged(review, people, records,
                                                             django_capture_on_commit_callbacks):
    with Receiver(codes=(503, 500, 200)) as receiver:
        review_services.webhook_create(actor=people["lead"], review=review, url=receiver.url,
                                       events=["conflict.created"])
        with django_capture_on_commit_callbacks(execute=True):
            _two_screeners_disagree(review, people, records[0])
    assert len(receiver.received) == 3
    assert len({r["headers"]["X-Review-Delivery"] for r in receiver.received}) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 3, 200)


def test_a_receiver_that_never_answers_well_ends_as_failed(review, people, records,
                                                           django_capture_on_commit_callbacks):
    with Receiver(codes=(500,)) as receiver:
        review_services.webhook_create(actor=people["lead"], review=review, url=receiver.url,
                                       events=["conflict.created"])
        with django_capture_on_commit_callbacks(execute=True):
            _two_screeners_disagree(review, people, records[0])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 7  # the first try and six retries
    assert delivery.error == "The receiver answered 500." and delivery.response_body == "try later"


def test_import_and_stage_finished_are_announced(review, people, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        review_services.webhook_create(actor=people["lead"], review=review, url=receiver.url,
                                       events=["import.finished", "stage.finished"])
        with django_capture_on_commit_callbacks(execute=True):
            search = make_search(review, people["lead"])
            import_bytes(search, people["lead"], ris(record(1)), "one.ris")
        with django_capture_on_commit_callbacks(execute=True):
            item = ScreeningItem.objects.get(review=review)
            for person in ("reviewer", "reviewer_extractor"):
                services.decision_record(actor=people[person], review=review, item_id=item.pk, value="exclude")
    events = [json.loads(r["body"]) for r in receiver.received]
    assert [e["event"] for e in events] == ["import.finished", "stage.finished"]
    assert events[0]["data"]["records_imported"] == 1 and events[0]["data"]["status"] == "done"
    assert events[1]["data"] == {"stage": "ta", "counts": {"excluded": 1}}


def test_an_event_nobody_asked_for_is_not_sent(review, people, records, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        review_services.webhook_create(actor=people["lead"], review=review, url=receiver.url,
                                       events=["import.finished"])
        with django_capture_on_commit_callbacks(execute=True):
            _two_screeners_disagree(review, people, records[0])
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/hook", "http://localhost/hook", "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/hook", "http://192.168.0.5/hook",
    "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook", "ftp://example.org/hook", "file:///etc/passwd",
])
def test_no_delivery_to_this_host_loopback_link_local_or_private_addresses(settings, url):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(ApplicationError):
        webhook_url_check(url)


@pytest.mark.parametrize("url", [
    "http://100.64.0.1/hook",  # carrier-grade NAT: often a provider's internal services
    "http://[2002:a9fe:a9fe::1]/hook",  # 6to4 carrying 169.254.169.254, the cloud metadata address
    "http://[2002:5db8:d822::1]/hook",  # 6to4 even around a public IPv4 address: a relay decides
    "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 carrying the metadata address
    "http://198.18.0.1/hook", "http://192.0.0.1/hook", "http://[2001:db8::1]/hook", "http://[fd00::1]/hook",
    "http://[2001::1]/hook",  # Teredo
])
def test_only_globally_routable_addresses_are_accepted(settings, url):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(ApplicationError, match="webhooks may not be sent there"):
        webhook_url_check(url)


def test_a_name_with_one_unsafe_address_among_its_answers_is_refused(settings, monkeypatch):
    settings.WEBHOOK_ALLOW_LOOPBACK = False

    def lookup(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
                for address in ("93.184.216.34", "100.100.100.200")]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    with pytest.raises(ApplicationError, match="100.100.100.200"):
        webhook_url_check("https://hooks.example.test/hook")


def test_shared_address_space_passes_where_private_networks_are_allowed(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK, settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False, True
    webhook_url_check("http://100.64.0.1/hook")
    with pytest.raises(ApplicationError):
        webhook_url_check("http://[2002:a9fe:a9fe::1]/hook")


def test_a_delivery_to_a_name_that_now_points_at_carrier_grade_nat_fails(
        review, people, records, settings, monkeypatch, django_capture_on_commit_callbacks):
    real_lookup = socket.getaddrinfo
    answer = ["93.184.216.34"]

    def lookup(host, port, *args, **kwargs):
        if host != "hooks.example.test":
            return real_lookup(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answer[0], port))]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    review_services.webhook_create(actor=people["lead"], review=review, url="http://hooks.example.test/hook",
                                   events=["conflict.created"])
    answer[0] = "100.64.1.1"
    with django_capture_on_commit_callbacks(execute=True):
        _two_screeners_disagree(review, people, records[0])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 1 and "100.64.1.1" in delivery.error


def test_a_public_address_is_accepted(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    webhook_url_check("https://93.184.216.34/hook")  # an address literal: no name to look up


def test_the_api_refuses_a_loopback_url_naming_the_field(client, review, people, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    _, key = review_services.api_token_create(user=people["lead"], name="t", scope="read-write")
    response = client.post(reverse("api_webhooks", args=[review.pk]),
                           {"url": "http://127.0.0.1:6379/", "events": ["conflict.created"]},
                           content_type="application/json", **auth(key))
    assert response.status_code == 400 and response.json()["field"] == "url"
    assert "loopback" in response.json()["detail"]


def test_a_url_that_became_unsafe_is_not_tried_again(review, people, records, settings,
                                                     django_capture_on_commit_callbacks):
    review_services.webhook_create(actor=people["lead"], review=review, url="http://127.0.0.1:9/hook",
                                   events=["conflict.created"])
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with django_capture_on_commit_callbacks(execute=True):
        _two_screeners_disagree(review, people, records[0])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 1 and "loopback" in delivery.error


def test_the_webhooks_page_registers_one_and_shows_its_deliveries(client_for, review, people):
    client = client_for(people["lead"])
    response = client.post(reverse("webhooks", args=[review.pk]),
                           {"url": "http://127.0.0.1:9/hook", "events": ["conflict.created", "stage.finished"]})
    hook = review.webhooks.get()
    assert response.status_code == 302 and response["Location"] == reverse("webhook_detail", args=[review.pk, hook.pk])
    page = client.get(response["Location"]).content.decode()
    assert hook.secret in page and "Nothing sent yet" in page
    assert client_for(people["reviewer"]).get(reverse("webhooks", args=[review.pk])).status_code == 403
    event = review.audit_events.get(object_type="reviewapp.Webhook")
    assert "secret" not in event.after


def test_a_delivery_connects_to_the_address_checked_not_to_a_second_lookup(review, people, records, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    """DNS rebinding: the name answers a safe address to the check and another one afterwards; the
    delivery must go where the check looked, with the name still in the Host header."""
    real_lookup = socket.getaddrinfo
    answers = []

    def rebinding_lookup(host, port, *args, **kwargs):
        if host != "hooks.example.test":
            return real_lookup(host, port, *args, **kwargs)
        address = "127.0.0.1" if not answers else "10.255.255.1"  # the second answer: somewhere else
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    with Receiver() as receiver:
        monkeypatch.setattr(socket, "getaddrinfo", rebinding_lookup)
        url = receiver.url.replace("127.0.0.1", "hooks.example.test")
        review_services.webhook_create(actor=people["lead"], review=review, url=url, events=["conflict.created"])
        answers.clear()  # the check when registering; the delivery's own check comes next
        with django_capture_on_commit_callbacks(execute=True):
            _two_screeners_disagree(review, people, records[0])
    assert answers == ["127.0.0.1"]
    assert WebhookDelivery.objects.get().status == "delivered"
    assert receiver.received[0]["headers"]["Host"] == f"hooks.example.test:{receiver.server.server_port}"
