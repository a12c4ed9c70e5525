"""A run's plots become one map (plot name -> SVG) instead of a column per plot, so a new plot
needs no migration. Existing plots move into the map, and back on reverse."""
from django.db import migrations, models

BATCH = 500


def columns_to_map(apps, schema_editor):
    AnalysisRun = apps.get_model("analysis", "AnalysisRun")
    runs = []
    for run in AnalysisRun.objects.only("id", "forest_svg", "funnel_svg").iterator(chunk_size=BATCH):
        plots = {name: svg for name, svg in (("forest", run.forest_svg), ("funnel", run.funnel_svg)) if svg}
        if plots:
            run.plots = plots
            runs.append(run)
    AnalysisRun.objects.bulk_update(runs, ["plots"], batch_size=BATCH)


def map_to_columns(apps, schema_editor):
    AnalysisRun = apps.get_model("analysis", "AnalysisRun")
    runs = []
    for run in AnalysisRun.objects.only("id", "plots").iterator(chunk_size=BATCH):
        plots = run.plots or {}
        run.forest_svg, run.funnel_svg = plots.get("forest", ""), plots.get("funnel", "")
        runs.append(run)
    AnalysisRun.objects.bulk_update(runs, ["forest_svg", "funnel_svg"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("analysis", "0004_report_text")]

    operations = [
        migrations.AddField(model_name="analysisrun", name="plots", field=models.JSONField(blank=True, default=dict)),
        migrations.RunPython(columns_to_map, map_to_columns),
        migrations.RemoveField(model_name="analysisrun", name="forest_svg"),
        migrations.RemoveField(model_name="analysisrun", name="funnel_svg"),
    ]
