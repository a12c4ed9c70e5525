"""Background work of the screening app: each task loads its row's id and calls one service."""
from __future__ import annotations

from celery import shared_task

from reviewapp.jobs import JOB_TASK_OPTIONS


@shared_task(**JOB_TASK_OPTIONS)
def search_file_import(search_file_id: int) -> None:
    """Import one uploaded export; safe to run again (a finished import is left alone)."""
    from screening.services.importing import search_file_import as run_import

    run_import(search_file_id=search_file_id)


@shared_task(**JOB_TASK_OPTIONS)
def ranking_refresh(run_id: int) -> None:
    """Retrain the priority ranking of one review; a run already finished is left alone."""
    from screening.services.ranking import ranking_refresh as refresh

    refresh(run_id=run_id)


@shared_task(name="screening.search_rerun_reminders", ignore_result=True)
def search_rerun_reminders() -> int:
    """Daily (beat): tell the leads of living reviews whose searches are due to be run again."""
    from screening.services.reminders import search_rerun_reminders_send

    return search_rerun_reminders_send()
