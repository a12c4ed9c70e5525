"""PRISMA's screening boxes tallied per review, search, stage, status and full-text exclusion reason (#30).

PRISMA counts screening items by the search their record came from (its column, and whether an
update's searches found it) and, for excluded full texts, by reason: at a million records the count
took about 3 s, and any decision sent the next PRISMA page back to it. Statement-level triggers on
``screening_screeningitem`` keep `PrismaTally` in the same transaction as every write, like
`ItemTally` (0017); here each changed item is joined to its record for the search. An update that
moves no item between keys (the ranking's priorities, a note) joins nothing. The reason is kept
only for excluded full texts, so the tally stays a few rows per search.

A record's search never changes after its import, and Django deletes a record's items before the
record, so the join finds every item's record. SQLite gets the table but no triggers (PRISMA is
counted there).
"""
from django.db import migrations, models

KEY = "review_id, search_id, stage, status, reason"
# One item's key: its record's search, and the reason only where PRISMA reads it.
ITEM_KEY = ("i.review_id, r.search_id, i.stage, i.status, "
            "CASE WHEN i.stage = 'ft' AND i.status = 'excluded' THEN i.reason ELSE '' END")
UPSERT = f"""
        INSERT INTO screening_prismatally ({KEY}, n)
        SELECT {ITEM_KEY}, sum(i.change) FROM ({{changes}}) AS i
        JOIN screening_record AS r ON r.id = i.record_id
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(i.change) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ({KEY}) DO UPDATE SET n = screening_prismatally.n + EXCLUDED.n;"""
NAMES = ("review_id", "record_id", "stage", "status", "reason")
COLUMNS = ", ".join(NAMES)
# Items whose key may have moved: the others (most updates) cost no join.
MOVED = f"""SELECT o.id FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
            WHERE ({", ".join("o." + c for c in NAMES)}) IS DISTINCT FROM ({", ".join("n." + c for c in NAMES)})"""
INSERTED = UPSERT.format(changes=f"SELECT {COLUMNS}, 1 AS change FROM new_rows")
DELETED = UPSERT.format(changes=f"SELECT {COLUMNS}, -1 AS change FROM old_rows")
UPDATED = UPSERT.format(changes=f"""
            SELECT {COLUMNS}, -1 AS change FROM old_rows WHERE id IN (SELECT id FROM moved)
            UNION ALL
            SELECT {COLUMNS}, 1 AS change FROM new_rows WHERE id IN (SELECT id FROM moved)""").replace(
    "INSERT INTO", f"WITH moved AS ({MOVED})\n        INSERT INTO", 1)
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
TRIGGERS = {
    "screening_prisma_tally_insert": "AFTER INSERT ON screening_screeningitem REFERENCING NEW TABLE AS new_rows",
    "screening_prisma_tally_update": ("AFTER UPDATE ON screening_screeningitem "
                                      "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "screening_prisma_tally_delete": "AFTER DELETE ON screening_screeningitem REFERENCING OLD TABLE AS old_rows",
}
COUNT_EXISTING = f"""
INSERT INTO screening_prismatally ({KEY}, n)
SELECT {ITEM_KEY}, count(*) FROM screening_screeningitem AS i JOIN screening_record AS r ON r.id = i.record_id
GROUP BY 1, 2, 3, 4, 5
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, when in TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION screening_prisma_tally()")
    schema_editor.execute("LOCK TABLE screening_screeningitem IN SHARE MODE")  # no item changes while counting
    schema_editor.execute("DELETE FROM screening_prismatally")
    schema_editor.execute(COUNT_EXISTING)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON screening_screeningitem")
    schema_editor.execute("DROP FUNCTION IF EXISTS screening_prisma_tally()")


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0019_decisions_latest_by_reviewer'),
    ]

    operations = [
        migrations.CreateModel(
            name='PrismaTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('review_id', models.BigIntegerField()),
                ('search_id', models.BigIntegerField()),
                ('stage', models.CharField(max_length=2)),
                ('status', models.CharField(max_length=20)),
                ('reason', models.CharField(max_length=200)),
                ('n', models.BigIntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('review_id', 'search_id', 'stage', 'status', 'reason'),
                                                        name='prisma_tally_key')],
            },
        ),
        migrations.RunPython(create, drop),
    ]
