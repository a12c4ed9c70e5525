from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0005_ranking_and_stopping"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchfile",
            name="warnings",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
