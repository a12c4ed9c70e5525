"""The one-machine mode of `make run`: no Redis, yet uploads are imported by a separate worker process.

Each test builds that mode in a temporary folder (its own SQLite file, media, cache and task
folder, settings from the environment as `make run` gives them) and runs real processes: the
Celery worker as `manage.py serve` starts it, and the site itself. Nothing outside the
virtualenv is needed, so these run everywhere, CI included.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from reviewapp.management.commands.serve import WORKER_ARGS
from tests.screening.helpers import record, ris
from tests.support import REPO_ROOT

# Variables of the test run (or of CI's team setup) that must not leak into `make run`'s mode.
_NOT_INHERITED = ("REDIS_URL", "DATABASE_URL", "MEDIA_ROOT", "VAR_DIR", "DJANGO_SETTINGS_MODULE", "DEBUG",
                  "LIVE_WORKER_DATABASE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DB_CONN_MAX_AGE")

# Creates the lead, a review and a search, then uploads the file named by UPLOAD through the
# service, as the upload page does; prints the file's id and how long the upload took.
_UPLOAD_SCRIPT = """
import datetime, os, time
from django.contrib.auth import get_user_model
from django.db import transaction
from reviewapp import services as review_services
from screening import services
lead = get_user_model().objects.create_user("lead", password="pw-for-tests-123")
review = review_services.review_create(creator=lead, title="One-machine mode")
search = services.search_create(actor=lead, review=review, database="Scopus", platform="",
                                date_run=datetime.date(2021, 9, 30), query="q", reported_hits=None)
data = open(os.environ["UPLOAD"], "rb").read() if os.environ.get("UPLOAD") else None
if data:
    started = time.perf_counter()
    search_file = services.search_file_create(actor=lead, search=search, upload=data, filename="scopus.ris")
    print(search_file.pk, round(time.perf_counter() - started, 3))
"""


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory) -> Path:
    """One migrated SQLite file, copied for each test (migrating takes a few seconds)."""
    folder = tmp_path_factory.mktemp("migrated")
    result = subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=REPO_ROOT,
                            env=_mode_env(folder), capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    return folder / "reviewapp.sqlite3"


@pytest.fixture
def var_dir(tmp_path, migrated_db) -> Path:
    shutil.copy(migrated_db, tmp_path / "reviewapp.sqlite3")
    return tmp_path


def _mode_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    return {**env, "DEBUG": "1", "VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "reviewapp.settings.base"}


def _start(args: list[str], var_dir: Path, log_name: str) -> subprocess.Popen:
    # Its own process group, with Ctrl-C handled as in a terminal, so SIGINT reaches the group.
    with open(var_dir / log_name, "wb") as log:
        return subprocess.Popen(args, cwd=REPO_ROOT, env=_mode_env(var_dir), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _search_file(var_dir: Path, file_id: int) -> tuple[str, int, str]:
    with sqlite3.connect(var_dir / "reviewapp.sqlite3", timeout=20) as db:
        return db.execute("SELECT status, records_imported, error FROM screening_searchfile WHERE id = ?",
                          [file_id]).fetchone()


def _log(var_dir: Path, name: str) -> str:
    return (var_dir / name).read_text(errors="replace")[-3000:]


def _upload_as_the_site(var_dir: Path, upload: Path) -> int:
    """Upload the file as the site's upload page does, in a process of its own; the file's id."""
    web = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", _UPLOAD_SCRIPT],
                         cwd=REPO_ROOT, env={**_mode_env(var_dir), "UPLOAD": str(upload)},
                         capture_output=True, text=True, check=False, timeout=120)
    assert web.returncode == 0, web.stderr
    return int(web.stdout.split()[0])


def test_an_upload_queued_by_the_site_is_imported_by_the_worker_process(var_dir):
    worker = _start([sys.executable, *WORKER_ARGS], var_dir, "worker.log")
    try:
        upload = var_dir / "scopus.ris"
        upload.write_bytes(ris(record(1), record(2), record(3), record(1)))  # the fourth repeats the first
        file_id = _upload_as_the_site(var_dir, upload)
        # The process that queued the import has ended; only the worker can finish it.
        deadline = time.monotonic() + 60
        while _search_file(var_dir, file_id)[0] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.2)
        status, imported, error = _search_file(var_dir, file_id)
        assert (status, imported, error) == ("done", 4, ""), _log(var_dir, "worker.log")
        with sqlite3.connect(var_dir / "reviewapp.sqlite3") as db:
            merged = db.execute("SELECT count(*) FROM screening_record WHERE search_file_id = ? "
                                "AND duplicate_of_id IS NOT NULL", [file_id]).fetchone()[0]
        assert merged == 1
    finally:
        _stop(worker)


class _Browser:
    """Just enough of a browser for Django's login and upload forms."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict, *, multipart: bool = False) -> tuple[str, float]:
        """Post the form on ``path`` (with its CSRF token); returns the final URL and the seconds taken."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path)).group(1)
        fields = {"csrfmiddlewaretoken": token, **fields}
        if multipart:
            body, content_type = encode_multipart(BOUNDARY, fields), MULTIPART_CONTENT
        else:
            body, content_type = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=body, method="POST",
                                         headers={"Content-Type": content_type, "Referer": self.base + path})
        started = time.perf_counter()
        with self.opener.open(request, timeout=60) as response:
            response.read()
            return response.url, time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_the_upload_at_once_shows_live_progress_and_stops_with_its_worker(var_dir):
    web = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", _UPLOAD_SCRIPT],
                         cwd=REPO_ROOT, env=_mode_env(var_dir), capture_output=True, text=True, check=False,
                         timeout=120)
    assert web.returncode == 0, web.stderr
    port = _free_port()
    server = _start([sys.executable, "manage.py", "serve", "--noreload", f"127.0.0.1:{port}"], var_dir, "serve.log")
    try:
        browser = _Browser(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while True:
            try:
                browser.get("/accounts/login/")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, _log(var_dir, "serve.log")
                time.sleep(0.3)
        browser.post("/accounts/login/", {"username": "lead", "password": "pw-for-tests-123"})
        total = 12000
        upload = var_dir / "big.ris"
        upload.write_bytes(ris(*(record(n) for n in range(total))))
        with upload.open("rb") as handle:
            report_url, _ = browser.post("/reviews/1/searches/1/", {"file": handle, "format": ""},
                                               multipart=True)
        assert re.search(r"/reviews/1/imports/\d+/$", report_url)
        # The request stored the file and answered; it did not import 12,000 records meanwhile.
        assert _search_file(var_dir, int(report_url.rstrip("/").rsplit("/", 1)[1]))[0] in ("queued", "running")
        seen = []
        deadline = time.monotonic() + 120
        while not (seen and seen[-1]["finished"]):
            assert time.monotonic() < deadline, (seen[-3:], _log(var_dir, "serve.log"))
            seen.append(json.loads(browser.get(report_url.removeprefix(browser.base) + "progress.json")))
            time.sleep(0.05)
        assert seen[-1]["status"] == "done" and seen[-1]["records_imported"] == total, seen[-1]
        # The page saw the worker's progress between none and all (the cache both processes share).
        assert any(p["status"] == "running" and 0 < p["records_read"] < total for p in seen), seen
        started = (var_dir / "serve.log").read_text(errors="replace")
        worker_pid = int(re.search(r"Celery worker started \(pid (\d+)\)", started).group(1))
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)  # Ctrl-C in the terminal
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _stop(server)
    assert server.returncode is not None
    # The worker went with it.
    deadline = time.monotonic() + 10
    while _alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker_pid), _log(var_dir, "serve.log")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _records_read(var_dir: Path, file_id: int) -> int:
    """How far the running import has got, as its page sees it (the cache both processes share)."""
    from django.core.cache.backends.filebased import FileBasedCache

    from screening.progress import progress_cache_key

    progress = FileBasedCache(str(var_dir / "cache"), {}).get(progress_cache_key(file_id)) or {}
    return progress.get("records_read", 0)


def test_an_import_whose_worker_was_killed_is_finished_by_the_next_serve(var_dir):
    """The folder broker cannot hand a task back when its worker dies (Redis can); `serve` sends
    again what was left running before it starts its worker, and the import finishes once, with
    exactly the file's records (those the killed worker had written are not kept twice)."""
    total = 12000
    upload = var_dir / "big.ris"
    upload.write_bytes(ris(*(record(n) for n in range(total))))
    worker = _start([sys.executable, *WORKER_ARGS], var_dir, "worker.log")
    try:
        file_id = _upload_as_the_site(var_dir, upload)
        deadline = time.monotonic() + 60
        # past the first batch of records written (2,000), well before the end
        while not 2500 <= _records_read(var_dir, file_id) < total - 2000:
            assert time.monotonic() < deadline and _search_file(var_dir, file_id)[0] != "done", \
                _log(var_dir, "worker.log")
            time.sleep(0.02)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # mid-import, as a crash or the OOM killer would
        worker.wait()
    assert _search_file(var_dir, file_id)[0] == "running"
    port = _free_port()
    server = _start([sys.executable, "manage.py", "serve", "--noreload", f"127.0.0.1:{port}"], var_dir, "serve.log")
    try:
        deadline = time.monotonic() + 120
        while _search_file(var_dir, file_id)[0] not in ("done", "failed"):
            assert time.monotonic() < deadline and server.poll() is None, _log(var_dir, "serve.log")
            time.sleep(0.2)
        assert _search_file(var_dir, file_id) == ("done", total, "")
        assert "Left unfinished by the last worker: 1 import sent to the worker again" in _log(var_dir,
                                                                                                 "serve.log")
        with sqlite3.connect(var_dir / "reviewapp.sqlite3", timeout=20) as db:
            stored = db.execute("SELECT count(*) FROM screening_record WHERE search_file_id = ?", [file_id]).fetchone()
            attempts = db.execute("SELECT attempts FROM screening_searchfile WHERE id = ?", [file_id]).fetchone()
            items = db.execute("SELECT count(*) FROM screening_screeningitem").fetchone()
        assert stored[0] == items[0] == total
        assert attempts[0] == 2  # the killed attempt and the one serve sent again
    finally:
        _stop(server)
