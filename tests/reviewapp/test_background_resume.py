"""Work a killed worker left unfinished is sent again: `make run`'s folder broker loses a task its
worker had taken, so `manage.py serve` (and `resume_background_work`) send the rows still queued
or running again, and each finishes once."""
from __future__ import annotations

import pytest
from django.core.management import call_command

from analysis import services as analysis_services
from analysis.models import AnalysisRun
from reviewapp import services as review_services
from reviewapp.archive.services import archive_export_request
from reviewapp.background import resume_interrupted
from screening import services
from screening.models import Record, SearchFile
from tests.screening.helpers import make_search, record, ris

pytestmark = pytest.mark.django_db


def test_an_upload_and_an_analysis_run_left_behind_are_finished_once(review, people, capsys):
    lead = people["lead"]
    search = make_search(review, lead)
    left = services.search_file_create(actor=lead, search=search, upload=ris(record(1), record(2)),
                                       filename="scopus.ris", requested_format="", enqueue=False)
    SearchFile.objects.filter(pk=left.pk).update(status=SearchFile.Status.RUNNING)  # its worker was killed
    outcome = review_services.outcome_create(actor=lead, review=review, name="Parental depression",
                                             direction="lower", note="")
    analysis = analysis_services.analysis_create(actor=lead, review=review, outcome=outcome)
    run = analysis_services.analysis_run_request(actor=lead, analysis=analysis, enqueue=False)
    archive = archive_export_request(actor=lead, review=review)  # its task is sent on a commit that never comes

    call_command("resume_background_work")  # tasks run in-process in tests (eager)
    said = capsys.readouterr().out
    assert "1 import sent to the worker again" in said and "1 analysis run sent" in said
    assert "1 review archive sent" in said
    left.refresh_from_db()
    run.refresh_from_db()
    assert left.status == SearchFile.Status.DONE and Record.objects.filter(search_file=left).count() == 2
    assert run.status in AnalysisRun.FINISHED and run.attempts == 1
    archive.refresh_from_db()
    assert archive.status == "done" and archive.size > 0

    assert resume_interrupted() == []  # nothing is sent twice once it is finished
    assert Record.objects.filter(search_file=left).count() == 2
