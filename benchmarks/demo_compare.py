"""Compare two databases that each ran `load_demo` on a fresh migrated database: every table's rows,
ids included, with clock times reduced to whether they are set (and times inside JSON or text, such as
the audit trail's snapshots, masked), and password hashes (salted) left out.

    .venv/bin/python benchmarks/demo_compare.py postgres://postgres@127.0.0.1:5432/A postgres://...B

Prints the tables that differ (with a few differing rows) and exits 1 if any does.
Used to check that a faster demo build stores exactly what the slower one did (BENCHMARKS.md, "CI time").
"""
from __future__ import annotations

import re
import sys

import psycopg

TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")
# What differs between two runs on one machine: the worker's name (host:pid) and the suffix storage adds to
# a file name already taken in the shared media folder.
NOISE = [(re.compile(r"\bvm:\d+"), "<worker>"), (re.compile(r"_[A-Za-z0-9]{7}(\.\w+)\b"), r"\1")]
# Kept by triggers, one row per key: the ids say in which order keys first appeared, which nothing reads.
BY_KEY = {"screening_itemtally", "screening_prismatally"}
SKIP_COLUMNS = {("auth_user", "password"), ("auth_user", "last_login")}
SKIP_TABLES = {"django_migrations", "django_session"}


def _columns(cur, table: str) -> list[tuple[str, str]]:
    cur.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position", (table,))
    return [(n, t) for n, t in cur.fetchall() if (table, n) not in SKIP_COLUMNS]


def _value(data_type: str, value):
    if data_type.startswith("timestamp"):
        return value is not None
    if isinstance(value, (dict, list)):
        value = repr(value)
    if isinstance(value, str):
        value = TIME.sub("<time>", value)
        for pattern, replacement in NOISE:
            value = pattern.sub(replacement, value)
    return value


def dump(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                    "AND table_type = 'BASE TABLE' ORDER BY 1")
        tables = [t for (t,) in cur.fetchall() if t not in SKIP_TABLES]
        found = {}
        for table in tables:
            columns = _columns(cur, table)
            names = ", ".join(f'"{n}"' for n, _ in columns)
            cur.execute(f'SELECT {names} FROM "{table}" ORDER BY 1')  # noqa: S608 - names from the catalogue
            rows = [tuple(_value(t, v) for (_, t), v in zip(columns, row, strict=True)) for row in cur.fetchall()]
            found[table] = sorted(row[1:] for row in rows) if table in BY_KEY else rows
        return found


def main(a: str, b: str) -> int:
    left, right = dump(a), dump(b)
    differ = 0
    for table in sorted(set(left) | set(right)):
        rows_a, rows_b = left.get(table), right.get(table)
        if rows_a == rows_b:
            continue
        differ += 1
        print(f"{table}: {len(rows_a or [])} rows against {len(rows_b or [])}")
        shown = 0
        for x, y in zip(rows_a or [], rows_b or [], strict=False):
            if x != y and shown < 3:
                print(f"  - {x}\n  + {y}")
                shown += 1
    rows = sum(len(r) for r in left.values())
    print(f"{len(left)} tables, {rows} rows compared; {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
