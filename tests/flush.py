"""Emptying the database after a transactional test with DELETE instead of TRUNCATE (PostgreSQL, superuser).

Django's flush (what pytest-django runs after each transactional test: the browser tests, the live
worker's) sends one TRUNCATE of every table, which makes new files for each of the 54 tables and their
indexes: 2 to 3 s under load, for tables that hold a test's few rows (or a copied demo: 28,000 rows,
which DELETE empties in a tenth of a second). The same rows are gone either way and the sequences are
left as they are (flush does not reset them); DELETE runs with triggers off, as the snapshots' restore
does (tests/snapshots.py), so neither the foreign keys' checks nor the progress tallies' triggers
(which TRUNCATE does not fire) run. Without superuser rights, when sequences are to be reset, or for a
part of the tables only (a test's ``available_apps``: TRUNCATE ... CASCADE also empties the tables that
point into them), the TRUNCATE stays."""
from __future__ import annotations

from django.db.backends.postgresql.operations import DatabaseOperations

_truncate = DatabaseOperations.sql_flush


def _superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return bool(cursor.fetchone()[0])


def _sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables or reset_sequences or allow_cascade or not _superuser(self.connection):
        return _truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    # In flush's one transaction (execute_sql_flush): SET LOCAL ends with it.
    return ["SET LOCAL session_replication_role = replica",
            *(f"DELETE FROM {self.quote_name(table)}" for table in tables),
            "SET LOCAL session_replication_role = origin"]


def install() -> None:
    DatabaseOperations.sql_flush = _sql_flush
