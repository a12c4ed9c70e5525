"""Records get a number local to their review (#1..N), existing ones numbered in id order."""
from django.db import migrations, models


def number_existing(apps, schema_editor):
    Record = apps.get_model("screening", "Record")
    review_ids = Record.objects.values_list("review_id", flat=True).distinct().order_by("review_id")
    for review_id in review_ids:
        ids = list(Record.objects.filter(review_id=review_id).order_by("id").values_list("id", flat=True))
        batch = []
        for number, record_id in enumerate(ids, 1):
            batch.append(Record(pk=record_id, number=number))
            if len(batch) == 2000:
                Record.objects.bulk_update(batch, ["number"])
                batch = []
        Record.objects.bulk_update(batch, ["number"])


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0006_searchfile_warnings"),
    ]

    operations = [
        migrations.AddField(
            model_name="record",
            name="number",
            field=models.PositiveIntegerField(null=True, editable=False, verbose_name="number in the review"),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="record",
            name="number",
            field=models.PositiveIntegerField(editable=False, verbose_name="number in the review"),
        ),
        migrations.AddConstraint(
            model_name="record",
            constraint=models.UniqueConstraint(fields=("review", "number"), name="record_number_unique_in_review"),
        ),
    ]
