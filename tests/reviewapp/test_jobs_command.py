"""`manage.py jobs` lists the jobs of every kind by state, and the unfinished ones by age, flagging
those running or waiting far longer than any job takes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from analysis import services as analysis_services
from reviewapp import services as review_services
from reviewapp.archive.services import archive_export_request
from reviewapp.models import ArchiveExport
from screening import services
from screening.models import SearchFile
from tests.screening.helpers import make_search, record, ris

pytestmark = pytest.mark.django_db


def test_the_listing_counts_each_kind_and_flags_the_stuck_ones(review, people, capsys):
    lead = people["lead"]
    upload = services.search_file_create(actor=lead, search=make_search(review, lead), upload=ris(record(1)),
                                         filename="a.ris", requested_format="", enqueue=False)
    SearchFile.objects.filter(pk=upload.pk).update(status="running", attempts=1, claimed_by="web-1:42",
                                                   claimed_at=timezone.now() - timedelta(hours=3))
    fresh = archive_export_request(actor=lead, review=review)  # queued a moment ago
    outcome = review_services.outcome_create(actor=lead, review=review, name="Depression", direction="lower", note="")
    analysis = analysis_services.analysis_create(actor=lead, review=review, outcome=outcome)
    analysis_services.analysis_run_request(actor=lead, analysis=analysis, enqueue=False)
    ArchiveExport.objects.create(review=review, status="failed", error="disk full")

    call_command("jobs")
    out = capsys.readouterr().out
    assert "screening.SearchFile: running 1" in out and "reviewapp.ArchiveExport: failed 1, queued 1" in out
    stuck = next(line for line in out.splitlines() if f"screening.SearchFile #{upload.pk}" in line)
    assert "running for 3h00m" in stuck and "attempts 1, on web-1:42" in stuck and stuck.endswith("STUCK")
    waiting = next(line for line in out.splitlines() if f"reviewapp.ArchiveExport #{fresh.pk}" in line)
    assert "queued" in waiting and "STUCK" not in waiting
    assert out.index(f"SearchFile #{upload.pk}") < out.index(f"ArchiveExport #{fresh.pk}")  # oldest first
    assert "resume_background_work" in out
