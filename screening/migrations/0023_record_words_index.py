"""One word index over the title, authors and abstract, in place of three indexes (#30; PostgreSQL only).

Why: the import's COPY keeps every index of the record table up to date row by row. After
migration 0021 it kept three: the title's and authors' trigram indexes (0014) and the abstract's
words (0021). A million-record import spent most of its time there (the database backend 551 s
of CPU, the whole import 12 minutes against a 10-minute goal). One stored ``tsvector`` of the
three texts and one GIN index on it parse each record once and insert each distinct word once
(BENCHMARKS.md, "One word index for title, authors and abstract").

The price: a search word is now found at the start of a word of the title or an author's name,
as already in the abstract, no longer anywhere inside them ("therap" no longer finds
"psychotherapy"). The authors are a JSON list; its text (``["Okafor, N."]``) splits into the
same words as the names. The DOI's index of 0014 stays (the search asks for the whole DOI).

SQLite (development, tests) has none of this: the migration does nothing there. On a large review
it rewrites the record table (the new column) and builds the index inside its transaction:
expect minutes for a million records, with the table locked.
"""
from django.db import migrations

TEXTS = "COALESCE(\"title\", '') || ' ' || COALESCE(\"authors\"::text, '') || ' ' || COALESCE(\"abstract\", '')"
WORDS_COLUMN = ("ALTER TABLE \"screening_record\" ADD COLUMN IF NOT EXISTS words tsvector "
                f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {TEXTS})) STORED")
WORDS_INDEX = 'CREATE INDEX IF NOT EXISTS record_words ON "screening_record" USING gin (words)'

# What migrations 0014 and 0021 left, put back on the way down.
ABSTRACT_COLUMN = ("ALTER TABLE \"screening_record\" ADD COLUMN IF NOT EXISTS abstract_words tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(\"abstract\", ''))) STORED")
ABSTRACT_INDEX = ('CREATE INDEX IF NOT EXISTS record_abstract_words ON "screening_record" '
                  'USING gin (abstract_words)')
TRIGRAMS = {
    "record_title_upper_trgm": 'USING gin ((UPPER("title"::text)) gin_trgm_ops)',
    "record_authors_upper_trgm": 'USING gin ((UPPER("authors"::text)) gin_trgm_ops)',
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A GIN index is built far faster when its entries are sorted in memory (the default is 64 MB).
    schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for name in TRIGRAMS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute('ALTER TABLE "screening_record" DROP COLUMN IF EXISTS abstract_words')  # and its index
    schema_editor.execute(WORDS_COLUMN)
    schema_editor.execute(WORDS_INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    schema_editor.execute('ALTER TABLE "screening_record" DROP COLUMN IF EXISTS words')  # and its index
    schema_editor.execute(ABSTRACT_COLUMN)
    schema_editor.execute(ABSTRACT_INDEX)
    for name, how in TRIGRAMS.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON "screening_record" {how}')


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0022_prisma_tally_no_join"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
