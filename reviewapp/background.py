"""Background work that a stopped worker left unfinished, and how it is sent again.

With Redis, a task whose worker died is delivered again by the broker (acks_late). The folder
broker of `make run` cannot do that: a message its worker had taken is gone with the worker.
So each app names a resumer (``resumers`` on its AppConfig, extensions.py) that sends again the
tasks of its rows still marked queued or running, and `manage.py serve` calls them before it
starts its (only) worker; every task is idempotent, so a task sent twice finishes its row once.
`manage.py resume_background_work` does the same by hand after a crash. Like the other
extension points, this module imports no stage app.
"""
from __future__ import annotations

from .extensions import declared_functions


def resume_interrupted() -> list[str]:
    """Send again every unfinished task of every app; what was sent, one line per kind."""
    return [line for resume in declared_functions("resumers") for line in resume()]
