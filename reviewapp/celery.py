"""The Celery app. Its broker is Redis when REDIS_URL is set, else a folder under var/ (see settings).

A long piece of work is a @shared_task queued with transaction.on_commit(lambda: task.delay(id));
`make run` (manage.py serve) and `docker compose up` both start a worker that runs it.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings.base")

app = Celery("reviewapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
