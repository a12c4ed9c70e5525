"""/healthz answers a load balancer in JSON: database, broker, worker and queued jobs; 503 when
the site cannot work."""
from __future__ import annotations

import pytest

from reviewapp import health
from reviewapp.archive.services import archive_export_request

pytestmark = pytest.mark.django_db


def test_a_working_site_answers_200_with_each_check_and_the_queue(client, review, people):
    archive_export_request(actor=people["lead"], review=review)  # one job waiting
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200 and body["ok"] is True
    assert body["database"]["ok"] and body["broker"]["ok"]
    assert body["queued_jobs"]["reviewapp.ArchiveExport"] == 1 and body["queued_jobs"]["screening.SearchFile"] == 0


def test_a_lost_database_is_a_503_naming_it(client, monkeypatch):
    monkeypatch.setattr(health, "_database", lambda: {"ok": False, "error": "OperationalError: gone"})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "OperationalError: gone"}
    assert "queued_jobs" not in response.json()


def test_asking_for_a_worker_fails_when_none_answers(client, monkeypatch):
    monkeypatch.setattr(health, "_worker", lambda: {"ok": False, "workers": []})
    assert client.get("/healthz").status_code == 200  # the pages still work without a worker
    assert client.get("/healthz?worker=1").status_code == 503
