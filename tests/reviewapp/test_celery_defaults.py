"""The worker's fail-safe defaults: a task is acknowledged at its end and given back when its pool
process dies, and Redis waits longer than any job runs (longer than `manage.py jobs` waits before
calling a running job stuck) before handing an unacknowledged task to another worker."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from reviewapp.jobs import STUCK_RUNNING
from tests.support import REPO_ROOT

PROBE = """
import django, json
django.setup()
from reviewapp.celery import app
c = app.conf
print(json.dumps({"acks_late": c.task_acks_late, "reject": c.task_reject_on_worker_lost,
                  "prefetch": c.worker_prefetch_multiplier, "options": c.broker_transport_options,
                  "soft_limit": c.task_soft_time_limit, "hard_limit": c.task_time_limit}))
"""


def test_with_redis_tasks_are_acknowledged_late_and_outlive_the_longest_job():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "reviewapp.settings.base", "DEBUG": "1",
           "REDIS_URL": "redis://127.0.0.1:1/0"}  # never connected to: the settings are only read
    env.pop("CELERY_VISIBILITY_TIMEOUT", None)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout
    conf = json.loads(out.strip().splitlines()[-1])
    assert conf["acks_late"] and conf["reject"] and conf["prefetch"] == 1
    visibility = conf["options"]["visibility_timeout"]
    assert visibility > STUCK_RUNNING.total_seconds()
    # The longest job is bounded: its body is stopped (soft limit, the job ends failed) and its
    # process killed (hard limit) before Redis would hand its task to a second worker.
    assert STUCK_RUNNING.total_seconds() <= conf["soft_limit"] < conf["hard_limit"] < visibility


def test_every_job_task_is_acknowledged_at_its_end_and_given_back_when_its_process_dies():
    """A task's own options override the app's: none of the jobs' tasks may turn them off."""
    from django.utils.module_loading import import_string

    from reviewapp.celery import app
    from reviewapp.jobs import job_models

    tasks = {model._meta.label: import_string(model.JOB_TASK) for model in job_models()}
    assert {"screening.SearchFile", "screening.RankingRun", "analysis.AnalysisRun",
            "reviewapp.ArchiveExport", "reviewapp.ArchiveImport", "reviewapp.VersionArchive"} <= set(tasks)
    for label, task in tasks.items():
        assert task.acks_late is True, label
        reject = task.reject_on_worker_lost
        assert reject is True or (reject is None and app.conf.task_reject_on_worker_lost is True), label
        assert (task.soft_time_limit, task.time_limit) in (
            (None, None), (app.conf.task_soft_time_limit, app.conf.task_time_limit)), f"{label}: own time limits"
