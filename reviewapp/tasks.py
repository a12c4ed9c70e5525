from celery import shared_task


@shared_task(name="reviewapp.ping")
def ping(payload: str = "pong") -> dict:
    """Answer with the payload and the worker's host name: a health check of the task queue."""
    import socket

    return {"payload": payload, "host": socket.gethostname()}
