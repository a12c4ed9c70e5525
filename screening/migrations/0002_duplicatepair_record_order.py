from django.db import migrations, models


def put_pairs_in_order(apps, schema_editor):
    """Rows written before the constraint with the later record first are turned around (or dropped
    when the same pair is also stored the right way round), so the constraint can be added."""
    DuplicatePair = apps.get_model("screening", "DuplicatePair")
    for pair in DuplicatePair.objects.filter(record_a__gt=models.F("record_b")):
        if DuplicatePair.objects.filter(record_a_id=pair.record_b_id, record_b_id=pair.record_a_id).exists():
            pair.delete()
        else:
            DuplicatePair.objects.filter(pk=pair.pk).update(record_a_id=pair.record_b_id,
                                                            record_b_id=pair.record_a_id)


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(put_pairs_in_order, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="duplicatepair",
            constraint=models.CheckConstraint(condition=models.Q(("record_a__lt", models.F("record_b"))),
                                              name="duplicate_pair_record_order"),
        ),
    ]
