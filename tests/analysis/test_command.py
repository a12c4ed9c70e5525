"""run_analysis runs analyses in the foreground, stores the runs as the app does, and prints one JSON
object per run and line; the demo loader defines and runs one analysis per outcome, once."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from analysis import services
from analysis.demo import demo_analyses_load
from analysis.models import Analysis, AnalysisRun
from reviewapp.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_json_lines_carry_the_data_and_the_numbers_of_each_run(review, people, outcomes, studies):
    services.analyses_create_defaults(actor=people["lead"], review=review)
    out = io.StringIO()
    call_command("run_analysis", "--review", str(review.pk), "--all", "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["name"] for line in lines] == list(outcomes)
    runs = {r.analysis_id: r for r in AnalysisRun.objects.all()}
    for line in lines:
        run = runs[line["analysis_id"]]
        assert run.status == "done"
        assert (line["measure"], line["method"], line["test"]) == ("SMD", "REML", "z")
        assert line["yi"] == [s["yi"] for s in run.inputs["studies"]] and len(line["vi"]) == line["k"]
        for key in ("b", "se", "ci_lb", "ci_ub", "pval", "tau2", "I2", "QE"):
            assert line[key] == run.results["summary"][key]


def test_one_analysis_in_words_and_errors_for_unknown_ids(review, people, outcomes, studies):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"])
    out = io.StringIO()
    call_command("run_analysis", "--review", str(review.pk), "--analysis", str(analysis.pk), stdout=out)
    assert out.getvalue().startswith("Parental depression (run 1): SMD ")
    with pytest.raises(CommandError, match="has no analysis with id 999"):
        call_command("run_analysis", "--review", str(review.pk), "--analysis", "999")
    with pytest.raises(CommandError, match="No review with id 999"):
        call_command("run_analysis", "--review", "999", "--all")


def test_the_demo_gets_one_run_analysis_per_outcome_and_loading_twice_changes_nothing(
        review, people, outcomes, studies):
    demo_analyses_load(review=review, lead=people["lead"])
    assert Analysis.objects.filter(review=review).count() == 7
    assert AnalysisRun.objects.filter(status="done").count() == 7
    events = AuditEvent.objects.count()
    demo_analyses_load(review=review, lead=people["lead"])
    assert AuditEvent.objects.count() == events and AnalysisRun.objects.count() == 7
