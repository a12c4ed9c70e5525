"""Migration 0005 moves a run's plot columns into the plots map and back, losing nothing."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("analysis", "0004_report_text")]
AFTER = [("analysis", "0005_run_plots_map")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_plots_move_into_the_map_and_back(review, outcomes):
    apps = migrate(BEFORE)
    Analysis, AnalysisRun = apps.get_model("analysis", "Analysis"), apps.get_model("analysis", "AnalysisRun")
    analysis = Analysis.objects.create(review_id=review.pk, outcome_id=outcomes["Parental depression"].pk,
                                       name="Main", measure="SMD")
    drawn = AnalysisRun.objects.create(analysis=analysis, number=1, forest_svg="<svg>f</svg>",
                                       funnel_svg="<svg>u</svg>")
    empty = AnalysisRun.objects.create(analysis=analysis, number=2)
    try:
        apps = migrate(AFTER)
        AnalysisRun = apps.get_model("analysis", "AnalysisRun")
        assert AnalysisRun.objects.get(pk=drawn.pk).plots == {"forest": "<svg>f</svg>", "funnel": "<svg>u</svg>"}
        assert AnalysisRun.objects.get(pk=empty.pk).plots == {}
        apps = migrate(BEFORE)
        AnalysisRun = apps.get_model("analysis", "AnalysisRun")
        back = AnalysisRun.objects.get(pk=drawn.pk)
        assert (back.forest_svg, back.funnel_svg) == ("<svg>f</svg>", "<svg>u</svg>")
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
