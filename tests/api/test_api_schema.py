"""The OpenAPI schema: complete and valid, with a browsable page that needs nothing from outside;
and Schemathesis against it (a bounded number of examples per operation, with a lead's token on a
review with data behind every endpoint): no 5xx, every answer as the schema says."""
from __future__ import annotations

import re
import socket

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from schemathesis import checks as st_checks

from reviewapp import webhooks

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 25


def test_the_schema_is_valid_and_names_every_operation(tmp_path, client, people):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in ("/api/v1/reviews/{review_id}/screening/decisions/", "/api/v1/reviews/{review_id}/records/",
                 "/api/v1/reviews/{review_id}/searches/{search_id}/files/", "/api/v1/reviews/{review_id}/prisma/",
                 "/api/v1/reviews/{review_id}/extractions/{extraction_id}/settlements/",
                 "/api/v1/reviews/{review_id}/appraisals/{appraisal_id}/", "/api/v1/reviews/{review_id}/outcome-data/"):
        assert path in text
    client.force_login(people["viewer"])
    response = client.get(reverse("api_schema") + "?format=json")
    assert response.status_code == 200 and response.json()["openapi"].startswith("3.")


def test_the_browsable_page_loads_its_assets_from_this_site(client, people):
    client.force_login(people["viewer"])
    html = client.get(reverse("api_docs")).content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


def _fake_getaddrinfo(host, port, *args, **kwargs):
    # No network here: every name "resolves" to a public documentation address, so the SSRF guard runs
    # without looking anything up.
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]


# Where a path names an object, use one that exists (random ids would only ever meet a 404).
IDS = {"search_id": "search", "file_id": "file", "record_id": "record", "pair_id": "pair", "item_id": "conflict",
       "study_id": "study", "webhook_id": "webhook", "invitation_id": "invitation", "user_id": "viewer",
       "form_id": "form", "number": "version", "extraction_id": "extraction", "tool_id": "tool",
       "appraisal_id": "appraisal", "section_key": "section",
       "field_key": "field"}
CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_schema_conformance]


@pytest.fixture
def connection_kept():
    """Requests go to Django's WSGI handler directly (not the test client), whose request signals would close
    the database connection that holds the test's transaction: keep it, as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_server_error_and_every_answer_matches_the_schema(world, monkeypatch, connection_kept):
    monkeypatch.setattr(webhooks.socket, "getaddrinfo", _fake_getaddrinfo)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    headers = {"Authorization": f"Token {world.tokens['lead']}"}
    known = {"review_id": world.review.pk, "stage": "ta", **{name: world.ids[key] for name, key in IDS.items()}}
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        names = re.findall(r"{(\w+)}", operation.path)
        strategy = operation.as_strategy(path_parameters={n: known[n] for n in names if n in known})

        @given(case=strategy)
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - gather every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert operations >= 45
    assert not failures, "\n\n".join(failures)
