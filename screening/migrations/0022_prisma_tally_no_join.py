"""The PRISMA tally's trigger: no join whose plan depends on how many rows a statement changed (#30).

Two faults of 0020, found timing the ranking's write of 20,000 priorities at 100,000 records:

- PL/pgSQL keeps a trigger statement's plan for the session, made for the transition tables of
  its first run: 0020 joined the old rows to the new ones, and planned for a decision's one row
  (a nested loop), the next 20,000 priorities in the same session took 123 s. Now the old and new
  rows are added up (-1, +1) and grouped, which costs in proportion to the rows whatever the plan.
  (Planning each run through EXECUTE was tried: reading the transition tables then took over a second.)
- Its join to the records hashed the whole records table even when no item had moved (250 ms at
  100,000 records for a write of priorities; planned for an import, a decision would do the
  same). Each moved item now finds its search by the record's primary key: an update that moves
  nothing reads no record, a decision one.
"""
import importlib

from django.db import migrations

FIRST = importlib.import_module("screening.migrations.0020_prisma_tally")
KEY = "review_id, search_id, stage, status, reason"
# An item's key but its search; the reason only where PRISMA reads it.
ITEM = "review_id, record_id, stage, status, CASE WHEN stage = 'ft' AND status = 'excluded' THEN reason ELSE '' END"
# Items are grouped by record first, so items that did not move (one row out, the same row in)
# cancel before any record is read; the rest find their search by the record's primary key.
UPSERT = f"""
        INSERT INTO screening_prismatally ({KEY}, n)
        SELECT m.review_id, (SELECT r.search_id FROM screening_record AS r WHERE r.id = m.record_id), m.stage,
               m.status, m.reason, sum(m.change)
        FROM (SELECT review_id, record_id, stage, status, reason, sum(change) AS change
              FROM ({{changes}}) AS c (review_id, record_id, stage, status, reason, change)
              GROUP BY 1, 2, 3, 4, 5 HAVING sum(change) <> 0) AS m
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(m.change) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ({KEY}) DO UPDATE SET n = screening_prismatally.n + EXCLUDED.n;"""
INSERTED = UPSERT.format(changes=f"SELECT {ITEM}, 1 FROM new_rows")
DELETED = UPSERT.format(changes=f"SELECT {ITEM}, -1 FROM old_rows")
UPDATED = UPSERT.format(changes=f"SELECT {ITEM}, -1 FROM old_rows UNION ALL SELECT {ITEM}, 1 FROM new_rows")
FUNCTION = f"""
CREATE OR REPLACE FUNCTION screening_prisma_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN{INSERTED}
    ELSIF TG_OP = 'DELETE' THEN{DELETED}
    ELSE{UPDATED}
    END IF;
    RETURN NULL;
END
$$
"""


def without_join(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def as_first_made(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FIRST.FUNCTION)


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0021_record_abstract_word_index'),
    ]

    operations = [
        migrations.RunPython(without_join, as_first_made),
    ]
