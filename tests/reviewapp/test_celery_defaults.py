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
                  "prefetch": c.worker_prefetch_multiplier, "options": c.broker_transport_options}))
"""


def test_with_redis_tasks_are_acknowledged_late_and_outlive_the_longest_job():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "reviewapp.settings.base", "DEBUG": "1",
           "REDIS_URL": "redis://127.0.0.1:1/0"}  # never connected to: the settings are only read
    env.pop("CELERY_VISIBILITY_TIMEOUT", None)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout
    conf = json.loads(out.strip().splitlines()[-1])
    assert conf["acks_late"] and conf["reject"] and conf["prefetch"] == 1
    assert conf["options"]["visibility_timeout"] > STUCK_RUNNING.total_seconds()
