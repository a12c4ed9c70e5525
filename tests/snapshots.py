"""Database contents built once per test run and copied into any test's database in a second or two.

Some tests need a large, realistic review: the demo, whose ``load_demo`` takes minutes (thousands of
screening decisions through the services, each one audited). Building it again for each such test
was most of CI's time. Instead the first test process to need a snapshot builds it, with the real
code, in its own test database; every table is then copied out with PostgreSQL's COPY, the database
is put back as it was, and the copy is left in the run's temporary folder, where the other xdist
workers find it (a file lock makes them wait for the one building it rather than build it again).
A test asking for the snapshot gets exactly those rows (same ids) copied back into its database: in
its own transaction for a plain ``django_db`` test (rolled back after it), committed for a
transactional one (flushed after it, as always). On another database (SQLite on a developer's
clone) the snapshot is simply built again in each test that asks for it.
"""
from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

# table -> (its columns, its rows in COPY's binary format)
Contents = dict[str, tuple[list[str], bytes]]


def copies() -> bool:
    """Whether snapshots are copied (PostgreSQL) rather than built again in each test."""
    return connection.vendor == "postgresql"


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _columns(cursor, table: str) -> list[str]:
    """The table's columns but its generated ones (such as the records' word index): PostgreSQL
    computes those, and COPY refuses them."""
    cursor.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attgenerated <> ''",
                   [connection.ops.quote_name(table)])
    generated = {name for (name,) in cursor.fetchall()}
    return [c.name for c in connection.introspection.get_table_description(cursor, table) if c.name not in generated]


def dump() -> Contents:
    """Every row of every table of the app (not django_migrations), as it is now."""
    qn = connection.ops.quote_name
    contents: Contents = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for table in _tables():
            columns = _columns(cursor, table)
            data = bytearray()
            with cursor.copy(f"COPY {qn(table)} ({', '.join(map(qn, columns))}) TO STDOUT (FORMAT binary)") as copy:
                for chunk in copy:
                    data += chunk
            contents[table] = (columns, bytes(data))
    return contents


def restore(contents: Contents) -> None:
    """Replace every table's rows by the snapshot's, ids and sequences included.

    In one transaction (a savepoint inside a test's), the foreign keys deferred (or, for a superuser,
    not checked at all: the rows come from a consistent database), so tables empty and fill in any order."""
    from django.contrib.contenttypes.models import ContentType

    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # Rows a test's fixtures added before are checked now: TRUNCATE refuses pending checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        tables = _tables()
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if cursor.fetchone()[0]:  # rows from a consistent database: skip their foreign-key checks (seconds)
            cursor.execute("SET LOCAL session_replication_role = replica")
            # A test's tables hold its fixtures' few rows or none: DELETE empties them for nothing, where
            # TRUNCATE makes new files for each table and index (a second or more; the sequences are set below).
            for table in tables:
                cursor.execute(f"DELETE FROM {qn(table)}")
        else:
            cursor.execute(f"TRUNCATE {', '.join(map(qn, tables))} RESTART IDENTITY CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, (columns, data) in contents.items():
            with cursor.copy(f"COPY {qn(table)} ({', '.join(map(qn, columns))}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)
        models = [m for m in apps.get_models(include_auto_created=True)
                  if m._meta.managed and not m._meta.proxy and m._meta.db_table in tables]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
        cursor.execute("SET LOCAL session_replication_role = origin")
    ContentType.objects.clear_cache()  # cached ids may be the replaced rows'


def _shared_folder(tmp_path_factory) -> Path:
    """The run's temporary folder all xdist workers share (each worker's own is inside it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_and_undone(build: Callable[[], Any]) -> tuple[Contents, Any]:
    """What ``build`` adds to this (empty) database, committed as ``load_demo`` commits, and what
    it returns; the database is then put back as it was."""
    before = dump()
    try:
        value = build()
        return dump(), value
    finally:
        restore(before)


def built_in_a_transaction(build: Callable[[], Any]) -> tuple[Contents, Any]:
    """What ``build`` adds inside one transaction, rolled back after, and what it returns: as a
    plain ``django_db`` test builds it (``transaction.on_commit`` callbacks are not run)."""
    with transaction.atomic():
        value = build()
        contents = dump()  # the transaction's own rows are visible to its COPY
        transaction.set_rollback(True)
    return contents, value


def build_once(name: str, build: Callable[[], None], tmp_path_factory, *, committed: bool = True) -> Contents:
    """The snapshot ``name``: read from the run's folder, or made by ``build`` on this process's
    database (``built_and_undone`` if ``committed``, else ``built_in_a_transaction``) and saved
    there for the others.

    Called from a session fixture, with database access unblocked and outside any test's transaction."""
    return build_once_keeping(name, build, tmp_path_factory, committed=committed)[0]


def build_once_keeping(name: str, build: Callable[[], Any], tmp_path_factory, *,
                       committed: bool = True) -> tuple[Contents, Any]:
    """``build_once``, keeping beside the rows what ``build`` returns (picklable): what the database
    cannot give back, such as API keys it stores only hashed, or ``files_written``."""
    import fcntl

    folder = _shared_folder(tmp_path_factory)
    path = folder / f"snapshot-{name}.pickle"
    with open(folder / f"snapshot-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when this process ends, whatever happens to it
        if path.exists():
            return pickle.loads(path.read_bytes())
        built = (built_and_undone if committed else built_in_a_transaction)(build)
        partial = path.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)
        return built


# media path (relative to MEDIA_ROOT) -> its bytes
Files = dict[str, bytes]


def _media_paths() -> set[Path]:
    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@contextmanager
def files_written() -> Iterator[Files]:
    """The files a build writes under MEDIA_ROOT (uploads, archives): the rows copied into a test
    name them, and a test before it may have deleted them (``put_back``)."""
    from django.conf import settings

    before = _media_paths()
    files: Files = {}
    yield files
    for path in sorted(_media_paths() - before):
        files[str(path)] = (Path(settings.MEDIA_ROOT) / path).read_bytes()


def put_back(files: Files) -> None:
    """Write again any of ``files`` that is missing or changed."""
    from django.conf import settings

    for name, data in files.items():
        path = Path(settings.MEDIA_ROOT) / name
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
            partial.write_bytes(data)
            partial.replace(path)  # whole, for a test of another worker reading it meanwhile
