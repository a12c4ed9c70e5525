"""The deployment as configured from the environment: settings, compose file, task queue."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

from tests.support import REPO_ROOT, require


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE",
                                                              "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env={
        "DEBUG": "0", "SECRET_KEY": "k3y-" + "x9Qz7!pL" * 8, "ALLOWED_HOSTS": "reviews.example.org"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_pages_carry_a_content_security_policy_and_a_permissions_policy():
    # A page that needs no collected static files (production reads them from a manifest).
    code = ("import json; from django.test import Client;"
            "r = Client().get('/reviews/new/', secure=True, HTTP_HOST='reviews.example.org');"
            "print(json.dumps({'status': r.status_code, 'csp': r.get('Content-Security-Policy', ''),"
            " 'pp': r.get('Permissions-Policy', ''), 'xfo': r.get('X-Frame-Options', '')}))")
    result = _manage("shell", "--no-imports", "-c", code, env={
        "DEBUG": "0", "SECRET_KEY": "k3y-" + "x9Qz7!pL" * 8, "ALLOWED_HOSTS": "reviews.example.org"})
    assert result.returncode == 0, result.stderr
    import json

    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["status"] == 302  # to the sign-in page
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in headers["csp"].split(";") if d.strip())
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'self'"
    assert "unsafe-inline" not in headers["csp"] and "unsafe-eval" not in headers["csp"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in headers["pp"]
    assert headers["xfo"] == "DENY"


def test_without_a_secret_key_production_refuses_to_start():
    result = _manage("check", env={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_malformed_boolean_is_named_in_the_error():
    result = _manage("check", env={"DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG='maybe'" in result.stderr


def test_database_and_broker_come_from_the_environment():
    code = ("from django.conf import settings as s;"
            "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'],"
            " s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)")
    out = _manage("shell", "--no-imports", "-c", code, env={
        "DEBUG": "1", "DATABASE_URL": "postgres://u@db.example:5432/reviews", "REDIS_URL": "redis://r:6379/1"})
    assert out.stdout.split() == ["django.db.backends.postgresql", "reviews", "redis://r:6379/1", "False"]
    out = _manage("shell", "--no-imports", "-c", code, env={"DEBUG": "1", "DATABASE_URL": "", "REDIS_URL": ""})
    engine, name, broker, eager = out.stdout.split()
    assert engine == "django.db.backends.sqlite3" and name.endswith("var/reviewapp.sqlite3")
    # Without Redis tasks still leave the request: a worker takes them from a folder under var/.
    assert broker.startswith("filesystem://") and eager == "False"


def _compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_file_defines_the_services_with_one_beat():
    command = _compose_command()
    require(command is not None, "neither `docker compose` nor `docker-compose` is installed")
    result = subprocess.run([*command, "-f", "docker-compose.yml", "config", "--services"], cwd=REPO_ROOT,
                            env={**os.environ, "SECRET_KEY": "compose-check"}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"postgres", "redis", "web", "worker", "beat"}


def test_a_task_round_trips_through_a_live_worker():
    """send_task never runs in-process, so this proves broker, worker and result store work."""
    redis_url = os.environ.get("REDIS_URL", "")
    require(bool(redis_url), "REDIS_URL is not set, so there is no broker and no live worker to talk to")
    from celery import Celery

    # A client of its own: the project's app runs tasks eagerly under the test settings.
    client = Celery("round-trip-check", broker=redis_url, backend=redis_url)
    try:
        require(bool(client.control.ping(timeout=3)), "no Celery worker answers on REDIS_URL")
        result = client.send_task("reviewapp.ping", args=["hello"]).get(timeout=30)
    finally:
        client.close()
    assert result["payload"] == "hello"
    assert result["host"]


def test_static_files_are_collected_for_whitenoise_in_production(tmp_path):
    """The Docker image runs collectstatic; WhiteNoise then serves the hashed, compressed files."""
    env = {"DEBUG": "0", "SECRET_KEY": "collectstatic-check", "VAR_DIR": str(tmp_path)}
    result = _manage("collectstatic", "--no-input", env=env)
    assert result.returncode == 0, result.stderr
    import json

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed != "css/site.css"
    assert (tmp_path / "static" / (hashed + ".gz")).exists()
