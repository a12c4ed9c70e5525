"""What PRISMA's counts cost, query by query, on the largest review of a PostgreSQL database (#30).

Runs `prisma.prisma_counts` (every box counted), `selectors.prisma_counts_kept` with nothing
kept, and the tallied counts with the records' counts kept (what the first PRISMA request after a
decision runs, besides the two audit marks and the cache), --repeats times
each, and prints each query's median time with the start of its SQL, slowest first; then checks
that both give the same counts. Reads only (its cache is a file cache of its own).

    nice -n 10 .venv/bin/python benchmarks/bench_prisma_parts.py --db prisma_100k [--repeats 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="prisma_100k")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    os.environ.update({"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
                       "DJANGO_SETTINGS_MODULE": "reviewapp.settings.base", "DEBUG": "0",
                       "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdef", "LOG_LEVEL": "WARNING",
                       # a cache of this run's own (a file cache in a fresh directory), which it empties
                       "REDIS_URL": "", "VAR_DIR": tempfile.mkdtemp(prefix="bench-prisma-")})
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count

    from reviewapp.models import Review
    from screening import prisma, selectors
    from screening.selectors.prisma_tallied import _tallied

    review = Review.objects.annotate(n=Count("records")).order_by("-n").first()
    print(f"review {review.pk}; load average {os.getloadavg()[0]:.2f}")
    for name, run in (("prisma_counts (counted)", lambda: prisma.prisma_counts(review=review)),
                      ("prisma_counts_kept, nothing kept (after an import or a merge)",
                       lambda: (cache.clear(), selectors.prisma_counts_kept(review=review))[1]),
                      # what a request after a decision runs besides the marks: the records' counts kept
                      ("from the tally, records' counts kept (after a decision)", lambda: _tallied(review))):
        per_query: dict[int, list[float]] = {}
        texts: dict[int, str] = {}
        totals = []
        for _ in range(args.repeats):
            spent: list[tuple[float, str]] = []

            def capture(execute, sql, params, many, context, spent=spent):
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    spent.append((time.perf_counter() - start, sql))

            start = time.perf_counter()
            with connection.execute_wrapper(capture):
                run()
            totals.append((time.perf_counter() - start) * 1000)
            for n, (seconds, sql) in enumerate(spent):
                per_query.setdefault(n, []).append(seconds * 1000)
                texts[n] = sql
        print(f"\n{name}: median {statistics.median(totals):.1f} ms, {len(per_query)} queries")
        for n, times in sorted(per_query.items(), key=lambda kv: -statistics.median(kv[1]))[:12]:
            print(f"  {statistics.median(times):8.1f} ms  {texts[n][:160]}")
    assert prisma.prisma_counts(review=review) == selectors.prisma_counts_kept(review=review)
    print(f"\nthe same counts; load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
