"""Where an import's time goes: each phase of `search_file_import`, with the CPU of this process and of
its PostgreSQL backend (#30).

Imports FILE into a fresh review of a fresh database (dropped and created, then migrated), and prints a
line at each phase's start and end: wall seconds, this process's CPU, and its backend's CPU read from
/proc (the server must run on this machine). Statements slower than 0.3 s are printed too. On two
cores the COPY phase is as long as the larger of the two CPUs; what follows it is serial.

    .venv/bin/python benchmarks/bench_import_phases.py FILE [--db reviewapp_phases] [--lz4 on|off]

--lz4 off imports without the COPY's lz4 compression (the A/B of BENCHMARKS.md, "The import's server
time"). FILE: e.g. the first 100,000 records of the file bench_import.py builds.
"""
from __future__ import annotations

import argparse
import functools
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_CLOCK = os.sysconf("SC_CLK_TCK")


def _backend_cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--db", default="reviewapp_phases")
    parser.add_argument("--lz4", choices=("on", "off"), default="on")
    args = parser.parse_args()
    os.environ.update({"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
                       "DJANGO_SETTINGS_MODULE": "reviewapp.settings.base", "DEBUG": "0",
                       "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdef",
                       "MEDIA_ROOT": f"/tmp/{args.db}_media", "MAX_UPLOAD_MB": "4000", "LOG_LEVEL": "WARNING"})
    for sql in (f"DROP DATABASE IF EXISTS {args.db}", f"CREATE DATABASE {args.db}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], check=True, cwd=ROOT)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from reviewapp import services as review_services
    from screening import services
    from screening.services import importing

    backend: list[int | None] = [None]
    start = time.perf_counter()

    def say(what: str) -> None:
        own = resource.getrusage(resource.RUSAGE_SELF)
        print(f"{time.perf_counter() - start:8.1f} s  process CPU {own.ru_utime + own.ru_stime:7.1f} s  "
              f"backend CPU {_backend_cpu(backend[0]):7.1f} s  {what}", flush=True)

    def timed(module, name: str) -> None:
        function = getattr(module, name)

        @functools.wraps(function)
        def wrapper(*a, **k):
            say(f"{name} starts")
            try:
                return function(*a, **k)
            finally:
                say(f"{name} ends")
        setattr(module, name, wrapper)

    for name in ("_estimate_lines", "_import", "_apply_duplicates", "screening_items_sync", "_ended"):
        timed(importing, name)
    ids = importing._CopyStore.ids

    def ids_after_copy(store):
        say("the COPY ended; the ids read back")
        yield from ids(store)
    importing._CopyStore.ids = ids_after_copy  # type: ignore[method-assign]
    if args.lz4 == "off":
        importing._COPY_SETTINGS = ()  # type: ignore[assignment]

    def slow(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if time.perf_counter() - began > 0.3:
                say(f"statement of {time.perf_counter() - began:.1f} s: {sql[:100]}")
    user = get_user_model().objects.create_user("phases")
    review = review_services.review_create(creator=user, title="Import phases")
    search = services.search_create(actor=user, review=review, database="Lens.org", date_run="2024-01-01",
                                    query="benchmark")
    with args.file.open("rb") as handle:
        search_file = services.search_file_create(actor=user, search=search, upload=handle,
                                                  filename=args.file.name, enqueue=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend[0] = cursor.fetchone()[0]
    commit = connection.commit

    def timed_commit():
        say("COMMIT starts")
        commit()
    connection.commit = timed_commit  # type: ignore[method-assign]
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    start = time.perf_counter()
    say("import starts")
    with connection.execute_wrapper(slow):
        search_file = services.search_file_import(search_file_id=search_file.pk)
    say(f"import ends: {search_file.status} {search_file.records_imported} records {search_file.error}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
