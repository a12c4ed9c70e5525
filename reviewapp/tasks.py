from celery import shared_task

from reviewapp.jobs import JOB_TASK_OPTIONS


@shared_task(name="reviewapp.ping")
def ping(payload: str = "pong") -> dict:
    """Answer with the payload and the worker's host name: a health check of the task queue."""
    import socket

    return {"payload": payload, "host": socket.gethostname()}


@shared_task(bind=True, acks_late=True, max_retries=6, ignore_result=True)
def webhook_deliver(self, delivery_id: int):
    """Send one webhook delivery; retried with growing delays until it is answered with 2xx.

    The retry is queued without raising (throw=False): a worker then counts this run as done, and
    an eagerly run task (tests, one-process use) runs its retries at once instead of failing."""
    from reviewapp.models import WebhookDelivery
    from reviewapp.webhooks import RETRY_DELAYS, webhook_attempt

    delivery = webhook_attempt(delivery_id=delivery_id, last_try=self.request.retries >= self.max_retries)
    if delivery.status == WebhookDelivery.Status.PENDING:
        return self.retry(countdown=RETRY_DELAYS[min(self.request.retries, len(RETRY_DELAYS) - 1)], throw=False)
    return None


@shared_task(**JOB_TASK_OPTIONS)
def archive_export_build(export_id: int) -> None:
    """Write one whole-review archive; safe to run again (a finished one is left alone)."""
    from reviewapp.archive.services import archive_export_build as build

    build(export_id=export_id)


@shared_task(ignore_result=True)
def invitation_notice_send(invitation_id: int, site_url: str) -> None:
    """E-mail the account an invitation by username names (a no-op when it names none)."""
    from reviewapp.services import invitation_notice_send as send

    send(invitation_id=invitation_id, site_url=site_url)


@shared_task(name="reviewapp.notifications_email", ignore_result=True)
def notifications_email(mode: str) -> int:
    """E-mail what is due (beat: "immediate" every few minutes, "daily" once a day); safe to run twice."""
    from reviewapp.notifications.services import notifications_email as send

    return send(mode=mode)


@shared_task(**JOB_TASK_OPTIONS)
def archive_import_run(import_id: int) -> None:
    """Make a review from one uploaded archive; safe to run again (a finished import is left alone)."""
    from reviewapp.archive.services import archive_import_run as run

    run(import_id=import_id)


@shared_task(**JOB_TASK_OPTIONS)
def version_archive_write(archive_id: int) -> None:
    """Write the archive of one published version; safe to run again (a finished one is left alone)."""
    from reviewapp.versions.services import version_archive_write as write

    write(archive_id=archive_id)
