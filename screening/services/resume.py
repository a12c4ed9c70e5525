"""The screening app's tasks that a stopped worker left unfinished (see reviewapp.background)."""
from __future__ import annotations

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
    return ([f"{len(file_ids)} import(s) sent to the worker again"] if file_ids else []) + \
        ([f"{len(run_ids)} ranking retraining(s) sent to the worker again"] if run_ids else [])
