"""The pages a team opens daily, timed with one review of 100,000 or 1,000,000 records on PostgreSQL.

Loads N records into one review the way a user would (the import benchmark's RIS file, N / 100
copies of _baseline.ris with fresh titles, DOIs and PMIDs, imported and deduplicated by
`search_file_import` from the stored file), adds a screening log (two reviewers; --settled records
with both decisions, --waiting with one), then times each page through Django's test client
(the whole request: middleware, permissions, queries, template): one warm-up request, then
--repeats timed ones; prints p50, p95 and max per page in milliseconds and the queries of one request.

    .venv/bin/python benchmarks/bench_pages_at_scale.py --records 100000 [--db million_pages] [--repeats 20]
    .venv/bin/python benchmarks/bench_pages_at_scale.py --reuse --db reviewapp_bench   # after bench_import
    .venv/bin/python benchmarks/bench_pages_at_scale.py --reuse --db million_pages --only PRISMA  # some pages

--reuse times the review with the most records already in the database (e.g. the one
`bench_import.py --repeat 10000 --skip-rispy --db reviewapp_bench` left) instead of loading one.
Needs PostgreSQL with trust auth on 127.0.0.1; without --reuse the database is dropped and created.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _env(db: str, tmp: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
            "DJANGO_SETTINGS_MODULE": "reviewapp.settings.base", "DEBUG": "0",
            "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdef", "MEDIA_ROOT": str(Path(tmp) / "media"),
            "VAR_DIR": str(Path(tmp) / "var"), "MAX_UPLOAD_MB": "4000", "LOG_LEVEL": "WARNING",
            "ALLOWED_HOSTS": "testserver,localhost", "SECURE_SSL_REDIRECT": "False"}


def load(path: str) -> None:
    """Child: import the file into a fresh review (as the worker does)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from reviewapp import services as review_services
    from screening import services

    user = get_user_model().objects.create_user("bench")
    review = review_services.review_create(creator=user, title="Pages at scale")
    search = services.search_create(actor=user, review=review, database="Lens.org", date_run="2024-01-01",
                                    query="benchmark")
    with open(path, "rb") as handle:
        search_file = services.search_file_create(actor=user, search=search, upload=handle, filename="big.ris",
                                                  enqueue=False)
    start = time.perf_counter()
    search_file = services.search_file_import(search_file_id=search_file.pk)
    assert search_file.status == "done", search_file.error
    print(json.dumps({"import_seconds": time.perf_counter() - start, "records": search_file.records_imported}))


def _review():
    from django.db.models import Count

    from reviewapp.models import Review

    return Review.objects.annotate(n=Count("records")).order_by("-n").first()


def screening_log(settled: int, waiting: int) -> list[int]:
    """Two reviewers and a log, unless the review has them already; returns the reviewers' ids."""
    from bench_screening import add_log
    from django.contrib.auth import get_user_model

    from reviewapp import services as review_services
    from screening.models import Decision

    review = _review()
    User = get_user_model()
    reviewers = []
    for name in ("pages-reviewer-1", "pages-reviewer-2"):
        user, created = User.objects.get_or_create(username=name)
        if created:
            review_services.member_roles_set(actor=review.created_by, review=review, user=user, roles=["reviewer"])
        reviewers.append(user.pk)
    if not Decision.objects.filter(review=review).exists():
        add_log(review.pk, reviewers, settled=settled, waiting=waiting)
    return reviewers


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


AFTER_A_DECISION = "screening: next record, after a decision"
PRISMA_AFTER_A_DECISION = ("PRISMA page, after a decision", "PRISMA CSV, after a decision")


def decide_one(review, reviewer_id: int) -> None:
    """The reviewer ``reviewer_id`` excludes the next record their queue gives."""
    from django.contrib.auth import get_user_model

    from screening import services

    user = get_user_model().objects.get(pk=reviewer_id)
    item = services.screening_next(reviewer=user, review=review, stage="ta")
    if item is not None:
        services.decision_record(actor=user, review=review, item_id=item.pk, value="exclude")


def _typings(word: str) -> list[str]:
    """The word with each choice of upper and lower case letters ("patients", "Patients", ...)."""
    return ["".join(letter.upper() if bits >> i & 1 else letter for i, letter in enumerate(word))
            for bits in range(2 ** len(word))]


def pages(review, word: str) -> list[tuple[str, str, str | list[str]]]:
    """(name, who, URL) of every page timed; a list of URLs: one after the other, each asked once."""
    from django.urls import reverse

    from screening.models import Record

    r = review.pk
    n = Record.objects.filter(review=review, duplicate_of__isnull=True).count()
    deep = max(1, min(4000, n // 50 - 1))
    records = reverse("record_list", args=[r])
    unique = Record.objects.filter(review=review, duplicate_of__isnull=True).order_by("id")
    after = unique.values_list("id", flat=True)[(deep - 1) * 50 - 1] if deep > 1 else 0
    doi = Record.objects.filter(review=review).exclude(doi="").order_by("-id").values_list("doi", flat=True)[0]
    return [
        ("dashboard", "lead", reverse("review_dashboard", args=[r])),
        ("records list", "lead", records),
        ("records, filter: included at title/abstract", "lead", f"{records}?screening_stage=ta&status=included"),
        ("records, filter: year 2015-2016", "lead", f"{records}?year_from=2015&year_to=2016"),
        (f"records, text search '{word}'", "lead", f"{records}?q={word}"),
        # A word in over a third of the abstracts: its count stops at the cap. The count is kept for
        # the same search (the next page, the search again); typed differently each time (Patients,
        # pAtients, ...: the same words), every request counts afresh, as a new search does.
        ("records, text search 'patients'", "lead", f"{records}?q=patients"),
        ("records, text search 'patients', counted afresh", "lead",
         [f"{records}?q={typed}" for typed in _typings("patients")]),
        ("records, text search: a DOI", "lead", f"{records}?q={doi}"),
        (f"records, page {deep:,}", "lead", f"{records}?page={deep}"),
        # The same depth reached by "next" (by id, #30); code without it shows the first page here.
        (f"records, page {deep:,} by id", "lead", f"{records}?after={after}"),
        ("screening: next record", "reviewer", reverse("screen", args=[r, "ta"])),
        # The other reviewer decides one record before each request: the review changed, as it does
        # all day during screening (the kept counts' mark moves; the decision itself is not timed).
        (AFTER_A_DECISION, "reviewer", reverse("screen", args=[r, "ta"])),
        ("PRISMA page", "lead", reverse("prisma", args=[r])),
        ("PRISMA CSV", "lead", reverse("prisma_csv", args=[r])),
        # The first PRISMA request after screening moved on: counts kept in the cache do not help.
        (PRISMA_AFTER_A_DECISION[0], "lead", reverse("prisma", args=[r])),
        (PRISMA_AFTER_A_DECISION[1], "lead", reverse("prisma_csv", args=[r])),
        ("records API, first page", "lead", f"/api/v1/reviews/{r}/records/"),
        ("records API, text search", "lead", f"/api/v1/reviews/{r}/records/?q={word}"),
    ]


def time_pages(repeats: int, settled: int, waiting: int, word: str, explain: bool, only: str = "") -> None:
    """Child: time each page."""
    import django
    from django.conf import settings

    django.setup()
    # The pages name static files; without collectstatic's manifest (DEBUG off) they would fail.
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client

    from screening.models import Record

    # One connection for the whole run (as with CONN_MAX_AGE), so each request's queries are seen.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    reviewers = screening_log(settled, waiting)
    review = _review()
    with connection.cursor() as cursor:
        # What autovacuum does soon after a large import: statistics, and the visibility map that
        # lets counts read indexes alone.
        cursor.execute("VACUUM ANALYZE")
    clients = {"lead": Client(), "reviewer": Client()}
    clients["lead"].force_login(review.created_by)
    from django.contrib.auth import get_user_model
    clients["reviewer"].force_login(get_user_model().objects.get(pk=reviewers[0]))
    total = Record.objects.filter(review=review).count()
    print(f"review {review.pk}: {total:,} records; load average {os.getloadavg()[0]:.2f}")
    rows = []
    for name, who, url_or_urls in pages(review, word):
        if only and only not in name:
            continue
        urls = iter([url_or_urls] * (repeats + 2) if isinstance(url_or_urls, str) else url_or_urls)
        url = next(urls)
        def before(name=name):
            if name == AFTER_A_DECISION or name in PRISMA_AFTER_A_DECISION:
                decide_one(review, reviewers[1])

        client = clients[who]
        captured: list[tuple[float, str]] = []

        def capture(execute, sql, params, many, context, captured=captured):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append((time.perf_counter() - start, sql))

        before()
        with connection.execute_wrapper(capture):
            first = client.get(url)
        assert first.status_code == 200, (url, first.status_code)
        times, sql_times, cpu_times = [], [], []
        for _ in range(repeats):
            spent: list[tuple[float, str]] = []
            with connection.execute_wrapper(lambda *a, spent=spent: capture(*a, captured=spent)):
                before()
                spent.clear()  # the decision's own queries are not the page's
                asked = next(urls)
                start, cpu = time.perf_counter(), time.process_time()
                response = client.get(asked)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                times.append((time.perf_counter() - start) * 1000)
                cpu_times.append((time.process_time() - cpu) * 1000)
            sql_times.append(sum(seconds for seconds, _ in spent) * 1000)
        # Wall time swings with the machine's load; the queries' own time (as the client waited for
        # them) and this process's CPU time say what the page itself costs.
        row = {"page": name, "url": url, "p50_ms": round(_percentile(times, 0.5), 1),
               "p95_ms": round(_percentile(times, 0.95), 1), "max_ms": round(max(times), 1),
               "sql_p50_ms": round(_percentile(sql_times, 0.5), 1),
               "sql_p95_ms": round(_percentile(sql_times, 0.95), 1),
               "cpu_p50_ms": round(_percentile(cpu_times, 0.5), 1), "queries": len(captured)}
        rows.append(row)
        print(f"{name:45s} p50 {row['p50_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f} ms  max {row['max_ms']:8.1f} ms  "
              f"sql p50/p95 {row['sql_p50_ms']:7.1f} / {row['sql_p95_ms']:7.1f} ms  "
              f"cpu p50 {row['cpu_p50_ms']:6.1f} ms  "
              f"{row['queries']:3d} queries", flush=True)
        if explain:
            # The slowest queries of one more request, as the timed ones ran (counts kept, if any).
            captured.clear()
            before()
            with connection.execute_wrapper(capture):
                client.get(next(urls))
            for seconds, sql in sorted(captured, reverse=True)[:3]:
                print(f"      {seconds * 1000:7.1f} ms  {sql[:300]}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(json.dumps({"records": total, "repeats": repeats, "pages": rows}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000, help="records to load (a multiple of 100)")
    parser.add_argument("--db", default="million_pages")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--settled", type=int, default=3000, help="records with both reviewers' decisions")
    parser.add_argument("--waiting", type=int, default=1000, help="records with one decision")
    parser.add_argument("--word", default="randomised", help="the word of the text search")
    parser.add_argument("--reuse", action="store_true", help="time the largest review already in --db")
    parser.add_argument("--explain", action="store_true", help="print each page's three slowest queries")
    parser.add_argument("--only", default="", help="time only the pages whose name contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(args.db, tmp)
        if not args.reuse:
            from bench_import import build

            path = Path(tmp) / "big.ris"
            build(path, max(1, args.records // 100))
            for sql in (f"DROP DATABASE IF EXISTS {args.db}", f"CREATE DATABASE {args.db}"):
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
            subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
            subprocess.run([sys.executable, __file__, "--child-load", str(path)], check=True, env=env, cwd=ROOT)
            path.unlink()
        else:
            start = time.perf_counter()
            subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
            print(f"migrate: {time.perf_counter() - start:.1f} s")
        child = [sys.executable, __file__, "--child-time", json.dumps(
            [args.repeats, args.settled, args.waiting, args.word, args.explain, args.only])]
        subprocess.run(child, check=True, env=env, cwd=ROOT)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child-load":
        load(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "--child-time":
        time_pages(*json.loads(sys.argv[2]))
    else:
        main()
