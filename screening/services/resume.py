"""The screening app's tasks that a stopped worker left unfinished (see reviewapp.background)."""
from __future__ import annotations

from django.utils.translation import ngettext

from screening import tasks
from screening.models import RankingRun, SearchFile


def screening_tasks_resume() -> list[str]:
    files = SearchFile.objects.filter(status__in=[SearchFile.Status.QUEUED, SearchFile.Status.RUNNING])
    runs = RankingRun.objects.filter(status__in=[RankingRun.Status.QUEUED, RankingRun.Status.RUNNING])
    file_ids, run_ids = list(files.values_list("pk", flat=True)), list(runs.values_list("pk", flat=True))
    for pk in file_ids:
        tasks.search_file_import.delay(pk)
    for pk in run_ids:
        tasks.ranking_refresh.delay(pk)
    return ([ngettext("%d import sent to the worker again", "%d imports sent to the worker again",
                      len(file_ids)) % len(file_ids)] if file_ids else []) + \
        ([ngettext("%d ranking retraining sent to the worker again", "%d ranking retrainings sent to the worker again",
                   len(run_ids)) % len(run_ids)] if run_ids else [])
