"""Screening speed on PostgreSQL: the next record with 100,000 records and 20 reviewers at once.

Builds (bulk inserts, for speed) a review with 100,000 records, each with its title/abstract
screening item, 20 reviewer accounts and dual screening. Then, at each state of the decision
log, 20 worker processes (one per reviewer, each with its own database connection, as 20 web
workers would be) loop for a fixed time: ask for the next record (screening_next), wait the
reviewer's reading time, send a decision (decision_record, include or exclude at random).
It reports the server time of each call (the service call: every query it makes, from Python)
as p50/p95/p99, and checks afterwards that every decision sent was stored exactly once.

States:
  empty   no decision yet
  mid     50,000 decisions already in the log (bulk-inserted): 20,000 records (a fifth) settled by
          two reviewers, 10,000 (a tenth) waiting for their second decision, spread over the reviewers
  skewed  then every record waiting for its second decision (about 10,000) has its first from
          one reviewer, far ahead of the others: their queue must pass over all they have done

Needs PostgreSQL with trust auth on 127.0.0.1 (the bench database is dropped and created
afresh). Run from the repository root:

    .venv/bin/python benchmarks/bench_screening.py [--records 100000] [--reviewers 20]
        [--seconds 60] [--think 1.0] [--states empty,mid,skewed] [--db reviewapp_bench_screening]

--think is the pause between showing a record and deciding (a person reads for seconds; 0 makes
every worker hammer the server back to back, a stress test rather than 20 people).
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(db: str) -> None:
    os.environ.update({
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "DJANGO_SETTINGS_MODULE": "reviewapp.settings.base", "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdef",
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-screening-"), "LOG_LEVEL": "WARNING",
    })
    import django

    django.setup()


def build(n_records: int, n_reviewers: int) -> tuple[int, list[int]]:
    """The review (id) and its reviewers (ids); records and items bulk-inserted."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from reviewapp import services as review_services
    from screening.models import Record, ScreeningItem, Search, SearchFile

    User = get_user_model()
    lead = User.objects.create_user("lead")
    review = review_services.review_create(creator=lead, title="Screening benchmark")
    reviewers = User.objects.bulk_create([User(username=f"reviewer{i:02d}") for i in range(n_reviewers)])
    for user in reviewers:
        review_services.member_roles_set(actor=lead, review=review, user=user, roles=["reviewer"])
    search = Search.objects.create(review=review, database="Scopus", date_run="2024-01-01", query="bench")
    search_file = SearchFile.objects.create(search=search, file="bench.ris", original_name="bench.ris",
                                            status=SearchFile.Status.DONE)
    rng = random.Random(7)
    words = ("infant mother therapy psychodynamic trial depression attachment outcome parent child group "
             "randomised study effect interaction home visiting reflective functioning").split()
    batch = 5000
    for start in range(0, n_records, batch):
        records = Record.objects.bulk_create([
            Record(review=review, search_file=search_file, search=search, line=n + 1,
                   title=" ".join(rng.choice(words) for _ in range(12)).capitalize(),
                   abstract=" ".join(rng.choice(words) for _ in range(200)), year=rng.randint(1990, 2021))
            for n in range(start, min(start + batch, n_records))])
        ScreeningItem.objects.bulk_create([ScreeningItem(review=review, record=r, stage="ta") for r in records])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return review.pk, [u.pk for u in reviewers]


def add_log(review_id: int, reviewer_ids: list[int], *, settled: int, waiting: int) -> None:
    """Bulk-insert a mid-review log: `settled` records with two decisions, `waiting` with one.
    Items get the status the services would give."""
    from django.db import connection
    from django.utils import timezone

    from screening.models import Decision, ScreeningItem

    rng = random.Random(11)
    pending = list(ScreeningItem.objects.filter(review_id=review_id, stage="ta", status="pending",
                                                decisions_count=0).order_by("-priority", "id")
                   .values_list("id", flat=True)[:settled + waiting])
    now = timezone.now()
    decisions, updates = [], {}
    for i, item_id in enumerate(pending):
        who = rng.sample(reviewer_ids, 2 if i < settled else 1)
        values = ["exclude" if rng.random() < 0.9 else "include" for _ in who]
        for reviewer_id, value in zip(who, values, strict=True):
            decisions.append(Decision(review_id=review_id, item_id=item_id, stage="ta", reviewer_id=reviewer_id,
                                      value=value))
        if len(who) == 2:
            status = "included" if values == ["include"] * 2 else "excluded" if "include" not in values else "conflict"
        else:
            status = "pending"
        updates.setdefault((status, len(who)), []).append(item_id)
    Decision.objects.bulk_create(decisions, batch_size=5000)
    for (status, count), ids in updates.items():
        ScreeningItem.objects.filter(pk__in=ids).update(
            status=status, decisions_count=count, settled_at=None if status in ("pending", "conflict") else now)
    with connection.cursor() as cursor:
        # What autovacuum does over the weeks a real log takes to grow; the bulk update left 30,000 dead rows.
        cursor.execute("VACUUM ANALYZE")


def make_one_reviewer_ahead(review_id: int, reviewer_id: int) -> int:
    """Give every record waiting for its second decision a first decision by this reviewer: they are
    then all behind them, and their queue must pass over every one (the unique constraint holds:
    each of these records has one decision)."""
    from django.db import connection

    from screening.models import Decision

    moved = Decision.objects.filter(review_id=review_id, stage="ta", item__status="pending",
                                    item__decisions_count=1).update(reviewer_id=reviewer_id)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return moved


def worker(args: tuple) -> dict:
    review_id, reviewer_id, seconds, think, seed = args
    from django.contrib.auth import get_user_model
    from django.db import connection

    from reviewapp.exceptions import ApplicationError
    from reviewapp.models import Review
    from screening import services

    rng = random.Random(seed)
    review = Review.objects.get(pk=review_id)
    reviewer = get_user_model().objects.get(pk=reviewer_id)
    next_ms, decide_ms, next_cpu_ms, sent, refused = [], [], [], [], 0
    end = time.perf_counter() + seconds
    time.sleep(think * rng.random())  # people do not all click at the same instant
    while time.perf_counter() < end:
        t0, c0 = time.perf_counter(), time.process_time()
        item = services.screening_next(reviewer=reviewer, review=review, stage="ta")
        next_ms.append((time.perf_counter() - t0) * 1000)
        next_cpu_ms.append((time.process_time() - c0) * 1000)
        if item is None:
            break
        time.sleep(think * rng.uniform(0.5, 1.5))
        t0 = time.perf_counter()
        try:
            services.decision_record(actor=reviewer, review=review, item_id=item.pk,
                                     value="include" if rng.random() < 0.1 else "exclude")
            sent.append(item.pk)
        except ApplicationError:
            refused += 1
        decide_ms.append((time.perf_counter() - t0) * 1000)
    connection.close()
    # The first call of each process is not counted: it warms up what a long-running web worker has warm.
    return {"next_ms": next_ms[1:], "decide_ms": decide_ms[1:], "next_cpu_ms": next_cpu_ms[1:], "sent": sent,
            "refused": refused, "load": os.getloadavg()[0]}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_state(name: str, review_id: int, reviewer_ids: list[int], seconds: float, think: float) -> None:
    from django.db import connections

    from screening.models import Decision, ScreeningItem

    before = Decision.objects.filter(review_id=review_id).count()
    connections.close_all()  # each forked worker opens its own connection
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(len(reviewer_ids)) as pool:
        results = pool.map(worker, [(review_id, r, seconds, think, i) for i, r in enumerate(reviewer_ids)])
    next_ms = [t for r in results for t in r["next_ms"]]
    next_cpu_ms = [t for r in results for t in r["next_cpu_ms"]]
    decide_ms = [t for r in results for t in r["decide_ms"]]
    sent = [pk for r in results for pk in r["sent"]]
    after = Decision.objects.filter(review_id=review_id).count()
    pairs = {(pk, r) for res, r in zip(results, reviewer_ids, strict=True) for pk in res["sent"]}
    stored = set(Decision.objects.filter(review_id=review_id, item_id__in={pk for pk, _ in pairs})
                 .values_list("item_id", "reviewer_id"))
    over = ScreeningItem.objects.filter(review_id=review_id, stage="ta", decisions_count__gt=2).count()
    refused = sum(r["refused"] for r in results)
    print(f"\n[{name}] {len(reviewer_ids)} reviewers, {seconds:.0f} s, think {think} s: "
          f"{len(next_ms)} next-record calls, {len(sent)} decisions stored, {refused} refused")
    print(f"  load average at the end: {max(r['load'] for r in results):.1f} (2 cores)")
    for label, values in (("screening_next", next_ms), ("  its CPU in Python", next_cpu_ms),
                          ("decision_record", decide_ms or [0.0])):
        print(f"  {label:18s} p50 {pct(values, 50):6.1f} ms  p95 {pct(values, 95):6.1f} ms  "
              f"p99 {pct(values, 99):6.1f} ms  max {max(values):6.1f} ms  mean {statistics.mean(values):6.1f} ms")
    ok = after - before == len(sent) and pairs <= stored and len(pairs) == len(sent) and over == 0
    print(f"  decisions: {before} before + {len(sent)} sent = {before + len(sent)}; stored {after}; "
          f"every one stored once: {'yes' if ok else 'NO'}")


def explain(review_id: int, reviewer_id: int) -> None:
    """The plan of the queue query for one reviewer (EXPLAIN ANALYZE), to see where time goes."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from reviewapp.models import Review
    from screening.services import decisions

    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    reviewer = get_user_model().objects.get(pk=reviewer_id)
    with connection.execute_wrapper(capture), transaction.atomic():
        decisions.screening_next(reviewer=reviewer, review=Review.objects.get(pk=review_id), stage="ta")
        transaction.set_rollback(True)
    sql, params = next((s, p) for s, p in captured if "SKIP LOCKED" in s)
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join(row[0] for row in cursor.fetchall()))
        transaction.set_rollback(True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--states", default="empty,mid,skewed")
    parser.add_argument("--explain", action="store_true", help="print the queue query's plan at each state")
    parser.add_argument("--db", default="reviewapp_bench_screening")
    args = parser.parse_args()
    if args.reviewers < 2 and set(args.states.split(",")) - {"empty"}:
        parser.error("the mid and skewed states need two reviewers at least (dual screening)")
    for sql in (f"DROP DATABASE IF EXISTS {args.db}", f"CREATE DATABASE {args.db}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    setup_django(args.db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    review_id, reviewer_ids = build(args.records, args.reviewers)
    print(f"built: {args.records} records and items, {args.reviewers} reviewers in {time.perf_counter() - start:.0f} s")
    states, records = args.states.split(","), args.records
    for name in states:
        if name == "mid":
            add_log(review_id, reviewer_ids, settled=records // 5, waiting=records // 10)
        elif name == "skewed":
            if "mid" not in states:
                add_log(review_id, reviewer_ids, settled=records // 5, waiting=records // 10)
            moved = make_one_reviewer_ahead(review_id, reviewer_ids[0])
            print(f"skewed: {moved} records waiting for a second decision, all decided by one reviewer")
        if args.explain:
            explain(review_id, reviewer_ids[0])
        run_state(name, review_id, reviewer_ids, args.seconds, args.think)


if __name__ == "__main__":
    main()
