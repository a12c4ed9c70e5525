"""Background work of the analysis app: the task loads the run's id and calls one service."""
from __future__ import annotations

from celery import shared_task

from reviewapp.jobs import JOB_TASK_OPTIONS


# acks_late with reject_on_worker_lost (also the project's settings): a worker killed mid-run has
# the task delivered again, and the service makes a second delivery end the run only once.
@shared_task(**JOB_TASK_OPTIONS)
def analysis_run_execute(run_id: int) -> None:
    from analysis.services import analysis_run_execute as execute

    execute(run_id=run_id)
