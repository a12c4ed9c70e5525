from django.db import migrations, models


def _claims_from_history(apps, schema_editor):
    """Imports and retrainings that ran before kept no attempts: count one for each that left the queue."""
    SearchFile = apps.get_model("screening", "SearchFile")
    SearchFile.objects.exclude(status="queued").update(attempts=1, claimed_at=models.F("started_at"))
    apps.get_model("screening", "RankingRun").objects.exclude(status="queued").update(attempts=1)


class Migration(migrations.Migration):
    dependencies = [("screening", "0007_record_number")]

    # The status words were already queued/running/done/failed in every kind; "cancelled" is new.
    operations = [
        migrations.RenameField("searchfile", "progress_percent", "progress"),
        migrations.AddField(
            model_name='rankingrun',
            name='attempts',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='rankingrun',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='rankingrun',
            name='claimed_by',
            field=models.CharField(blank=True, help_text="host:pid of the last attempt's process", max_length=200),
        ),
        migrations.AddField(
            model_name='rankingrun',
            name='progress',
            field=models.PositiveSmallIntegerField(default=0, help_text='Percent done while running.'),
        ),
        migrations.AddField(
            model_name='rankingrun',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='searchfile',
            name='attempts',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='searchfile',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='searchfile',
            name='claimed_by',
            field=models.CharField(blank=True, help_text="host:pid of the last attempt's process", max_length=200),
        ),
        migrations.AlterField(
            model_name='rankingrun',
            name='error',
            field=models.TextField(blank=True, help_text='Why it failed, in words.'),
        ),
        migrations.AlterField(
            model_name='rankingrun',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='queued', max_length=10),
        ),
        migrations.AlterField(
            model_name='searchfile',
            name='error',
            field=models.TextField(blank=True, help_text='Why it failed, in words.'),
        ),
        migrations.AlterField(
            model_name='searchfile',
            name='progress',
            field=models.PositiveSmallIntegerField(default=0, help_text='Percent done while running.'),
        ),
        migrations.AlterField(
            model_name='searchfile',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='queued', max_length=10),
        ),
        migrations.RunPython(_claims_from_history, migrations.RunPython.noop),
    ]
