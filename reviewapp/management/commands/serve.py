"""`runserver` plus a Celery worker (with beat): the one-machine mode of `make run` in one command.

The worker is a separate process (`celery -A reviewapp worker`) on the same settings, so it
uses the same database file, media folder, cache and task folder as the web process. It is
started once, by the outer process; runserver's auto-reloader restarts only the web process
when code changes, so after editing a task, stop and start again. Ctrl-C (or SIGTERM) stops
both: the worker finishes the task it is running first, and a second Ctrl-C stops it at once
(an import cut short fails whole, within its transaction, and can be tried again).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management.commands.runserver import Command as RunserverCommand

from reviewapp.background import resume_interrupted

# One task at a time: SQLite has one writer, and an import holds the write lock until it
# commits, so a second task in parallel would only wait for it (and could time out).
WORKER_ARGS = ["-m", "celery", "-A", "reviewapp", "worker", "--pool=solo", "--loglevel=info",
               "--without-mingle", "--without-gossip", "--hostname=embedded@%h"]


def worker_args() -> list[str]:
    """The worker of `serve`: -B makes it run beat too, the clock of periodic work (notification
    e-mail), keeping its last run times in a file under var/ (one worker, so one beat)."""
    return [*WORKER_ARGS, "-B", f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}"]


class Command(RunserverCommand):
    help = "Serve the site (runserver) with a Celery worker for its background tasks; Ctrl-C stops both."

    def handle(self, *args, **options):
        if os.environ.get("RUN_MAIN") == "true":
            # The auto-reloader's child: the outer process already runs the worker.
            return super().handle(*args, **options)
        worker = self._start_worker()
        # runserver's reloader turns SIGTERM into SystemExit only when it is on; do the same
        # without it, so a supervisor's SIGTERM also stops the worker.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            return super().handle(*args, **options)
        finally:
            self._stop_worker(worker)

    def _start_worker(self) -> subprocess.Popen:
        # The folder broker loses a task its worker had taken when that worker was killed; this
        # worker is the only one, so whatever is still queued or running is sent again first.
        for line in resume_interrupted():
            self.stdout.write(f"Left unfinished by the last worker: {line}.")
        # Same process group: Ctrl-C in the terminal reaches the worker too (a warm shutdown).
        worker = subprocess.Popen([sys.executable, *worker_args()])
        self._stopping = threading.Event()
        self.stdout.write(f"Celery worker started (pid {worker.pid}); background tasks run there.")
        threading.Thread(target=self._watch, args=(worker,), daemon=True).start()
        return worker

    def _watch(self, worker: subprocess.Popen) -> None:
        code = worker.wait()
        # Ctrl-C reaches the worker and this process at once: give the latter time to say so.
        if code != 0 and not self._stopping.wait(timeout=2):
            self.stderr.write(f"The Celery worker stopped (exit code {code}): uploads wait in the queue "
                              "until the site is started again.")

    def _stop_worker(self, worker: subprocess.Popen) -> None:
        self._stopping.set()
        if worker.poll() is not None:
            return
        self.stdout.write("Stopping the Celery worker: it finishes the task it is running. Ctrl-C again stops it at "
                          "once;\nan import cut short fails whole and can be run again from its page.")
        worker.terminate()  # a warm shutdown; ignored if Ctrl-C already started one
        try:
            worker.wait()
        except KeyboardInterrupt:
            # The second Ctrl-C reached the worker too: a cold shutdown, which interrupts the task.
            try:
                worker.wait(timeout=15)
            except (subprocess.TimeoutExpired, KeyboardInterrupt):
                worker.kill()
                worker.wait()
