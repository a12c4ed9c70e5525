"""A worker killed mid-run: the task is delivered again (acks late, reject on worker lost) and the
run ends exactly once, with one result and one audit event of its end.

CI starts the worker on the test database with ANALYSIS_TEST_DELAY_SECONDS=3 (see .ci/run), so a
run this test marks waits three seconds before it computes; the test kills the worker's pool
process that holds it (SIGKILL: no clean-up), and the worker's main process starts a new one.
"""
from __future__ import annotations

import os
import signal
import socket
import time

import pytest

from analysis import services
from analysis.models import AnalysisRun
from reviewapp.models import AuditEvent
from tests.support import require

pytestmark = pytest.mark.django_db(transaction=True)

Status = AnalysisRun.Status


def wait_for(run: AnalysisRun, condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if condition(run):
            return True
        time.sleep(0.1)
    return False


def test_a_run_whose_worker_is_killed_mid_run_ends_once(live_worker, review, people, outcomes, studies):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"])
    run = services.analysis_run_request(actor=people["lead"], analysis=analysis, options={"test_delay": True})
    assert wait_for(run, lambda r: r.status != Status.QUEUED, 30), "the worker never started the run"
    require(run.status == Status.RUNNING,
            "the worker finished the run at once: start it with ANALYSIS_TEST_DELAY_SECONDS=3 (as .ci/run does)")
    host, pid = run.claimed_by.rsplit(":", 1)
    require(host == socket.gethostname(), "the worker runs on another machine, so this test cannot stop it")
    os.kill(int(pid), signal.SIGKILL)

    assert wait_for(run, lambda r: r.is_finished, 90), f"the run never ended (status {run.status})"
    assert run.status == Status.DONE, run.error
    assert run.attempts == 2  # the killed attempt and the one after redelivery
    assert run.claimed_by != f"{host}:{pid}"
    assert run.results["summary"]["k"] == len(run.inputs["studies"]) >= 2
    ended = AuditEvent.objects.filter(object_type="analysis.AnalysisRun", object_id=str(run.pk),
                                      action=AuditEvent.Action.UPDATE)
    assert [e.after["status"] for e in ended] == ["done"]
    # the task is not delivered a third time: the run stays as it ended
    time.sleep(2)
    run.refresh_from_db()
    assert run.attempts == 2 and AnalysisRun.objects.filter(analysis=analysis).count() == 1
    assert live_worker.control.ping(timeout=3), "the worker did not recover"
