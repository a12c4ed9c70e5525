"""Trigram indexes for the records list's text search, on PostgreSQL only (#30).

The search (`selectors.records_filtered`, its ``q``) asks, per word, for the title, abstract or
authors containing it (``icontains``, which Django writes as ``UPPER(col::text) LIKE UPPER(...)``),
or the DOI or PMID equal to it. Without an index for every branch of that OR PostgreSQL reads
every record of the table: 35.6 s with a million records. A pg_trgm GIN index on each contained
expression (and a B-tree on the upper-cased DOI) lets it combine the indexes instead. The
expressions are written exactly as Django writes them, or the planner would not use them.

SQLite (development and tests) has neither pg_trgm nor GIN: this migration does nothing there.
pg_trgm is a trusted extension since PostgreSQL 13, so the database's owner may create it.
"""
from django.db import migrations

INDEXES = {
    "record_title_upper_trgm": 'USING gin ((UPPER("title"::text)) gin_trgm_ops)',
    "record_abstract_upper_trgm": 'USING gin ((UPPER("abstract"::text)) gin_trgm_ops)',
    "record_authors_upper_trgm": 'USING gin ((UPPER("authors"::text)) gin_trgm_ops)',
    "record_doi_upper": '((UPPER("doi"::text)))',
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, how in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON "screening_record" {how}')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0013_assignments"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
