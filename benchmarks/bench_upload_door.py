"""What one oversized upload costs the web process: a PDF larger than MAX_FULLTEXT_MB posted to a
record's full-text page, with the limit at the door (reviewapp.uploads) or without it (its
middleware taken out, as before it existed).

The request goes through Django's WSGI handler in this process, with a CSRF token as a browser
sends it, and its body is generated as the server reads it, so the client side holds none of it.
Printed: the answer, the bytes of the body read, Python's peak allocation during the request
(tracemalloc), the growth of the process's peak RSS and the time. Run each mode in its own
process (peak RSS only grows), from the repository root:

    .venv/bin/python benchmarks/bench_upload_door.py [--mb 300] [--without-door]
"""
from __future__ import annotations

import argparse
import datetime
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

MB = 1024 * 1024
BOUNDARY = "bench-boundary"
RIS = b"TY  - JOUR\nTI  - A trial\nAU  - Author, A.\nPY  - 2020\nER  - \n"


class GeneratedBody:
    """A multipart body holding one PDF of ``size`` bytes, made as it is read."""

    def __init__(self, size: int):
        head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n").encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(head) + size + len(tail)
        self.parts: list[bytes | int] = [head, size, tail]
        self.read_bytes = 0

    def read(self, n: int | None = -1) -> bytes:
        n = MB if n is None or n < 0 else n
        out = bytearray()
        while self.parts and len(out) < n:
            part, want = self.parts[0], n - len(out)
            if isinstance(part, int):
                take = min(part, want)
                out += b"0" * take
                self.parts[0] = part - take
            else:
                out += part[:want]
                self.parts[0] = part[want:]
            if not self.parts[0]:
                self.parts.pop(0)
        self.read_bytes += len(out)
        return bytes(out)

    readline = read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=300, help="size of the PDF (default 300)")
    parser.add_argument("--without-door", action="store_true", help="take the upload limit's middleware out")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ["DJANGO_SETTINGS_MODULE"] = "reviewapp.settings.test"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from reviewapp import services
    from screening import services as screening_services
    from screening.models import Record

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    if args.without_door:
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "reviewapp.uploads.BodyLimitMiddleware"]
    lead = get_user_model().objects.create_user("lead", password="bench-password-1")
    review = services.review_create(creator=lead, title="Upload benchmark")
    search = screening_services.search_create(actor=lead, review=review, database="Scopus", platform="",
                                              date_run=datetime.date(2026, 1, 1), query="trial", reported_hits=None)
    upload = screening_services.search_file_create(actor=lead, search=search, upload=RIS, filename="one.ris",
                                                   enqueue=False)
    screening_services.search_file_import(search_file_id=upload.pk)
    record = Record.objects.get(review=review)
    client = Client()
    client.force_login(lead)
    token = "t" * 32

    body = GeneratedBody(args.mb * MB)
    environ = client._base_environ(PATH_INFO=reverse("fulltext", args=[review.pk, record.pk]), REQUEST_METHOD="POST")
    environ.update({"CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}", "CONTENT_LENGTH": str(body.length),
                    "wsgi.input": body, "HTTP_X_CSRFTOKEN": token,
                    "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}; "
                                   f"{settings.CSRF_COOKIE_NAME}={token}"})
    answers: list[str] = []
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    response = WSGIHandler()(environ, lambda status, headers: answers.append(status))
    b"".join(response)
    response.close()  # as a WSGI server does: the request's files are closed
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    print(f"{'without' if args.without_door else 'with'} the door, {args.mb} MB PDF "
          f"(MAX_FULLTEXT_MB={settings.MAX_FULLTEXT_MB}): {answers[0]}; read {body.read_bytes / MB:,.1f} MB; "
          f"Python peak {peak / MB:,.1f} MB; peak RSS +{rss_growth:,.0f} MB; {seconds:.2f} s")


if __name__ == "__main__":
    main()
