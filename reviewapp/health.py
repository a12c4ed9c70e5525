"""/healthz for load balancers and compose healthchecks: the database, the broker, a worker's
answer and how many jobs wait, as JSON; 503 when the site cannot work (no database or broker,
or no worker when the caller asks for one with ?worker=1)."""
from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from .jobs import Status, job_models
from .page_access import public_page

WORKER_PING_SECONDS = 1.0  # a load balancer's check must answer quickly


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - whatever the cause, the answer is "down", with it
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}


def _broker() -> dict:
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "url": conn.as_uri()}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}


def _worker() -> dict:
    """A worker answering a ping (Redis); the folder broker of `make run` cannot broadcast, so
    there the answer is unknown and `manage.py serve` vouches for its one worker."""
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return {"ok": None, "note": "the folder broker cannot ping workers"}
    from .celery import app

    try:
        answers = app.control.ping(timeout=WORKER_PING_SECONDS) or []
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": bool(answers), "workers": sorted(name for answer in answers for name in answer)}


def _queue() -> dict:
    return {model._meta.label: model.objects.filter(status=Status.QUEUED).count() for model in job_models()}


@public_page
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "broker": _broker()}
    checks["worker"] = _worker() if checks["broker"]["ok"] else {"ok": False, "error": "no broker"}
    if checks["database"]["ok"]:
        checks["queued_jobs"] = _queue()
    needed = ["database", "broker"] + (["worker"] if request.GET.get("worker") == "1" else [])
    healthy = all(checks[name]["ok"] for name in needed)
    return JsonResponse({"ok": healthy, **checks}, status=200 if healthy else 503)
