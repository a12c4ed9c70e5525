"""Load test of the API on loopback: 20 clients screening and reading at once, on PostgreSQL.

Builds a review with --records records and --clients reviewers (each with a read-write API
token), starts gunicorn on 127.0.0.1, and runs one thread per reviewer. Each client repeats, at
most --decisions times and for at most --seconds: GET the next record (`screening/ta/next/`),
POST a decision on it (one in twenty sent twice, as a client retrying after a lost answer), and
every fifth round also reads a page of records and a page of its own decisions. Then it stops
the server and checks in the database that every decision sent is stored exactly once, with the
value last sent, and that each record's decision count matches its decisions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviewapp_api_bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python benchmarks/bench_api.py [--records 20000] [--clients 20] [--decisions 100]

The database is created if missing and the review of an earlier run is replaced. Prints one
JSON object: throughput, latency percentiles per kind of request, and the check's result.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings.base")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
os.environ.setdefault("API_THROTTLE_RATE", "1000000/min")
TITLE = "API load test"


def database_create(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def build(records: int, clients: int) -> tuple[int, dict[str, str]]:
    """The review, its records and screening items, and a token per reviewer; returns (review id, tokens)."""
    import datetime

    from django.contrib.auth import get_user_model

    from reviewapp import services as review_services
    from reviewapp.models import Review
    from screening import services
    from screening.models import Record

    Review.objects.filter(title=TITLE).delete()
    User = get_user_model()
    lead, _ = User.objects.get_or_create(username="bench-lead")
    review = review_services.review_create(creator=lead, title=TITLE)
    search = services.search_create(actor=lead, review=review, database="MEDLINE", date_run=datetime.date(2024, 1, 1),
                                    query="benchmark")
    search_file = services.search_file_create(actor=lead, search=search, upload=b"TY  - JOUR\nER  - \n",
                                              filename="bench.ris", enqueue=False)
    rng = random.Random(7)
    words = "infant parent therapy sleep trial randomised mother attachment outcome anxiety".split()
    Record.objects.bulk_create(
        [Record(review=review, search=search, search_file=search_file, line=i,
                title=" ".join(rng.choice(words) for _ in range(10)) + f" {i}",
                abstract=" ".join(rng.choice(words) for _ in range(150)), authors=[f"Author{i}, A."],
                year=1990 + i % 35, doi=f"10.9999/bench.{i}") for i in range(records)],
        batch_size=5000)
    services.screening_items_sync(review_id=review.pk)
    tokens = {}
    for n in range(1, clients + 1):
        user, _ = User.objects.get_or_create(username=f"bench-reviewer-{n:02d}")
        user.api_tokens.all().delete()
        review_services.member_roles_set(actor=lead, review=review, user=user, roles=["reviewer"])
        _, tokens[user.username] = review_services.api_token_create(user=user, name="bench", scope="read-write")
    return review.pk, tokens


class Client(threading.Thread):
    def __init__(self, *, port: int, review_id: int, key: str, rounds: int, deadline: float, seed: int):
        super().__init__(daemon=True)
        self.port, self.review_id, self.key, self.rounds, self.deadline = port, review_id, key, rounds, deadline
        self.rng = random.Random(seed)
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.sent: dict[int, str] = {}  # item id -> the value last sent (and answered 201)
        self.errors: list[str] = []
        self.refused: list[str] = []  # decisions a rule of the review refused (400 with a reason)

    def call(self, conn, kind: str, method: str, path: str, body: dict | None = None):
        headers = {"Authorization": f"Token {self.key}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        self.timings[kind].append(time.perf_counter() - started)
        if response.status >= 300:
            (self.refused if response.status == 400 else self.errors).append(
                f"{kind} {response.status} {payload[:200]!r}")
            return None
        return json.loads(payload)

    def run(self) -> None:
        base = f"/api/v1/reviews/{self.review_id}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        for n in range(self.rounds):
            if time.monotonic() > self.deadline:
                break
            answer = self.call(conn, "GET next record", "GET", f"{base}/screening/ta/next/")
            if not answer or answer["item"] is None:
                break
            item = answer["item"]["id"]
            value = self.rng.choice(["include", "exclude", "exclude", "maybe"])
            if self.call(conn, "POST decision", "POST", f"{base}/screening/decisions/", {"item": item, "value": value}):
                self.sent[item] = value
            if self.rng.random() < 0.05:  # a retry of the same decision
                self.call(conn, "POST decision", "POST", f"{base}/screening/decisions/", {"item": item, "value": value})
            if n % 5 == 0:
                offset = self.rng.randrange(0, 1000)
                self.call(conn, "GET records (50)", "GET", f"{base}/records/?limit=50&offset={offset}")
                self.call(conn, "GET own decisions (20)", "GET", f"{base}/screening/decisions/?limit=20")
        conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def check(review_id: int, clients: list[Client], tokens: dict[str, str]) -> dict:
    """Every decision sent is stored exactly once, with its last value; counts match the log."""
    from django.db.models import Count, F

    from screening.models import Decision, ScreeningItem

    problems = []
    stored_total = 0
    for (username, _), client in zip(tokens.items(), clients, strict=True):
        rows = list(Decision.objects.filter(review_id=review_id, reviewer__username=username)
                    .values_list("item_id", "value"))
        stored_total += len(rows)
        stored = dict(rows)
        if len(rows) != len(stored):
            problems.append(f"{username}: an item holds two decisions")
        if stored != client.sent:
            problems.append(f"{username}: {len(client.sent)} sent, {len(stored)} stored, "
                            f"{len(set(stored) ^ set(client.sent))} differ")
    wrong_counts = (ScreeningItem.objects.filter(review_id=review_id).annotate(n=Count("decisions"))
                    .exclude(decisions_count=F("n")).count())
    if wrong_counts:
        problems.append(f"{wrong_counts} items whose decision count is wrong")
    return {"decisions_sent": sum(len(c.sent) for c in clients), "decisions_stored": stored_total,
            "stored_exactly_once": not problems, "problems": problems}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--decisions", type=int, default=100, help="at most this many rounds per client")
    parser.add_argument("--seconds", type=int, default=180, help="stop the clients after this long")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (8 threads each)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")
    database_create(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    review_id, tokens = build(args.records, args.clients)
    setup_seconds = time.perf_counter() - started
    from django.db import connections

    connections.close_all()

    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "reviewapp.wsgi", "-b", f"127.0.0.1:{args.port}", "-w", str(args.workers),
         "-k", "gthread", "--threads", "8", "--log-level", "warning"], cwd=ROOT, env=os.environ.copy())
    try:
        for _ in range(120):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/api/v1/me/")
                if conn.getresponse().status == 401:  # up, and asking for a token
                    break
            except OSError:
                time.sleep(0.5)
        else:
            sys.exit("the server did not start")
        deadline = time.monotonic() + args.seconds
        clients = [Client(port=args.port, review_id=review_id, key=key, rounds=args.decisions, deadline=deadline,
                          seed=n) for n, key in enumerate(tokens.values())]
        began = time.perf_counter()
        for c in clients:
            c.start()
        for c in clients:
            c.join(args.seconds + 120)
        wall = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(30)
    timings: dict[str, list[float]] = defaultdict(list)
    for c in clients:
        for kind, values in c.timings.items():
            timings[kind].extend(values)
    requests = sum(len(v) for v in timings.values())
    result = {
        "records": args.records, "clients": args.clients, "gunicorn_workers": args.workers,
        "setup_seconds": round(setup_seconds, 1), "wall_seconds": round(wall, 2), "requests": requests,
        "requests_per_second": round(requests / wall, 1),
        "decisions_per_second": round(sum(len(c.sent) for c in clients) / wall, 1),
        "latency_ms": {kind: {"n": len(v), "p50": round(1000 * percentile(v, 0.5), 1),
                              "p95": round(1000 * percentile(v, 0.95), 1), "max": round(1000 * max(v), 1)}
                       for kind, v in sorted(timings.items())},
        "errors": [e for c in clients for e in c.errors][:10],
        "refused": [e for c in clients for e in c.refused][:10],
        "check": check(review_id, clients, tokens),
    }
    print(json.dumps(result, indent=1))
    if not result["check"]["stored_exactly_once"] or result["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
