"""The abstract's trigram index replaced by a word index, on PostgreSQL only (#30).

Why: the import's COPY keeps every index of the record table up to date row by row, and the
abstract's trigram index (migration 0014) was most of that work: about a thousand trigrams an
abstract, 942 s of the database's CPU for a million records, more than the import's whole
10-minute goal. A full-text index holds each distinct word of an abstract once and, unlike
trigrams, answers "a word starting with" without reading the abstracts to check
(`selectors.records._with_words`, `word_search.py`).

Why a stored column of the abstract's words (a generated ``tsvector``) and not an index on the
expression: a COPY of 100,000 records took the same time with either, but a search checks rows
one by one whenever it matches many (a common word, the list in id order) or its bitmap of
matches outgrows memory, and then the expression must parse each abstract again: 160 us a row
against 10 us for reading the stored words (BENCHMARKS.md, "The abstract's word index"). The
price is disk: the words take about as much as the abstracts. The column is the database's
alone (Django's model does not name it; SQLite has none), kept by PostgreSQL on every write.

Title and authors keep their trigram indexes: they are short, and a search finds any part of them.
SQLite (development, tests) has neither: this migration does nothing there.

On a large review this migration rewrites the record table (the new column) and builds the
index inside its transaction: expect minutes for a million records, with the table locked.
"""
from django.db import migrations

COLUMN = ("ALTER TABLE \"screening_record\" ADD COLUMN IF NOT EXISTS abstract_words tsvector "
          "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(\"abstract\", ''))) STORED")
WORDS = 'CREATE INDEX IF NOT EXISTS record_abstract_words ON "screening_record" USING gin (abstract_words)'
TRIGRAMS = ('CREATE INDEX IF NOT EXISTS record_abstract_upper_trgm ON "screening_record" '
            'USING gin ((UPPER("abstract"::text)) gin_trgm_ops)')


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A GIN index is built far faster when its entries are sorted in memory (the default is 64 MB).
    schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    schema_editor.execute("DROP INDEX IF EXISTS record_abstract_upper_trgm")
    schema_editor.execute(COLUMN)
    schema_editor.execute(WORDS)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('ALTER TABLE "screening_record" DROP COLUMN IF EXISTS abstract_words')  # and its index
    schema_editor.execute(TRIGRAMS)


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0020_prisma_tally"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
