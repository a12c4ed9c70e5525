from django.db import migrations, models


def _claims_from_history(apps, schema_editor):
    """A run's last attempt was claimed when it started."""
    apps.get_model("analysis", "AnalysisRun").objects.update(claimed_at=models.F("started_at"))


class Migration(migrations.Migration):
    dependencies = [("analysis", "0002_summary_of_findings")]

    # The status words were already queued/running/done/failed in every kind; "cancelled" is new.
    operations = [
        migrations.RenameField("analysisrun", "worker", "claimed_by"),
        migrations.AddField(
            model_name='analysisrun',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='analysisrun',
            name='progress',
            field=models.PositiveSmallIntegerField(default=0, help_text='Percent done while running.'),
        ),
        migrations.AlterField(
            model_name='analysisrun',
            name='claimed_by',
            field=models.CharField(blank=True, help_text="host:pid of the last attempt's process", max_length=200),
        ),
        migrations.AlterField(
            model_name='analysisrun',
            name='error',
            field=models.TextField(blank=True, help_text='Why it failed, in words.'),
        ),
        migrations.AlterField(
            model_name='analysisrun',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='queued', max_length=10),
        ),
        migrations.RunPython(_claims_from_history, migrations.RunPython.noop),
    ]
